"""The batch path wakes on arrival: the source's queue tells the app once per drain that something
came, and the app polls then (not at the next timer tick), at most once per MIN_POLL_GAP."""

from __future__ import annotations

import queue
import threading

import pytest

from ktui.sources.base import Event, Item
from ktui.tui.app import MAX_POLL_GAP, PACE, KtuiApp
from ktui.tui.arrivals import ArrivalQueue
from ktui.tui.bridge import Bridge

from .conftest import CLUSTER, StillSource
from .pilot import wait_for


class _Source:
    name = "test"

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[Item] = queue.SimpleQueue()

    def start(self) -> None: ...

    def stop(self) -> None: ...


def test_one_wake_per_drain_and_nothing_lost() -> None:
    q = ArrivalQueue()
    calls: list[int] = []
    q.notify = lambda: calls.append(1)
    threads = [threading.Thread(target=lambda: [q.put(Event("ADDED", "Pod", i)) for i in range(100)])  # type: ignore[arg-type]
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1  # a burst wakes the UI once
    q.rearm()
    taken = 0
    while True:
        try:
            q.get_nowait()
        except queue.Empty:
            break
        taken += 1
    assert taken == 400
    q.put(Event("ADDED", "Pod", 0))  # type: ignore[arg-type]
    assert len(calls) == 2  # the first item after a drain wakes it again


def test_adopt_keeps_what_was_queued_and_is_idempotent() -> None:
    source = _Source()
    source.queue.put(Event("ADDED", "Pod", 1))  # type: ignore[arg-type]
    source.queue.put(Event("ADDED", "Pod", 2))  # type: ignore[arg-type]
    q = ArrivalQueue.adopt(source)
    assert source.queue is q
    assert ArrivalQueue.adopt(source) is q
    assert [q.get_nowait().obj, q.get_nowait().obj] == [1, 2]  # type: ignore[union-attr]
    assert q.empty()


async def test_an_event_is_polled_on_arrival_not_at_the_timer() -> None:
    source = StillSource([str(CLUSTER)])
    bridge = Bridge(source, context="test-context")
    app = KtuiApp(bridge, theme="dark", watch_themes=False, background=False, poll_interval=3600)  # no fallback
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.bridge.synced)
        pod = next(iter(app.bridge.state.pods()))
        batches = app.bridge.batches

        def put() -> None:  # from another thread, as a source does
            source.queue.put(Event("DELETED", "Pod", pod))

        t = threading.Thread(target=put)
        t.start()
        t.join()
        await wait_for(pilot, lambda: app.bridge.batches > batches)
        assert app.bridge.state.get("Pod", pod.metadata.namespace, pod.metadata.name) is None


async def test_a_flow_of_events_waits_for_the_pause_after_an_expensive_batch() -> None:
    source = StillSource([str(CLUSTER)])
    app = KtuiApp(Bridge(source, context="test-context"), theme="dark", watch_themes=False, background=False,
                  poll_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.bridge.synced)
        clock = [1000.0]
        app._monotonic = lambda: clock[0]
        app._paced(started=999.99, first=True)  # a batch that took 10 ms of this thread
        clock[0] = 1000.005
        app._paced(started=1000.0, first=False)  # and its screens' update 5 ms more
        assert app._next_poll == pytest.approx(1000.005 + PACE * 0.015)
        app._paced(started=999.0, first=True)  # a slow batch: the pause is capped
        assert app._next_poll == pytest.approx(1000.005 + MAX_POLL_GAP)
        app._next_poll = clock[0] + 3600  # as after a batch that slow (if the cap were lifted)
        pods = list(app.bridge.state.pods())
        batches = app.bridge.batches
        source.queue.put(Event("DELETED", "Pod", pods[0]))
        await pilot.pause(0.05)
        assert app.bridge.batches == batches and app._poll_timer is not None  # waits for the pause
        assert app._poll_timer is not None
        app._poll_timer.stop()
        clock[0] = app._next_poll
        app._paced_poll()
        assert app.bridge.batches == batches + 1
        assert app.bridge.state.get("Pod", pods[0].metadata.namespace, pods[0].metadata.name) is None
