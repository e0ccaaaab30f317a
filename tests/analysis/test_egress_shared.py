"""egress_posture shares one answer between the pods whose answer rests on the same things (the
egress side, the tiers' unknown reasons, how the DNS targets' ingress rules see the pod, which
targets): pods that differ in any of these must still get their own answer. And the DNS pods
those answers ask come in an order no event history changes."""

from __future__ import annotations

from typing import Any

from ktui.analysis.core.subjects import Subject, namespace_subjects
from ktui.analysis.policy import EgressPosture, PolicyEngine, dns_subjects, egress_posture
from ktui.model.decode import decode_document
from ktui.store import ClusterState, Event

Doc = dict[str, Any]


def _state(docs: list[Doc]) -> ClusterState:
    state = ClusterState()
    for doc in docs:
        info, obj = decode_document(doc, "default")
        assert info is not None
        state.apply(Event("ADDED", info.kind, obj))
    return state


def _pod(ns: str, name: str, labels: dict[str, str], ip: str, ports: list[Doc] | None = None) -> Doc:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"containers": [{"name": "c", "ports": ports or []}]},
            "status": {"phase": "Running", "podIP": ip}}


def _netpol(ns: str, name: str, spec: Doc) -> Doc:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": ns}, "spec": spec}


DNS_PORTS = [{"containerPort": 53, "protocol": "UDP", "name": "dns"}]
# every pod of a: egress only to the DNS pods, on 53 (one egress side for all of them)
ONLY_DNS = _netpol("a", "only-dns", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{
    "to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
    "ports": [{"port": 53, "protocol": "UDP"}]}]})


def _answers(docs: list[Doc]) -> tuple[dict[str, EgressPosture], dict[str, EgressPosture]]:
    """Each pod of a: asked of one engine in turn (shared answers), and each of its own engine."""
    state = _state(docs)
    dns = dns_subjects(state)
    engine = PolicyEngine(state)
    pods: list[Subject] = namespace_subjects(state, "a")
    shared = {s.name: egress_posture(engine, s, dns) for s in pods}
    alone = {s.name: egress_posture(PolicyEngine(state), s, dns) for s in pods}
    return shared, alone


def test_the_dns_pods_ingress_tells_apart_pods_of_one_egress_side() -> None:
    """The DNS pods admit only app=web: web reaches DNS, batch (same egress side) does not."""
    guard = _netpol("kube-system", "guard", {"podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                                              "policyTypes": ["Ingress"], "ingress": [{"from": [{
                                                  "namespaceSelector": {}, "podSelector": {"matchLabels": {
                                                      "app": "web"}}}]}]})
    shared, alone = _answers([
        _pod("kube-system", "coredns-0", {"k8s-app": "kube-dns"}, "10.0.0.2", DNS_PORTS),
        _pod("a", "web", {"app": "web"}, "10.0.1.1"), _pod("a", "batch", {"app": "batch"}, "10.0.1.2"),
        ONLY_DNS, guard])
    assert shared["web"].dns and not shared["batch"].dns
    assert shared == alone


def test_the_dns_pods_ingress_by_address_tells_apart_pods_of_one_label_set() -> None:
    """The DNS pods admit one address: two pods with the same labels answer apart by their IPs."""
    guard = _netpol("kube-system", "guard", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{
        "from": [{"ipBlock": {"cidr": "10.0.1.1/32"}}]}]})
    shared, alone = _answers([
        _pod("kube-system", "coredns-0", {"k8s-app": "kube-dns"}, "10.0.0.2", DNS_PORTS),
        _pod("a", "web-1", {"app": "web"}, "10.0.1.1"), _pod("a", "web-2", {"app": "web"}, "10.0.1.2"),
        ONLY_DNS, guard])
    assert shared["web-1"].dns and not shared["web-2"].dns
    assert shared == alone


def test_pods_of_one_side_keep_their_own_policies() -> None:
    """Same rules (a deny-all adds none), other policies: one answer, each pod's policy list."""
    deny = _netpol("a", "deny-all", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"]})
    shared, alone = _answers([
        _pod("kube-system", "coredns-0", {"k8s-app": "kube-dns"}, "10.0.0.2", DNS_PORTS),
        _pod("a", "web", {"app": "web"}, "10.0.1.1"), _pod("a", "batch", {"app": "batch"}, "10.0.1.2"),
        ONLY_DNS, deny])
    assert shared["web"].policies == ("a/deny-all", "a/only-dns") and shared["batch"].policies == ("a/only-dns",)
    assert shared["web"].cls == shared["batch"].cls and shared["web"].dns and shared["batch"].dns
    assert shared == alone


def test_the_dns_pods_come_by_label_then_namespace_then_name_whatever_the_order_of_events() -> None:
    """dns_subjects reads the store's label index: the order does not follow the events (a
    relabelled pod used to move to the end), so every view names the same DNS pod first."""
    docs = [_pod("kube-system", "coredns-b", {"k8s-app": "kube-dns"}, "10.0.0.3", DNS_PORTS),
            _pod("dns", "coredns-a", {"k8s-app": "coredns"}, "10.0.0.4", DNS_PORTS),
            _pod("a-dns", "local", {"app.kubernetes.io/name": "coredns"}, "10.0.0.5", DNS_PORTS),
            _pod("kube-system", "coredns-a", {"k8s-app": "kube-dns"}, "10.0.0.2", DNS_PORTS)]
    expected = ["kube-system/coredns-a", "kube-system/coredns-b", "dns/coredns-a", "a-dns/local"]
    state = _state(docs)
    assert [str(d) for d in dns_subjects(state)] == expected
    relabelled = {**docs[3], "metadata": {**docs[3]["metadata"], "labels": {"k8s-app": "kube-dns", "bench": "v1"}}}
    info, obj = decode_document(relabelled, "default")
    assert info is not None
    state.apply(Event("MODIFIED", info.kind, obj))
    assert [str(d) for d in dns_subjects(state)] == expected
