"""What the policy engine keeps across state versions, and what moves it (issue 13).

Tiers read policies, namespaces and the subject asked about, never other pods: a pod or workload
event keeps the tiers (and so every selection and address table); a policy or namespace event
rebuilds them. The store counts changes per kind and per namespace for this.
"""

from __future__ import annotations

from typing import Any

from ktui.analysis.policy import PolicyEngine
from ktui.model.decode import decode_document
from ktui.store import ClusterState, Event
from tests.check.kit import deployment, namespace, netpol, pod


def _apply(state: ClusterState, verb: str, doc: dict[str, Any]) -> None:
    info, obj = decode_document(doc, "default")
    assert info is not None
    state.apply(Event(verb, info.kind, obj))  # type: ignore[arg-type]


def test_store_counts_changes_per_kind_and_namespace() -> None:
    state = ClusterState()
    _apply(state, "ADDED", pod("web", "a"))
    _apply(state, "ADDED", netpol("p", "b"))
    _apply(state, "MODIFIED", pod("web", "a", {"app": "web", "v": "2"}))
    state.set_unseen("Secret", "forbidden")
    assert (state.kind_version("Pod"), state.kind_version("NetworkPolicy"), state.kind_version("")) == (2, 1, 1)
    assert (state.namespace_version("a"), state.namespace_version("b")) == (2, 1)
    assert state.version == 4  # every change counted once, in one kind


def test_pod_and_workload_events_keep_the_tiers_policy_events_rebuild_them() -> None:
    state = ClusterState()
    for doc in (namespace("a"), pod("web", "a"), netpol("p", "a", {"app": "web"}, types=["Egress"], egress=[])):
        _apply(state, "ADDED", doc)
    engine = PolicyEngine(state)
    tiers = engine.tiers()
    _apply(state, "ADDED", pod("web-2", "a", {"app": "web"}))
    _apply(state, "ADDED", deployment("api", "a"))
    assert engine.tiers() is tiers
    _apply(state, "MODIFIED", netpol("p", "a", {"app": "web"}, types=["Egress"], egress=[{}]))
    rebuilt = engine.tiers()
    assert rebuilt is not tiers
    _apply(state, "MODIFIED", namespace("a", team="x"))
    assert engine.tiers() is not rebuilt
