"""Invariants of the tier engine over random clusters (NetworkPolicy + admin tiers):
- a Pass-only admin policy, evaluated after the other admin policies, changes no answer (connectivity,
  egress class, DNS, can-reach); before an Allow it would skip that Allow, which is no no-op;
- 0.0.0.0/0 written as two /1 halves changes no answer;
- the egress class agrees with what the tiers allow to sample addresses;
- what ktui cannot see never makes more allowed, and the fast builder still equals pair-by-pair.
"""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktui.analysis.core.portset import EMPTY, PortSet
from ktui.analysis.core.subjects import ExternalRange, cluster_subjects
from ktui.analysis.policy import EgressClass, PolicyEngine, connectivity, egress_posture
from ktui.store import ClusterState
from tests.admin.strategies import mixed_clusters
from tests.analysis.pairwise import as_map, brute_force
from tests.conftest import state_from

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROBES = [(53, "UDP"), (53, "TCP"), (80, "TCP"), (443, "TCP"), (8080, "TCP"), (25, "TCP")]
ADDRESSES = ["8.8.8.8", "1.1.1.1", "200.0.0.1", "10.1.2.3", "192.168.1.1", "127.0.0.1", "128.0.0.0", "0.0.0.0"]
PUBLIC = ["8.8.8.8", "1.1.1.1", "200.0.0.1", "128.0.0.1", "11.0.0.1"]
Doc = dict[str, Any]

PASS_ONLY: Doc = {
    "apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy", "metadata": {"name": "zz-noop"},
    "spec": {"priority": 1000, "subject": {"namespaces": {}},  # after every other admin policy: a no-op
             "ingress": [{"name": "p", "action": "Pass", "from": [{"namespaces": {}}]}],
             "egress": [{"name": "p", "action": "Pass", "to": [{"namespaces": {}}]},
                        {"name": "q", "action": "Pass", "to": [{"networks": ["0.0.0.0/0"]}]}]}}


def _addr(label: str) -> tuple[int, int] | None:
    if not label.endswith("[External]"):
        return None
    first, last = label[: -len("[External]")].split("-")
    return int(ipaddress.ip_address(first)), int(ipaddress.ip_address(last))


def _points(conns: dict[tuple[str, str], PortSet]) -> set[int]:
    return {a[0] for s, d in conns for a in (_addr(s), _addr(d)) if a is not None}


def _by_point(conns: dict[tuple[str, str], PortSet], points: set[int]) -> dict[tuple[str, str], PortSet]:
    """Each external range replaced by every cut point inside it: two ways of cutting the address
    space compare equal when every address gets the same ports."""
    out: dict[tuple[str, str], PortSet] = {}
    for (src, dst), ports in conns.items():
        for end in ("src", "dst"):
            span = _addr(src if end == "src" else dst)
            if span is not None:
                for p in points:
                    if span[0] <= p <= span[1]:
                        key = (f"@{p}", dst) if end == "src" else (src, f"@{p}")
                        out[key] = ports
                break
        else:
            out[(src, dst)] = ports
    return out


def answers(docs: list[Doc]) -> tuple[dict[tuple[str, str], PortSet], dict[str, object], dict[tuple[str, ...], bool]]:
    state = state_from(docs)
    engine = PolicyEngine(state)
    conns = {(c.src, c.dst): c.conns for c in connectivity(state, engine)}
    subjects = cluster_subjects(state)
    classes: dict[str, object] = {}
    for s in subjects:
        p = egress_posture(engine, s)
        classes[str(s)] = (p.cls, p.dns, p.internet_ports)
    verdicts: dict[tuple[str, ...], bool] = {}
    peers = [*subjects, *(ExternalRange.of_ip(ipaddress.ip_address(a)) for a in ADDRESSES)]
    for s in subjects:
        for d in peers:
            for port, proto in PROBES:
                verdicts[(str(s), str(d), str(port), proto)] = engine.can_reach(s, d, port, proto).allowed
                verdicts[(str(d), str(s), str(port), proto)] = engine.can_reach(d, s, port, proto).allowed
    return conns, classes, verdicts


def assert_same(a: list[Doc], b: list[Doc]) -> None:
    conns_a, classes_a, verdicts_a = answers(a)
    conns_b, classes_b, verdicts_b = answers(b)
    points = _points(conns_a) | _points(conns_b)
    assert _by_point(conns_a, points) == _by_point(conns_b, points)
    assert classes_a == classes_b
    assert verdicts_a == verdicts_b


def _halves(docs: list[Doc]) -> list[Doc]:
    """Every 0.0.0.0/0 (ipBlock or admin network) written as 0.0.0.0/1 + 128.0.0.0/1."""
    out = copy.deepcopy(docs)
    for doc in out:
        spec = doc.get("spec", {})
        for key in ("ingress", "egress"):
            for rule in spec.get(key) or []:
                for peers_key in ("from", "to"):
                    peers = rule.get(peers_key)
                    if not peers:
                        continue
                    new: list[Doc] = []
                    for peer in peers:
                        block = peer.get("ipBlock")
                        if block is not None and block["cidr"] == "0.0.0.0/0":
                            low: Doc = {"cidr": "0.0.0.0/1"}
                            if block.get("except"):
                                low["except"] = block["except"]  # 10.0.0.0/8 lies in the low half
                            new += [{"ipBlock": low}, {"ipBlock": {"cidr": "128.0.0.0/1"}}]
                        elif "networks" in peer and "0.0.0.0/0" in peer["networks"]:
                            nets = [n for n in peer["networks"] if n != "0.0.0.0/0"]
                            new.append({"networks": [*nets, "0.0.0.0/1", "128.0.0.0/1"]})
                        else:
                            new.append(peer)
                    rule[peers_key] = new
    return out


@SETTINGS
@given(mixed_clusters())
def test_a_pass_only_admin_policy_changes_no_answer(docs: list[Doc]) -> None:
    assert_same(docs, [*docs, PASS_ONLY])


@SETTINGS
@given(mixed_clusters())
def test_zero_slash_zero_as_two_halves_changes_no_answer(docs: list[Doc]) -> None:
    assert_same(docs, _halves(docs))


@SETTINGS
@given(mixed_clusters())
def test_egress_class_agrees_with_what_the_tiers_allow(docs: list[Doc]) -> None:
    state = state_from(docs)
    engine = PolicyEngine(state)
    for s in cluster_subjects(state):
        p = egress_posture(engine, s)
        allowed = {a: engine.allowed_ports(s, ExternalRange.of_ip(ipaddress.ip_address(a)), "egress")
                   for a in ADDRESSES + PUBLIC}
        if p.cls is EgressClass.OPEN:
            assert all(ports.is_all() for ports in allowed.values())
        elif p.cls is EgressClass.INTERNET:
            assert p.internet_ports and all((allowed[a] & p.internet_ports) == p.internet_ports for a in PUBLIC)
        else:
            assert p.internet_ports == EMPTY
            if p.cls in (EgressClass.CLUSTER, EgressClass.DENIED):
                assert not any(allowed.values())
            if p.cls is EgressClass.DENIED:
                assert not any(engine.allowed_ports(s, d, "egress") for d in cluster_subjects(state))


HIDDEN = [("NetworkPolicy", "a"), ("NetworkPolicy", "b"), ("Namespace", ""), ("AdminNetworkPolicy", ""),
          ("BaselineAdminNetworkPolicy", "")]


@SETTINGS
@given(mixed_clusters(), st.lists(st.sampled_from(HIDDEN), min_size=1, max_size=2, unique=True))
def test_what_cannot_be_seen_never_allows_more(docs: list[Doc], hidden: list[tuple[str, str]]) -> None:
    def hide(state: ClusterState) -> None:
        for kind, namespace in hidden:
            state.set_unseen(kind, "forbidden", namespace)

    partial = as_map(docs, prepare=hide)
    assert partial == brute_force(docs, prepare=hide)
    full = as_map(docs)
    for pair, conns in partial.items():
        assert pair in full and (conns & full[pair]) == conns, pair
