"""The change feed's workload postures are kept while a namespace's posture is equal and the
policy stamp holds (each background result snapshots every namespace it moved; grouping the pods
by workload again each time held the UI thread), and a kept snapshot equals one taken afresh."""

from __future__ import annotations

import pytest

from ktui.analysis.posture_changes import snapshot
from ktui.model.decode import decode_document
from ktui.store import Event
from ktui.tui import changes
from ktui.tui.bridge import Bridge
from ktui.tui.changes import ChangeTracker

from .conftest import CLUSTER, StillSource


def _bridge() -> Bridge:
    bridge = Bridge(StillSource([str(CLUSTER)]))
    bridge.start()
    bridge.poll()
    return bridge


def _put(bridge: Bridge, doc: dict[str, object]) -> None:
    info, obj = decode_document(doc, "default")
    assert info is not None
    bridge.source.queue.put(Event("MODIFIED" if bridge.state.get(info.kind, obj.metadata.namespace,
                                                                  obj.metadata.name) else "ADDED", info.kind, obj))
    assert bridge.poll() is not None


def test_workloads_kept_while_the_posture_is_equal_and_asked_again_after_a_policy(
        monkeypatch: pytest.MonkeyPatch) -> None:
    bridge = _bridge()
    tracker = ChangeTracker(bridge)
    grouped: list[str] = []
    real = changes.workload_postures
    monkeypatch.setattr(changes, "workload_postures", lambda np, state: (grouped.append(np.namespace),
                                                                          real(np, state))[1])
    first = tracker._snapshot("shop")
    assert grouped == ["shop"]
    assert first == snapshot(bridge.namespace("shop"), bridge.state, "shop")
    again = tracker._snapshot("shop")
    assert again == first and grouped == ["shop"]  # kept
    _put(bridge, {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                  "metadata": {"name": "all-out", "namespace": "shop"},
                  "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]}})
    moved = tracker._snapshot("shop")
    assert grouped == ["shop", "shop"]  # the stamp moved: grouped again
    assert moved == snapshot(bridge.namespace("shop"), bridge.state, "shop") != first


def test_a_background_result_keeps_the_held_workloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """A background result moves hosts and findings only: the namespaces it moved keep the
    workloads their last posture snapshot grouped (not grouped again on the UI thread)."""
    bridge = _bridge()
    tracker = ChangeTracker(bridge)
    held = {ns: tracker._snapshot(ns) for ns in bridge.posture.by_namespace}
    tracker._snaps.update(held)
    grouped: list[str] = []
    monkeypatch.setattr(changes, "workload_postures", lambda np, state: grouped.append(np.namespace) or {})
    tracker.on_overlay({"shop"})  # the first result: every namespace
    other = next(ns for ns in held if ns != "shop")
    _put(bridge, {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",  # the policy stamp moves
                  "metadata": {"name": "all-out", "namespace": other},
                  "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]}})
    tracker.on_overlay({"shop"})
    assert grouped == []
    assert all(tracker._snaps[ns].workloads is held[ns].workloads for ns in held)
    assert tracker._snaps["shop"].workloads == snapshot(bridge.namespace("shop"), bridge.state, "shop").workloads
