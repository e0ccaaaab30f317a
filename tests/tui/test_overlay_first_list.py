"""The overlay's child process computes nothing while the first list is still coming (an answer
over part of the store is shown nowhere and would delay the first complete one), then one result
holding every change fed (its version is the one `fed_version` names)."""

from __future__ import annotations

import time
from typing import Any

from ktui.model.decode import decode_document
from ktui.store import Change, ClusterState, Event
from ktui.tui.overlay import Overlay, OverlayResult
from tests.exposure.helpers import namespace, pod


def _changes(state: ClusterState, *docs: dict[str, Any]) -> list[Change]:
    out = []
    for doc in docs:
        info, obj = decode_document(doc, "default")
        assert info is not None
        change = state.apply(Event("ADDED", info.kind, obj))
        assert change is not None
        out.append(change)
    return out


def _wait(results: list[OverlayResult], count: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while len(results) < count and time.monotonic() < deadline:
        time.sleep(0.01)


def test_nothing_is_computed_until_the_first_list_ends() -> None:
    results: list[OverlayResult] = []
    overlay = Overlay(results.append, live=True, min_interval=0.0, process=True)
    overlay.start()
    try:
        state = ClusterState()
        overlay.feed(_changes(state, namespace("a")), state, [], [], listing=True)
        overlay.feed(_changes(state, pod("a", "web-0", {"app": "web"}, "10.0.0.1")), state, [], [], listing=True)
        _wait(results, 1, 1.5)
        assert results == []  # held: the list is not over
        overlay.feed(_changes(state, namespace("b")), state, [], [], listing=False)
        wanted = None
        while wanted is None:
            time.sleep(0.01)
            wanted = overlay.fed_version()
        _wait(results, 1, 30)
        assert len(results) == 1 and not results[0].error
        assert results[0].version == wanted  # every change fed is in it
        _wait(results, 2, 1.5)
        assert len(results) == 1  # and no second computation follows for nothing
    finally:
        overlay.stop()
