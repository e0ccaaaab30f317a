"""A pod's egress destinations are asked once per class of peers no tier tells apart
(engine.alike_ids), not once per peer: the answer must equal asking every peer, workload by
workload (ports and opening rules), on generated clusters with every tier's policies."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from ktui.analysis.analysis import Analysis
from ktui.analysis.core.portset import EMPTY, PortSet
from ktui.analysis.core.subjects import WorkloadId
from ktui.analysis.core.verdicts import RuleRef
from ktui.analysis.policy.egress import _opening_rules, egress_destinations
from tests.consistency.strategies import full_clusters
from tests.consistency.test_invariants import _state


def _peer_by_peer(a: Analysis, subject: Any) -> dict[WorkloadId, tuple[PortSet, set[RuleRef]]]:
    out: dict[WorkloadId, tuple[PortSet, set[RuleRef]]] = {}
    for peer in a.subjects:
        if peer.workload == subject.workload:
            continue
        ports = a.engine.allowed_ports(subject, peer, "egress")
        if ports:
            held = out.get(peer.workload, (EMPTY, set()))
            out[peer.workload] = (held[0] | ports, held[1] | set(_opening_rules(a.engine, subject, peer, ports)))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(full_clusters())
def test_destinations_by_class_equal_peer_by_peer(docs: list[dict[str, Any]]) -> None:
    a = Analysis(_state(docs))
    for subject in a.subjects:
        found = {d.workload: (d.ports, set(d.rules)) for d in egress_destinations(a.engine, subject)
                 if d.workload is not None}
        assert found == _peer_by_peer(a, subject)


def _pod(name: str, labels: dict[str, str], ip: str, ns: str = "a") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 8080, "name": "http"}]}]},
            "status": {"podIP": ip, "phase": "Running"}}


def test_peers_told_apart_by_labels_address_or_named_port_get_their_own_answer() -> None:
    """Same namespace, peers that differ only by labels, by the side of an ipBlock cut their
    address falls on, or by what a named port resolves to on them."""
    docs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}},
        _pod("src", {"app": "src"}, "10.0.0.1"),
        _pod("web", {"app": "web"}, "10.0.0.2"),
        _pod("db", {"app": "db"}, "10.0.0.3"),
        _pod("near", {"app": "addr"}, "10.0.1.4"),
        _pod("far", {"app": "addr"}, "10.0.2.5"),
        {**_pod("named", {"app": "web"}, "10.0.0.6"), "spec": {"containers": [
            {"name": "c", "ports": [{"containerPort": 9090, "name": "http"}]}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": "src-out", "namespace": "a"},
         "spec": {"podSelector": {"matchLabels": {"app": "src"}}, "policyTypes": ["Egress"],
                  "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": "http"}]},
                             {"to": [{"ipBlock": {"cidr": "10.0.1.0/24"}}], "ports": [{"port": 443}]}]}},
    ]
    a = Analysis(_state(docs))
    src = next(s for s in a.subjects if s.labels.get("app") == "src")
    found = {str(d.workload): d.ports.describe() for d in egress_destinations(a.engine, src) if d.workload}
    assert found == {str(w): p.describe() for w, (p, _) in _peer_by_peer(a, src).items()}
    assert sorted(found) == sorted(str(w) for w in _peer_by_peer(a, src))
    names = {d.workload.name: d.ports.describe() for d in egress_destinations(a.engine, src) if d.workload}
    assert names == {"web": "TCP 8080", "named": "TCP 9090", "near": "TCP 443"}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(full_clusters())
def test_peers_from_the_posture_index_give_the_same_destinations(docs: list[dict[str, Any]]) -> None:
    """The TUI's Analysis takes the peers from its posture index (kept current by patches); the
    answers equal those over the cluster's subjects listed afresh."""
    from ktui.analysis.policy import NetpolEngine
    from ktui.analysis.posture import PostureIndex

    state = _state(docs)
    engine = NetpolEngine(state)
    held, fresh = Analysis(state, engine=engine, posture_index=PostureIndex(state, engine)), Analysis(state)
    assert sorted(map(str, held.peers)) == sorted(map(str, fresh.subjects))
    for subject in fresh.subjects:
        assert held.egress_destinations(subject) == fresh.egress_destinations(subject)


def test_class_numbers_stay_unique_when_the_memo_is_cleared() -> None:
    """alike_ids over more subjects than the memo keeps (it clears itself midway): subjects with
    different keys never share a number, equal keys asked twice in a row do."""
    from ktui.analysis.core.subjects import Subject, WorkloadId
    from ktui.analysis.policy import NetpolEngine
    from ktui.store import ClusterState

    engine = NetpolEngine(ClusterState())
    subjects = [Subject("a", f"p{i}", {"app": f"x{i}"}, (), (), WorkloadId("a", f"p{i}", "Pod")) for i in range(600)]
    numbers = engine.alike_ids(subjects)
    assert len(set(numbers)) == len(subjects)
    twin = Subject("a", "twin", {"app": "x599"}, (), (), WorkloadId("a", "twin", "Pod"))
    assert engine.alike_ids([subjects[599], twin]) == [numbers[599]] * 2
