"""A DNS pod's readiness flip or status update moves no DNS flag: PostureIndex.update patches
that pod alone (no recompute of every namespace), and still equals a full recompute; a DNS
pod whose labels or IPs change does recompute everything."""

from __future__ import annotations

from typing import Any

from ktui.analysis.posture import PostureIndex
from ktui.model.decode import decode_document
from ktui.store import Change, ClusterState, Event
from tests.consistency.test_posture_index import _pod

DENY_DNS = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "only-dns", "namespace": "a"},
            "spec": {"podSelector": {}, "policyTypes": ["Egress"],
                     "egress": [{"to": [{"ipBlock": {"cidr": "10.1.2.1/32"}}]}]}}


def _apply(state: ClusterState, verb: str, doc: dict[str, Any]) -> Change:
    info, obj = decode_document(doc, "default")
    assert info is not None
    change = state.apply(Event(verb, info.kind, obj))
    assert change is not None
    return change


def _dns(ip: int, ready: str, extra: dict[str, str] | None = None) -> dict[str, Any]:
    doc = _pod("kube-system", "coredns-0", {"app": "dns", **(extra or {})}, "Running", ip, "rs1", True, False)
    doc["status"]["conditions"] = [{"type": "Ready", "status": ready}]
    return doc


def test_a_dns_pod_readiness_flip_touches_only_that_pod() -> None:
    state = ClusterState()
    for doc in (_dns(1, "True"), _pod("a", "web", {"app": "web"}, "Running", 3, None, False, False), DENY_DNS):
        _apply(state, "ADDED", doc)
    index = PostureIndex(state)
    assert index.by_namespace["a"].dns_blocked == 0  # DNS reached by its ipBlock
    full: list[object] = []
    recompute = index.recompute
    index.recompute = lambda ns, keep_memo=False: (full.append(ns), recompute(ns, keep_memo))[1]  # type: ignore[method-assign]

    changed = index.update([_apply(state, "MODIFIED", _dns(1, "False"))])
    assert None not in full and "a" not in changed
    assert index.by_namespace == PostureIndex(state).by_namespace

    changed = index.update([_apply(state, "MODIFIED", _dns(2, "False"))])  # its IP moved: DNS blocked in a
    assert None in full and "a" in changed
    assert index.by_namespace["a"].dns_blocked == 1
    assert index.by_namespace == PostureIndex(state).by_namespace
