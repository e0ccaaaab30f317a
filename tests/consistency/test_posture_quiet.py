"""PostureIndex.update's quiet path: a batch of readiness flips (nothing any policy reads changes)
patches the pods in place without refreshing the in-cluster probes, and equals a fresh build;
a pod that comes (a new peer) still moves the class of the pods whose rules it matches."""

from __future__ import annotations

import pytest

from ktui.analysis.posture import PostureIndex
from ktui.store import ClusterState
from tests.check.kit import namespace, netpol, pod
from tests.conftest import apply_doc


def _state() -> ClusterState:
    state = ClusterState()
    for doc in (namespace("a"), pod("pa", "a", {"app": "a"}, "10.0.0.1"),
                netpol("egress-to-db", "a", {"app": "a"}, types=["Egress"],
                       egress=[{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}])):
        apply_doc(state, "ADDED", doc)
    return state


def _classes(index: PostureIndex) -> dict[str, str]:
    return {p.subject.name: p.egress.cls.value for p in index.by_namespace["a"].pods}


def test_a_new_peer_moves_the_class_of_the_pods_it_opens_to() -> None:
    state = _state()
    index = PostureIndex(state)
    assert _classes(index) == {"pa": "denied"}
    index.update([apply_doc(state, "ADDED", pod("db", "a", {"app": "db"}, "10.0.0.9"))])
    assert _classes(index) == _classes(PostureIndex(state)) == {"pa": "cluster", "db": "open"}


def test_readiness_flips_patch_in_place_without_asking_the_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    state = _state()
    apply_doc(state, "ADDED", pod("db", "a", {"app": "db"}, "10.0.0.9"))
    index = PostureIndex(state)

    def refuse() -> None:
        raise AssertionError("the probes were asked for a readiness flip")

    monkeypatch.setattr(index, "_egress_moved", refuse)
    flips = [apply_doc(state, "MODIFIED", pod(name, "a", {"app": app}, ip, ready=False))
             for name, app, ip in (("pa", "a", "10.0.0.1"), ("db", "db", "10.0.0.9"))]
    index.update(flips)
    assert index.by_namespace == PostureIndex(state).by_namespace
