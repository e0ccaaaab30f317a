"""A whole posture build (after the first list, or when every namespace's answers move) runs off
the UI thread: the bridge holds the batch in `job`, drains nothing more until it is finished, and
the Update it then gives equals the one an inline build gives."""

from __future__ import annotations

import gc
import threading

import pytest

from ktui.model.decode import decode_document
from ktui.sources.base import KindStatus, SyncState
from ktui.store import Event
from ktui.tui.app import KtuiApp
from ktui.tui.attention import attention
from ktui.tui.bridge import Bridge
from ktui.tui.changes import ChangeTracker
from ktui.tui.screens.overview import OverviewScreen
from ktui.tui.themes import Palette

from .conftest import CLUSTER, StillSource, make_app
from .test_navigation import rows

pytestmark = pytest.mark.usefixtures("collector")


def _bridge(background: bool) -> Bridge:
    bridge = Bridge(StillSource([str(CLUSTER)]), background=background)
    bridge.start()
    return bridge


def _run(bridge: Bridge) -> None:
    worker = threading.Thread(target=bridge.run_job)
    worker.start()
    worker.join()


def test_the_first_build_is_a_job_and_its_update_equals_the_inline_one() -> None:
    inline = _bridge(background=False)
    expected = inline.poll()
    assert expected is not None and expected.first_sync

    bridge = _bridge(background=True)
    assert bridge.poll() is None and bridge.job is not None
    assert not bridge.synced and bridge.namespaces() == []
    gone = Event("DELETED", "Namespace", inline.state.get("Namespace", "", "sandbox"))
    bridge.source.queue.put(gone)
    assert bridge.poll() is None and bridge.source.queue.qsize() == 1  # held: nothing drained under the job
    _run(bridge)
    update = bridge.finish_job()
    assert bridge.job is None and bridge.synced and update.first_sync
    assert update.changed == expected.changed and bridge.namespaces() == inline.namespaces()
    assert update.deltas == expected.deltas == []  # the first listing is not news: not worked out
    after = bridge.poll()  # now the held event is taken: a Namespace change is followed incrementally
    assert after is not None and bridge.job is None
    inline.source.queue.put(gone)
    expected = inline.poll()
    assert expected is not None and after.changed == expected.changed
    assert bridge.namespaces() == inline.namespaces()


def test_pod_events_stay_inline() -> None:
    bridge = _bridge(background=True)
    bridge.poll()
    _run(bridge)
    bridge.finish_job()
    pod = next(iter(bridge.state.pods()))
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "extra", "namespace": pod.metadata.namespace,
                                                          "labels": {"app": "extra"}}, "spec": {"containers": []}}
    bridge.source.queue.put(Event("ADDED", "Pod", decode_document(doc)[1]))
    update = bridge.poll()
    assert update is not None and bridge.job is None


def test_failure_in_the_job_is_raised_on_the_ui_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    bridge = _bridge(background=True)
    bridge.poll()

    def boom(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("ktui.tui.bridge.PostureIndex", boom)
    _run(bridge)
    with pytest.raises(RuntimeError, match="boom"):
        bridge.finish_job()


def test_the_ui_thread_reads_the_old_posture_while_the_job_builds_a_new_one() -> None:
    bridge = _bridge(background=True)
    bridge.poll()
    _run(bridge)
    bridge.finish_job()
    old_index, old_rows = bridge.posture, bridge.namespaces()
    bridge.source.queue.put(KindStatus("NetworkPolicy", SyncState.FORBIDDEN, message="forbidden (403)"))
    assert bridge.poll() is None and bridge.job is not None
    _run(bridge)
    assert bridge.posture is old_index and bridge.namespaces() == old_rows  # untouched until finished
    bridge.finish_job()
    assert bridge.posture is not old_index


async def test_the_app_builds_the_first_posture_on_a_worker() -> None:
    app: KtuiApp = make_app(background=True)
    assert app.bridge.background
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.bridge.synced and rows(app) and app.bridge.job is None and app.bridge.exposure is not None:
                break
        assert isinstance(app.screen, OverviewScreen)
        assert rows(app)[:4] == ["kube-system", "payments", "sandbox", "shop"]
        # then, a second job: the first exposure and findings, from that posture
        assert app.bridge.job is None and app.bridge.exposure is not None and app.bridge.findings is not None


async def test_the_first_exposure_job_follows_the_posture_build_at_once() -> None:
    """Not at the fallback tick (made an hour long here): the first complete overview waits for
    no timer."""
    app: KtuiApp = make_app(background=True)
    app.poll_interval = 3600.0
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if app.bridge.synced and app.bridge.job is None and app.bridge.exposure is not None:
                break
        assert app.bridge.synced and app.bridge.job is None
        assert app.bridge.exposure is not None and app.bridge.findings is not None


def test_the_attention_line_says_the_posture_is_being_computed() -> None:
    bridge = _bridge(background=True)
    assert "waiting for the first list" in attention(bridge, ChangeTracker(bridge), Palette()).plain
    bridge.poll()
    assert "computing the posture" in attention(bridge, ChangeTracker(bridge), Palette()).plain
    _run(bridge)
    bridge.finish_job()
    assert "computing the posture" not in attention(bridge, ChangeTracker(bridge), Palette()).plain


def test_the_collector_runs_rarely_during_the_first_list_and_the_listed_objects_are_frozen_after() -> None:
    gc.unfreeze()
    before = gc.get_threshold()
    bridge = _bridge(background=True)
    bridge.poll()
    assert gc.get_threshold()[0] == 50_000 and gc.get_freeze_count() == 0
    _run(bridge)
    bridge.finish_job()
    assert gc.get_threshold() == before and gc.get_freeze_count() > 0


def test_a_kind_forbidden_after_the_first_list_moves_every_answer() -> None:
    for background in (False, True):
        bridge = _bridge(background=background)
        if bridge.poll() is None:
            _run(bridge)
            bridge.finish_job()
        assert any(p.egress.cls.value == "open" for n in bridge.namespaces() for p in n.pods)
        bridge.source.queue.put(KindStatus("NetworkPolicy", SyncState.FORBIDDEN, message="forbidden (403)"))
        update = bridge.poll()
        if update is None:  # a whole build: a job when in the background
            assert background and bridge.job is not None
            _run(bridge)
            update = bridge.finish_job()
        assert update.changed
        assert {p.egress.cls.value for n in bridge.namespaces() for p in n.pods} == {"unknown"}
