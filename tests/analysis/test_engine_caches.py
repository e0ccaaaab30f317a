"""What the policy engine keeps across state versions, and what moves it (issue 13).

Tiers read policies, namespaces and the subject asked about, never other pods: a pod or workload
event keeps the tiers (and so every selection and address table); a policy or namespace event
rebuilds them. The store counts changes per kind and per namespace for this.
"""

from __future__ import annotations

from ktui.analysis.policy import PolicyEngine
from ktui.store import ClusterState
from tests.check.kit import deployment, namespace, netpol, pod
from tests.conftest import apply_doc


def test_store_counts_changes_per_kind_and_namespace() -> None:
    state = ClusterState()
    apply_doc(state, "ADDED", pod("web", "a"))
    apply_doc(state, "ADDED", netpol("p", "b"))
    apply_doc(state, "MODIFIED", pod("web", "a", {"app": "web", "v": "2"}))
    state.set_unseen("Secret", "forbidden")
    assert (state.kind_version("Pod"), state.kind_version("NetworkPolicy"), state.kind_version("")) == (2, 1, 1)
    assert (state.namespace_version("a"), state.namespace_version("b")) == (2, 1)
    assert state.version == 4  # every change counted once, in one kind


def test_pod_and_workload_events_keep_the_tiers_policy_events_rebuild_them() -> None:
    state = ClusterState()
    for doc in (namespace("a"), pod("web", "a"), netpol("p", "a", {"app": "web"}, types=["Egress"], egress=[])):
        apply_doc(state, "ADDED", doc)
    engine = PolicyEngine(state)
    tiers = engine.tiers()
    apply_doc(state, "ADDED", pod("web-2", "a", {"app": "web"}))
    apply_doc(state, "ADDED", deployment("api", "a"))
    assert engine.tiers() is tiers
    apply_doc(state, "MODIFIED", netpol("p", "a", {"app": "web"}, types=["Egress"], egress=[{}]))
    rebuilt = engine.tiers()
    assert rebuilt is not tiers
    apply_doc(state, "MODIFIED", namespace("a", team="x"))
    assert engine.tiers() is not rebuilt
