"""The posture after events equals the posture of a fresh engine on the same state.

The engine keeps tiers and address tables until something other than a pod changes, and the
egress probes per namespace: these tests move pods (new label sets, replicas, deletions), then
policies of every family, and compare with an index built from scratch each step, including the
cross-namespace case where the only allowed in-cluster peer appears or leaves elsewhere.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from ktui.analysis.policy import EgressClass, PolicyEngine
from ktui.analysis.posture import PostureIndex
from ktui.model.decode import decode_document
from ktui.store import Change, ClusterState, Event
from tests.analysis.strategies import LABEL_VALUES
from tests.check.kit import namespace, netpol, pod
from tests.consistency.test_posture_index import NAMESPACES, PostureMachine

Doc = dict[str, Any]
TO_DB = {"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "db"}}}],
         "ports": [{"port": 5432, "protocol": "TCP"}]}


class Cluster:
    """A state, an index updated by events (as the TUI bridge does), and the fresh answer."""

    def __init__(self, docs: list[Doc]) -> None:
        self.state = ClusterState()
        for doc in docs:
            self.apply("ADDED", doc)
        self.index = PostureIndex(self.state, PolicyEngine(self.state))

    def apply(self, verb: str, doc: Doc) -> Change | None:
        info, obj = decode_document(doc, "default")
        assert info is not None
        return self.state.apply(Event(verb, info.kind, obj))  # type: ignore[arg-type]

    def event(self, verb: str, doc: Doc) -> set[str]:
        change = self.apply(verb, doc)
        return self.index.update([change] if change is not None else [])

    def fresh(self) -> dict[str, Any]:
        return PostureIndex(self.state, PolicyEngine(self.state)).by_namespace

    def egress(self, ns: str, name: str) -> EgressClass:
        return next(p.egress.cls for p in self.index.by_namespace[ns].pods if p.subject.name == name)


def _base() -> list[Doc]:
    return [namespace("a"), namespace("b"),
            pod("web", "a", {"app": "web"}, ip="10.0.0.1"), pod("web-2", "a", {"app": "web"}, ip="10.0.0.2"),
            pod("other", "b", {"app": "other"}, ip="10.0.1.1"),
            netpol("only-db", "a", {"app": "web"}, egress=[TO_DB], types=["Egress"])]


def test_the_only_allowed_peer_appearing_elsewhere_makes_egress_cluster() -> None:
    c = Cluster(_base())
    assert c.egress("a", "web") is EgressClass.DENIED
    changed = c.event("ADDED", pod("db", "b", {"app": "db"}, ip="10.0.1.9"))
    assert c.egress("a", "web") is EgressClass.CLUSTER
    assert c.index.by_namespace == c.fresh()
    assert "a" in changed  # the namespace whose answer moved is reported


def test_the_only_allowed_peer_leaving_makes_egress_denied_again() -> None:
    c = Cluster([*_base(), pod("db", "b", {"app": "db"}, ip="10.0.1.9")])
    assert c.egress("a", "web") is EgressClass.CLUSTER
    c.event("DELETED", pod("db", "b", {"app": "db"}, ip="10.0.1.9"))
    assert c.egress("a", "web") is EgressClass.DENIED
    assert c.index.by_namespace == c.fresh()


def test_pod_events_then_policy_events_equal_a_fresh_engine() -> None:
    c = Cluster([*_base(), pod("db", "b", {"app": "db"}, ip="10.0.1.9")])
    steps: list[tuple[str, Doc]] = [
        ("MODIFIED", pod("web", "a", {"app": "web", "v": "2"}, ip="10.0.0.1")),  # a new label set
        ("ADDED", pod("web-3", "a", {"app": "web"}, ip="10.0.0.3")),  # a replica
        ("MODIFIED", pod("other", "b", {"app": "db"}, ip="10.0.1.1")),  # a second db
        ("DELETED", pod("db", "b", {"app": "db"}, ip="10.0.1.9")),
        ("ADDED", netpol("deny-b", "b", None, egress=[], types=["Egress"])),
        ("MODIFIED", netpol("only-db", "a", {"app": "web"}, egress=[{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}],
                            types=["Egress"])),
        ("ADDED", {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy",
                   "metadata": {"name": "anp"},
                   "spec": {"priority": 10, "subject": {"namespaces": {}},
                            "egress": [{"name": "no-net", "action": "Deny", "to": [{"networks": ["0.0.0.0/0"]}]}]}}),
        ("ADDED", {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
                   "metadata": {"name": "c", "namespace": "b"},
                   "spec": {"endpointSelector": {"matchLabels": {"app": "db"}},
                            "egress": [{"toEndpoints": [{"matchLabels": {"app": "web"}}]}]}}),
        ("ADDED", {"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
                   "metadata": {"name": "k", "namespace": "a"},
                   "spec": {"selector": "app == 'web'", "types": ["Egress"],
                            "egress": [{"action": "Allow", "destination": {"selector": "app == 'db'"}}]}}),
        ("ADDED", pod("db-2", "a", {"app": "db"}, ip="10.0.0.9")),
        ("MODIFIED", namespace("b", team="x")),
    ]
    for verb, doc in steps:
        c.event(verb, doc)
        assert c.index.by_namespace == c.fresh(), (verb, doc["metadata"]["name"])


class TierPostureMachine(PostureMachine):
    """The PostureIndex machine of tests/consistency with Calico and Cilium policies (and
    cross-namespace egress) among its events: the incremental index still equals a fresh one."""

    @initialize()
    def egress_to_y_anywhere(self) -> None:
        """From the start, pods app=x in a may reach only pods app=y, in any namespace: a pod
        put or deleted elsewhere moves their class."""
        self.cross_namespace_egress("a", "x", "y")

    @rule(ns=st.sampled_from(NAMESPACES), app=st.sampled_from(LABEL_VALUES), to=st.sampled_from(LABEL_VALUES),
          present=st.booleans())
    def cilium_policy(self, ns: str, app: str, to: str, present: bool) -> None:
        doc = {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": "c", "namespace": ns},
               "spec": {"endpointSelector": {"matchLabels": {"app": app}},
                        "egress": [{"toEndpoints": [{"matchLabels": {"app": to,
                                                                     "k8s:io.kubernetes.pod.namespace": "b"}}]}]}}
        self._put_or_delete("CiliumNetworkPolicy", ns, "c", doc, present)

    @rule(ns=st.sampled_from(NAMESPACES), app=st.sampled_from(LABEL_VALUES), to=st.sampled_from(LABEL_VALUES),
          action=st.sampled_from(["Allow", "Deny"]), present=st.booleans())
    def calico_policy(self, ns: str, app: str, to: str, action: str, present: bool) -> None:
        doc = {"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
               "metadata": {"name": "k", "namespace": ns},
               "spec": {"selector": f"app == '{app}'", "types": ["Egress"],
                        "egress": [{"action": action, "destination": {"selector": f"app == '{to}'",
                                                                      "namespaceSelector": "all()"}}]}}
        self._put_or_delete("CalicoNetworkPolicy", ns, "k", doc, present)

    @rule(ns=st.sampled_from(NAMESPACES), app=st.sampled_from(LABEL_VALUES), to=st.sampled_from(LABEL_VALUES))
    def cross_namespace_egress(self, ns: str, app: str, to: str) -> None:
        doc = netpol("x", ns, {"app": app}, types=["Egress"],
                     egress=[{"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": to}}}]}])
        self._apply("MODIFIED" if self._get("NetworkPolicy", ns, "x") is not None else "ADDED", doc)

    def _put_or_delete(self, kind: str, ns: str, name: str, doc: Doc, present: bool) -> None:
        info, _ = decode_document(doc, "default")
        assert info is not None
        old = self._get(info.kind, ns, name)
        if present:
            self._apply("MODIFIED" if old is not None else "ADDED", doc)
        elif old is not None:
            change = self.state.apply(Event("DELETED", info.kind, old))
            if change is not None:
                self.pending.append(change)


TierPostureMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=20, deadline=None)
TestTierPostureIndex = TierPostureMachine.TestCase


def _subject_fields(s: Any) -> tuple[Any, ...]:
    return (s.namespace, s.name, dict(s.labels), s.ports, s.ips, s.workload, s.host_network, s.service_account)


def test_same_subject_tells_a_readiness_flip_from_every_move() -> None:
    """`same_subject` (the cheap test a readiness flip takes) answers True only when pod_subject
    gives equal Subjects: each field pod_subject reads, changed alone, makes it False."""
    from ktui.analysis.core.subjects import pod_subject, same_subject

    base = dict(name="web", ns="a", labels={"app": "web"}, ip="10.0.0.1", ports=[("http", 80)])
    moves = {"labels": {"labels": {"app": "web", "v": "2"}}, "ip": {"ip": "10.0.0.9"},
             "ports": {"ports": [("http", 81)]}, "owner": {"owner": ("ReplicaSet", "web-1")},
             "service account": {"service_account": "robot"}, "host network": {"host_network": True}}

    def decoded(**over: Any) -> Any:
        return decode_document(pod(**{**base, **over}), "default")[1]  # type: ignore[arg-type]

    before = decoded()
    flipped = decoded(ready=False)
    assert same_subject(before, flipped)
    assert _subject_fields(pod_subject(before)) == _subject_fields(pod_subject(flipped))
    for what, over in moves.items():
        moved = decoded(**over)
        assert not same_subject(before, moved), what
        assert _subject_fields(pod_subject(before)) != _subject_fields(pod_subject(moved)), what


def test_a_readiness_flip_keeps_the_namespace_posture_object() -> None:
    cluster = Cluster(_base())
    held = cluster.index.by_namespace["a"]
    assert cluster.event("MODIFIED", pod("web", "a", {"app": "web"}, ip="10.0.0.1", ready=False)) == set()
    assert cluster.index.by_namespace["a"] is held
    assert cluster.event("MODIFIED", pod("web", "a", {"app": "web", "v": "2"}, ip="10.0.0.1")) <= {"a"}
    assert cluster.index.by_namespace["a"] is not held
    assert cluster.index.by_namespace == cluster.fresh()


def test_namespace_subjects_keep_a_pods_subject_over_a_readiness_flip() -> None:
    """The engine's subject cache: a flipped pod keeps its Subject object (answers kept by it
    hold: alike classes, egress destinations); a pod that moved gets a new one, with the move."""
    from ktui.analysis.core.subjects import namespace_subjects

    state = ClusterState()
    cache: dict[Any, Any] = {}

    def put(**over: Any) -> Any:
        doc = pod(**{"name": "web", "ns": "a", "labels": {"app": "web"}, "ip": "10.0.0.1", **over})
        state.apply(Event("MODIFIED" if state.count("Pod") else "ADDED", "Pod",
                          decode_document(doc, "default")[1]))
        return namespace_subjects(state, "a", cache)[0]

    first = put()
    assert put(ready=False) is first
    moved = put(ready=False, labels={"app": "web", "v": "2"})
    assert moved is not first and dict(moved.labels) == {"app": "web", "v": "2"}
    assert put(ready=True, labels={"app": "web", "v": "2"}, ip="10.0.0.7") is not moved
