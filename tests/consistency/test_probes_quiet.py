"""The egress probes across readiness flips: PostureIndex.update tells them the flips moved no
Subject, so the next policy change does not rebuild every flipped namespace's subjects to find
the same classes (at 10,000 pods and 500 flips/s that rebuild was most of a policy change's
cost); a change they were not told of still makes them look again."""

from __future__ import annotations

import pytest

from ktui.analysis.policy.egress_probes import Probes, probes
from ktui.analysis.posture import PostureIndex
from ktui.store import ClusterState
from tests.check.kit import namespace, netpol, pod
from tests.conftest import apply_doc

PODS = (("pa", "a", "10.0.0.1"), ("db", "db", "10.0.0.9"))


def _state() -> ClusterState:
    state = ClusterState()
    for doc in (namespace("a"), *(pod(name, "a", {"app": app}, ip) for name, app, ip in PODS),
                netpol("egress-to-db", "a", {"app": "a"}, types=["Egress"],
                       egress=[{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}])):
        apply_doc(state, "ADDED", doc)
    return state


def _flip(state: ClusterState, ready: bool) -> list:  # type: ignore[type-arg]
    return [apply_doc(state, "MODIFIED", pod(name, "a", {"app": app}, ip, ready=ready)) for name, app, ip in PODS]


def _refuse(monkeypatch: pytest.MonkeyPatch, found: Probes) -> None:
    def refuse(ns: str) -> None:
        raise AssertionError(f"the probes rebuilt the classes of {ns}")

    monkeypatch.setattr(found, "_classes", refuse)


def test_readiness_flips_leave_the_probes_current(monkeypatch: pytest.MonkeyPatch) -> None:
    state = _state()
    index = PostureIndex(state)
    found = probes(index.engine)
    held = found.per_ns["a"][1]
    index.update(_flip(state, False))
    index.update(_flip(state, True))
    assert found.per_ns["a"] == (state.namespace_version("a"), held)
    _refuse(monkeypatch, found)
    found.refresh()  # nothing to look at again
    monkeypatch.undo()
    # a policy change after the flips: the same answers as a fresh build
    index.update([apply_doc(state, "DELETED", netpol("egress-to-db", "a", {"app": "a"}, types=["Egress"],
                                                      egress=[]))])
    assert index.by_namespace == PostureIndex(state).by_namespace


def test_a_change_the_probes_were_not_told_of_makes_them_look_again(monkeypatch: pytest.MonkeyPatch) -> None:
    state = _state()
    index = PostureIndex(state)
    found = probes(index.engine)
    before = found.per_ns["a"][0]
    apply_doc(state, "ADDED", pod("web", "a", {"app": "web"}, "10.0.0.5"))  # not given to the index
    index.update(_flip(state, False))
    assert found.per_ns["a"][0] == before  # not marked current: the pod above is not in its classes
    looked: list[str] = []
    classes = found._classes
    monkeypatch.setattr(found, "_classes", lambda ns: looked.append(ns) or classes(ns))
    found.refresh()
    assert looked == ["a"]
    assert {s.name for _k, s in found.per_ns["a"][1]} >= {"web"}
