"""The first complete overview: once the first posture is built, the app computes exposure and
findings from it (a second job, on a worker, the store still) rather than wait for the overlay's
child, which must build that posture again first (9 s at 100,000 pods). The child's results
still come and say the same; the first of them is always taken whole, never a diff in between."""

from __future__ import annotations

import threading
import time

import pytest

from ktui.store import Change
from ktui.tui.bridge import Bridge
from ktui.tui.overlay import Overlay, OverlayResult, Replica
from ktui.tui.overlay_wire import Item

from .conftest import CLUSTER, StillSource

pytestmark = pytest.mark.usefixtures("collector")


def _job(bridge: Bridge) -> None:
    worker = threading.Thread(target=bridge.run_job)  # as the app's worker
    worker.start()
    worker.join()
    bridge.finish_job()


def _first_build(results: list[OverlayResult], start_child: bool) -> Bridge:
    bridge = Bridge(StillSource([str(CLUSTER)]), live=True, background=True)
    bridge.start()
    overlay = Overlay(results.append, live=True, min_interval=0.0, process=True)
    if start_child:
        bridge.attach_overlay(overlay)
    else:
        bridge.overlay = overlay  # no child: only the app's own first result can come
    assert bridge.poll() is None and bridge.job is not None and not bridge.job.first_overlay
    _job(bridge)  # the posture
    assert bridge.synced
    return bridge


def test_after_the_first_posture_the_app_computes_the_first_overlay_result() -> None:
    results: list[OverlayResult] = []
    bridge = _first_build(results, start_child=False)
    job = bridge.job
    assert job is not None and job.first_overlay  # next: exposure and findings, held, off the UI thread
    assert bridge.poll() is None  # nothing drained meanwhile
    _job(bridge)
    assert bridge.job is None and len(results) == 1
    mine = results[0]
    assert not mine.error and mine.exposure and mine.found
    overlay = bridge.overlay
    assert overlay is not None and mine.version == overlay.taken + 1  # every batch fed so far
    # what the child computes from the same store
    replica = Replica(live=True)
    replica.apply(_all_items(bridge), [], frozenset())
    child = replica.compute()
    assert (mine.exposure, mine.findings, mine.found) == (child.exposure, child.findings, child.found)
    bridge.apply_overlay(mine)
    assert bridge.exposure == child.exposure and bridge.found == child.found


def _all_items(bridge: Bridge) -> list[Item]:
    """The store as the child gets it: every object, with where it was read from."""
    st = bridge.state
    return [(Change(k, o.metadata.namespace, o.metadata.name, None, o), st.origins.get((k, *key)))
            for k in st.kinds() for o in st.objects(k) for key in [(o.metadata.namespace, o.metadata.name)]]


def test_a_result_of_the_child_first_wins() -> None:
    results: list[OverlayResult] = []
    bridge = _first_build(results, start_child=False)
    overlay = bridge.overlay
    assert overlay is not None
    overlay.received = 1  # the child's first result was handed on already: its next are diffs from it
    _job(bridge)
    assert results == []


def test_with_the_child_running_both_come_and_agree() -> None:
    results: list[OverlayResult] = []
    bridge = _first_build(results, start_child=True)
    try:
        _job(bridge)  # the app's first result; then the child starts
        deadline = time.monotonic() + 60
        while len(results) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [r.error for r in results] == ["", ""]
        assert results[0].exposure.keys() == results[1].exposure.keys()
        assert results[0].found == results[1].found
        assert bridge.apply_overlay(results[0]) == set(results[0].exposure) | set(results[0].findings)
        held = bridge.exposure
        assert held is not None
        assert bridge.apply_overlay(results[1]) == set()  # the same answers: nothing moves on screen
        assert bridge.exposure is not None and all(bridge.exposure[ns] is held[ns] for ns in held)
    finally:
        bridge.stop()


def test_the_child_starts_only_once_the_first_result_is_in() -> None:
    """Until then it would only compete for the CPU, decoding the first list and building the
    posture again; what is fed meanwhile goes to it at once."""
    results: list[OverlayResult] = []
    bridge = _first_build(results, start_child=True)
    try:
        overlay = bridge.overlay
        assert overlay is not None and overlay._proc is None and bridge.job is not None
        _job(bridge)
        assert overlay._proc is not None and len(results) == 1
        deadline = time.monotonic() + 60
        while len(results) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert results[1].version == results[0].version == overlay.fed_version()
    finally:
        bridge.stop()


def test_what_cannot_be_seen_counts_the_same_in_the_apps_result() -> None:
    """NetworkPolicies forbidden in one namespace, Secrets everywhere: the app's first result
    says what the child's says (the child learns it from the feed, the app from its store)."""
    from ktui.analysis.policy import NetpolEngine
    from ktui.analysis.posture import PostureIndex
    from ktui.sources.manifests import load_paths

    def results_for(forbid: bool) -> tuple[OverlayResult, OverlayResult]:
        state, _ = load_paths([str(CLUSTER)])
        if forbid:
            state.set_unseen("NetworkPolicy", "forbidden (403)", "payments")
            state.set_unseen("Secret", "forbidden (403)")
        unseen = ["NetworkPolicy", "Secret"] if forbid else []
        items = [(Change(k, o.metadata.namespace, o.metadata.name, None, o),
                  state.origins.get((k, o.metadata.namespace, o.metadata.name)))
                 for k in state.kinds() for o in state.objects(k)]
        overlay = Overlay(lambda _r: None, live=True, process=True)  # never started: no child
        overlay.feed([c for c, _ in items], state, [], unseen)
        engine = NetpolEngine(state)
        mine = overlay.compute_here(state, engine, PostureIndex(state, engine))
        replica = Replica(live=True)
        replica.apply(items, [], frozenset(unseen), state.unseen_kinds())
        return mine, replica.compute()

    mine, child = results_for(forbid=True)
    assert not mine.error and (mine.exposure, mine.findings, mine.found) == (child.exposure, child.findings,
                                                                           child.found)
    seen, _ = results_for(forbid=False)
    assert (mine.exposure, mine.found) != (seen.exposure, seen.found)  # the blind spots show


def test_a_child_that_cannot_start_is_said_and_the_first_result_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing.context

    def refuse(self: object) -> None:
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", refuse)
    results: list[OverlayResult] = []
    bridge = _first_build(results, start_child=True)
    try:
        _job(bridge)  # the app's result, then the child's start fails
        assert [bool(r.error) for r in results] == [False, True]
        assert "could not start" in results[1].error and "Resource temporarily" in results[1].error
        for r in results:
            bridge.apply_overlay(r)
        assert bridge.exposure == results[0].exposure and bridge.overlay_error
        overlay = bridge.overlay
        assert overlay is not None
        assert not overlay._pending  # nothing piles up for no one
        overlay.feed([c for c, _ in _all_items(bridge)], bridge.state, [], [])
        assert not overlay._pending
    finally:
        bridge.stop()
