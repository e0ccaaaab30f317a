"""PostureIndex.update equals a full recompute when the DNS pods come, go, roll and change
(hypothesis stateful), against policies that read them: egress rules to the DNS pods by labels,
namespace, named port and ipBlock, and ingress policies guarding the DNS pods themselves.

The index asks nothing again while the DNS pods stay the same target for every tier
(posture_dns) and only the DNS part of the restricted answers otherwise; this machine is where
a wrong "same target" shows up as a DNS flag or an egress class that differs from a fresh index.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ktui.analysis.posture import PostureIndex
from ktui.model.decode import decode_document
from ktui.store import Change, ClusterState, Event
from tests.consistency.test_posture_index import _pod

DNS_LABELS = [("k8s-app", "kube-dns"), ("k8s-app", "coredns"), ("app.kubernetes.io/name", "coredns")]
DNS_PODS = ["coredns-0", "coredns-1"]
PORTS_53 = [[{"port": 53, "protocol": "UDP"}], [{"port": "dns", "protocol": "UDP"}], [{"port": 53, "protocol": "TCP"}],
            []]

to_dns = st.sampled_from([
    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
     "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}},
    {"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "coredns"}}},
    {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "x"}}},
    {"namespaceSelector": {"matchLabels": {"team": "x"}}},
    {"podSelector": {}},
    {"ipBlock": {"cidr": "10.1.2.1/32"}},
    {"ipBlock": {"cidr": "10.1.2.0/30"}},
])
from_peers = st.sampled_from([
    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "a"}}},
    {"namespaceSelector": {"matchLabels": {"team": "x"}}},
    {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "x"}}},
    {"ipBlock": {"cidr": "10.1.2.4/30"}},
    {"podSelector": {}},
])
dns_selectors = st.sampled_from([{}, {"matchLabels": {"k8s-app": "kube-dns"}}, {"matchLabels": {"app": "x"}},
                                 {"matchLabels": {"bench": "v1"}}])


class DnsMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state = ClusterState()
        self.pending: list[Change] = []
        for ns in ("a", "kube-system"):
            self._apply("ADDED", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        for i, labels in enumerate(({"app": "x"}, {"app": "y"}, {})):
            self._apply("ADDED", _pod("a", f"web-{i}", labels, "Running", 4 + i, None, False, False))
        self.put_dns_pod("kube-system", "coredns-0", DNS_LABELS[0], None, None, 1, True, True)
        self.egress_policy("e0", {}, [{"ipBlock": {"cidr": "10.1.2.1/32"}}], [], True)
        self.index = PostureIndex(self.state)
        self.pending = []

    def _apply(self, verb: str, doc: dict[str, Any]) -> None:
        info, obj = decode_document(doc, "default")
        assert info is not None
        change = self.state.apply(Event(verb, info.kind, obj))
        if change is not None:
            self.pending.append(change)

    def _delete(self, kind: str, ns: str, name: str) -> None:
        old = self.state.get(kind, ns, name)
        if old is not None:
            change = self.state.apply(Event("DELETED", kind, old))
            if change is not None:
                self.pending.append(change)

    @rule(ns=st.sampled_from(["kube-system", "kube-system", "a"]), name=st.sampled_from(DNS_PODS),
          dns=st.sampled_from(DNS_LABELS), app=st.sampled_from([None, "x"]), extra=st.sampled_from([None, "v1", "v2"]),
          ip=st.one_of(st.none(), st.integers(1, 3)), ready=st.booleans(), named=st.booleans())
    def put_dns_pod(self, ns: str, name: str, dns: tuple[str, str], app: str | None, extra: str | None,
                    ip: int | None, ready: bool, named: bool) -> None:
        labels = {dns[0]: dns[1], **({"app": app} if app else {}), **({"bench": extra} if extra else {})}
        doc = _pod(ns, name, labels, "Running", ip, "rs-dns", False, False)
        if not named:  # port 53 without the name "dns": a rule by name no longer reaches it
            doc["spec"]["containers"][0]["ports"] = [{"containerPort": 53, "protocol": "UDP"}]
        doc["status"]["conditions"] = [{"type": "Ready", "status": str(ready)}]
        self._apply("MODIFIED" if self.state.get("Pod", ns, name) is not None else "ADDED", doc)

    @rule(ns=st.sampled_from(["kube-system", "a"]), name=st.sampled_from(DNS_PODS))
    def delete_dns_pod(self, ns: str, name: str) -> None:
        self._delete("Pod", ns, name)

    @rule(name=st.sampled_from(["e0", "e1"]), select=st.sampled_from([{}, {"matchLabels": {"app": "x"}}]),
          to=st.lists(to_dns, min_size=1, max_size=2), ports=st.sampled_from(PORTS_53), present=st.booleans())
    def egress_policy(self, name: str, select: dict[str, Any], to: list[dict[str, Any]],
                      ports: list[dict[str, Any]], present: bool) -> None:
        """The web pods' egress: to the DNS pods, by some reading of them, or not at all."""
        if not present:
            self._delete("NetworkPolicy", "a", name)
            return
        rule_: dict[str, Any] = {"to": to, **({"ports": ports} if ports else {})}
        self._apply("MODIFIED" if self.state.get("NetworkPolicy", "a", name) is not None else "ADDED", {
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": "a"},
            "spec": {"podSelector": select, "policyTypes": ["Egress"], "egress": [rule_]}})

    @rule(select=dns_selectors, peers=st.lists(from_peers, max_size=2), present=st.booleans())
    def dns_ingress_policy(self, select: dict[str, Any], peers: list[dict[str, Any]], present: bool) -> None:
        """A policy of the DNS namespace guarding (or not) the DNS pods' ingress."""
        if not present:
            self._delete("NetworkPolicy", "kube-system", "guard")
            return
        verb = "MODIFIED" if self.state.get("NetworkPolicy", "kube-system", "guard") is not None else "ADDED"
        self._apply(verb, {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                           "metadata": {"name": "guard", "namespace": "kube-system"},
                           "spec": {"podSelector": select, "policyTypes": ["Ingress"],
                                    "ingress": [{"from": peers}] if peers else []}})

    @rule(ns=st.sampled_from(["kube-system", "a"]), team=st.sampled_from([None, "x"]))
    def label_namespace(self, ns: str, team: str | None) -> None:
        """The DNS pods' namespace, or the web pods': what namespaceSelectors match moves."""
        self._apply("MODIFIED", {"apiVersion": "v1", "kind": "Namespace",
                                 "metadata": {"name": ns, "labels": {"team": team} if team else {}}})

    @invariant()
    def update(self) -> None:
        """Each step is one batch (the other machine, test_posture_index, mixes them)."""
        if not self.pending:
            return
        before = dict(self.index.by_namespace)
        changed = self.index.update(self.pending)
        self.pending = []
        fresh = PostureIndex(self.state)
        assert self.index.by_namespace == fresh.by_namespace
        assert [str(d) for d in self.index.dns_pods] == [str(d) for d in fresh.dns_pods]
        assert {ns for ns in fresh.by_namespace if before.get(ns) != fresh.by_namespace[ns]} <= changed


DnsMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)
TestDnsEvents = DnsMachine.TestCase
