"""PostureIndex.update's quiet path: a batch of readiness flips (nothing any policy reads changes)
patches the pods in place without refreshing the in-cluster probes, and equals a fresh build;
a pod that comes (a new peer) still moves the class of the pods whose rules it matches."""

from __future__ import annotations

from typing import Any

import pytest

from ktui.analysis.posture import PostureIndex
from ktui.model.decode import decode_document
from ktui.store import Change, ClusterState, Event
from tests.check.kit import namespace, netpol, pod


def _apply(state: ClusterState, verb: str, doc: dict[str, Any]) -> Change:
    info, obj = decode_document(doc, "default")
    assert info is not None
    change = state.apply(Event(verb, info.kind, obj))  # type: ignore[arg-type]
    assert change is not None
    return change


def _state() -> ClusterState:
    state = ClusterState()
    for doc in (namespace("a"), pod("pa", "a", {"app": "a"}, "10.0.0.1"),
                netpol("egress-to-db", "a", {"app": "a"}, types=["Egress"],
                       egress=[{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}])):
        _apply(state, "ADDED", doc)
    return state


def _classes(index: PostureIndex) -> dict[str, str]:
    return {p.subject.name: p.egress.cls.value for p in index.by_namespace["a"].pods}


def test_a_new_peer_moves_the_class_of_the_pods_it_opens_to() -> None:
    state = _state()
    index = PostureIndex(state)
    assert _classes(index) == {"pa": "denied"}
    index.update([_apply(state, "ADDED", pod("db", "a", {"app": "db"}, "10.0.0.9"))])
    assert _classes(index) == _classes(PostureIndex(state)) == {"pa": "cluster", "db": "open"}


def test_readiness_flips_patch_in_place_without_asking_the_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    state = _state()
    _apply(state, "ADDED", pod("db", "a", {"app": "db"}, "10.0.0.9"))
    index = PostureIndex(state)

    def refuse() -> None:
        raise AssertionError("the probes were asked for a readiness flip")

    monkeypatch.setattr(index, "_egress_moved", refuse)
    flips = [_apply(state, "MODIFIED", pod(name, "a", {"app": app}, ip, ready=False))
             for name, app, ip in (("pa", "a", "10.0.0.1"), ("db", "db", "10.0.0.9"))]
    index.update(flips)
    assert index.by_namespace == PostureIndex(state).by_namespace
