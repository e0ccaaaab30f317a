"""A DNS pod's readiness flip or status update moves no DNS flag: PostureIndex.update patches
that pod alone (no recompute of every namespace), and still equals a full recompute. A DNS pod
that stays the same target for every tier (a label no rule reads, a new IP no rule names) moves
nothing; one whose IP an egress ipBlock names asks the DNS part again, without a full recompute."""

from __future__ import annotations

from typing import Any

from ktui.analysis.posture import PostureIndex
from ktui.store import ClusterState
from tests.conftest import apply_doc
from tests.consistency.test_posture_index import _pod

DENY_DNS = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "only-dns", "namespace": "a"},
            "spec": {"podSelector": {}, "policyTypes": ["Egress"],
                     "egress": [{"to": [{"ipBlock": {"cidr": "10.1.2.1/32"}}]}]}}


def _dns(ip: int, ready: str, extra: dict[str, str] | None = None) -> dict[str, Any]:
    doc = _pod("kube-system", "coredns-0", {"app": "dns", **(extra or {})}, "Running", ip, "rs1", True, False)
    doc["status"]["conditions"] = [{"type": "Ready", "status": ready}]
    return doc


def test_a_dns_pod_readiness_flip_touches_only_that_pod() -> None:
    state = ClusterState()
    for doc in (_dns(1, "True"), _pod("a", "web", {"app": "web"}, "Running", 3, None, False, False), DENY_DNS):
        apply_doc(state, "ADDED", doc)
    index = PostureIndex(state)
    assert index.by_namespace["a"].dns_blocked == 0  # DNS reached by its ipBlock
    full: list[object] = []
    recompute = index.recompute
    index.recompute = lambda ns, keep_memo=False: (full.append(ns), recompute(ns, keep_memo))[1]  # type: ignore[method-assign]

    changed = index.update([apply_doc(state, "MODIFIED", _dns(1, "False"))])
    assert None not in full and "a" not in changed
    assert index.by_namespace == PostureIndex(state).by_namespace

    changed = index.update([apply_doc(state, "MODIFIED", _dns(1, "False", {"bench": "v1"}))])  # read by no rule
    assert None not in full and "a" not in changed
    assert index.by_namespace == PostureIndex(state).by_namespace

    changed = index.update([apply_doc(state, "MODIFIED", _dns(2, "False"))])  # its IP moved: DNS blocked in a
    assert None not in full and "a" in changed
    assert index.by_namespace["a"].dns_blocked == 1
    assert index.by_namespace == PostureIndex(state).by_namespace

    changed = index.update([apply_doc(state, "MODIFIED", _dns(1, "True"))])  # back: DNS reached again
    assert None not in full and "a" in changed
    assert index.by_namespace["a"].dns_blocked == 0
    assert index.by_namespace == PostureIndex(state).by_namespace


def _watched(index: PostureIndex) -> list[object]:
    """The namespaces of every recompute the index runs from now on (None: all of them)."""
    full: list[object] = []
    recompute = index.recompute
    index.recompute = lambda ns, keep_memo=False: (full.append(ns), recompute(ns, keep_memo))[1]  # type: ignore[method-assign]
    return full


def _named(name: str, ip: int, hash_: str, port_name: str = "dns") -> dict[str, Any]:
    doc = _pod("kube-system", name, {"pod-template-hash": hash_}, "Running", ip, "rs1", True, False)
    doc["spec"]["containers"][0]["ports"] = [{"containerPort": 53, "protocol": "UDP", "name": port_name}]
    return doc


BY_NAMED_PORT = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                 "metadata": {"name": "dns-by-name", "namespace": "a"},
                 "spec": {"podSelector": {}, "policyTypes": ["Egress"],
                          "egress": [{"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {
                              "k8s-app": "kube-dns"}}}], "ports": [{"port": "dns", "protocol": "UDP"}]}]}}


def test_a_rolled_dns_pod_moves_nothing() -> None:
    """CoreDNS rolls: a new pod (new name, IP, template hash) comes, the old one goes. Every tier
    sees the same target, so only kube-system (where the pods live) is rebuilt."""
    state = ClusterState()
    for doc in (_named("coredns-a", 1, "h1"), _pod("a", "web", {"app": "web"}, "Running", 5, None, False, False),
                BY_NAMED_PORT):
        apply_doc(state, "ADDED", doc)
    index = PostureIndex(state)
    assert index.by_namespace["a"].dns_blocked == 0
    full = _watched(index)
    index.update([apply_doc(state, "ADDED", _named("coredns-b", 2, "h2"))])
    index.update([apply_doc(state, "DELETED", _named("coredns-a", 1, "h1"))])
    assert [str(d) for d in index.dns_pods] == ["kube-system/coredns-b"]
    assert None not in full and all(ns == {"kube-system"} for ns in full)
    assert index.by_namespace == PostureIndex(state).by_namespace


def _named_port_world() -> tuple[ClusterState, PostureIndex, list[object]]:
    """One CoreDNS pod reached by a rule naming its port, a web pod in a; the index watched."""
    state = ClusterState()
    for doc in (_named("coredns-a", 1, "h1"), _pod("a", "web", {"app": "web"}, "Running", 5, None, False, False),
                BY_NAMED_PORT):
        apply_doc(state, "ADDED", doc)
    index = PostureIndex(state)
    return state, index, _watched(index)


def test_a_dns_pod_losing_its_named_port_blocks_dns() -> None:
    """The rule allows the port by name: a DNS pod whose port is named otherwise is not reached."""
    state, index, full = _named_port_world()
    changed = index.update([apply_doc(state, "MODIFIED", _named("coredns-a", 1, "h1", port_name="domain"))])
    assert None not in full and "a" in changed
    assert index.by_namespace["a"].dns_blocked == 1
    assert index.by_namespace == PostureIndex(state).by_namespace


def test_a_policy_guarding_the_dns_pods_moves_the_dns_flag_elsewhere() -> None:
    """A policy of kube-system that lets only namespace b reach the DNS pods blocks DNS for a's
    pods; a policy there that selects other pods moves nothing outside kube-system."""
    state, index, full = _named_port_world()

    def guard(select: dict[str, str]) -> dict[str, Any]:
        return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "guard", "namespace": "kube-system"},
                "spec": {"podSelector": {"matchLabels": select}, "policyTypes": ["Ingress"], "ingress": [{"from": [
                    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "b"}}}]}]}}

    changed = index.update([apply_doc(state, "ADDED", guard({"app": "other"}))])
    assert "a" not in changed and index.by_namespace["a"].dns_blocked == 0
    changed = index.update([apply_doc(state, "MODIFIED", guard({"k8s-app": "kube-dns"}))])
    assert None not in full and "a" in changed
    assert index.by_namespace["a"].dns_blocked == 1
    assert index.by_namespace == PostureIndex(state).by_namespace


def test_the_last_dns_pod_gone_the_stand_in_answers() -> None:
    """Rules reach this DNS by a label of its own; the kube-dns stand-in does not carry it."""
    state = ClusterState()
    custom = _named("coredns-a", 1, "h1")
    custom["metadata"]["labels"]["app"] = "custom"
    by_label = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "dns-by-label", "namespace": "a"},
                "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{
                    "namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "custom"}}}],
                    "ports": [{"port": 53, "protocol": "UDP"}]}]}}
    for doc in (custom, _pod("a", "web", {"app": "web"}, "Running", 5, None, False, False), by_label):
        apply_doc(state, "ADDED", doc)
    index = PostureIndex(state)
    assert index.by_namespace["a"].dns_blocked == 0
    changed = index.update([apply_doc(state, "DELETED", custom)])
    assert index.dns_pods == [] and "a" in changed and index.by_namespace["a"].dns_blocked == 1
    assert index.by_namespace == PostureIndex(state).by_namespace


def test_with_no_dns_pod_a_policy_of_kube_system_guards_the_stand_in() -> None:
    """No DNS pod in view: the answers ask the kube-dns stand-in in kube-system, so a policy there
    that shuts the stand-in's ingress blocks DNS elsewhere (found by the DNS event machine)."""
    state = ClusterState()
    for doc in (_pod("a", "web", {"app": "web"}, "Running", 5, None, False, False), BY_NAMED_PORT):
        apply_doc(state, "ADDED", doc)
    index = PostureIndex(state)
    assert index.dns_pods == [] and index.by_namespace["a"].dns_blocked == 0
    full = _watched(index)
    shut = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "shut", "namespace": "kube-system"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}
    changed = index.update([apply_doc(state, "ADDED", shut)])
    assert None not in full and "a" in changed and index.by_namespace["a"].dns_blocked == 1
    assert index.by_namespace == PostureIndex(state).by_namespace
