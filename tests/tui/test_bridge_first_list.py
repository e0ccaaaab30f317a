"""The bridge builds the posture once when the first list ends, not batch by batch over a partial
store; what it then holds is exactly the posture of the whole store, and changes after the first
list still update it batch by batch."""

from __future__ import annotations

import queue
from typing import Any

from ktui.analysis.posture import PostureIndex
from ktui.sources.base import Item, KindStatus, Replace, SyncState
from ktui.sources.manifests import load_paths
from ktui.store import Event
from ktui.tui.bridge import Bridge

from .conftest import CLUSTER


class ListingSource:
    """Queues what a live source does on start: every kind SYNCING, then each kind's list and LIVE."""

    name = "listing"

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[Item] = queue.SimpleQueue()

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


def _listed() -> tuple[ListingSource, list[tuple[str, list[Any]]]]:
    state, _ = load_paths([str(CLUSTER)])
    kinds = [(kind, state.objects(kind)) for kind in state.kinds()]
    return ListingSource(), kinds


def test_the_posture_waits_for_the_first_list_then_equals_a_full_build() -> None:
    source, kinds = _listed()
    assert any(kind == "Pod" and objs for kind, objs in kinds) and any(kind == "NetworkPolicy" for kind, _ in kinds)
    bridge = Bridge(source)
    for kind, _ in kinds:
        source.queue.put(KindStatus(kind, SyncState.SYNCING))
    for kind, objs in kinds[:-1]:
        source.queue.put(Replace(kind, objs))
        source.queue.put(KindStatus(kind, SyncState.LIVE))
    update = bridge.poll()
    assert update is not None and not update.first_sync and update.changes > 0
    assert bridge.posture.by_namespace == {} and update.changed == set()  # not built over a partial store

    last_kind, last_objs = kinds[-1]
    source.queue.put(Replace(last_kind, last_objs))
    source.queue.put(KindStatus(last_kind, SyncState.LIVE))
    update = bridge.poll()
    assert update is not None and update.first_sync
    full = PostureIndex(bridge.state).by_namespace
    assert full and bridge.posture.by_namespace == full
    assert update.changed == set(full)  # every namespace is news to the screens
    assert update.feed == []  # the first list is not news in the feed


def test_changes_after_the_first_list_update_the_posture_batch_by_batch() -> None:
    source, kinds = _listed()
    bridge = Bridge(source)
    for kind, objs in kinds:
        source.queue.put(Replace(kind, objs))
        source.queue.put(KindStatus(kind, SyncState.LIVE))
    assert bridge.poll() is not None and bridge.synced
    pod = next(objs for kind, objs in kinds if kind == "Pod")[0]
    source.queue.put(Event("DELETED", "Pod", pod))
    update = bridge.poll()
    assert update is not None and pod.metadata.namespace in update.changed
    assert bridge.posture.by_namespace == PostureIndex(bridge.state).by_namespace
