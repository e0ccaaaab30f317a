"""What every source produces: events into a queue, plus a sync status per kind.

Sources run in their own threads (the kubernetes client blocks; watchfiles has its own loop) and
never touch the store. One consumer drains the queue into the ClusterState, so the store has a
single writer and the app gets one batch of changes per drain (the 100 ms batching of DESIGN.md).
"""

from __future__ import annotations

import enum
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ktui.store import Change, ClusterState, Event


class SyncState(enum.Enum):
    SYNCING = "syncing"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    FORBIDDEN = "forbidden"
    ABSENT = "absent"


@dataclass(frozen=True, slots=True)
class KindStatus:
    kind: str
    state: SyncState
    since: float = field(default_factory=time.time)
    message: str = ""


@dataclass(frozen=True, slots=True)
class Replace:
    """A (re)list: the objects of `kind` (within `namespace`, or all) are exactly `objs`."""

    kind: str
    objs: list[Any]
    namespace: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a source could not read: a file, an object, a kind. Shown, never raised."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


Item = Event | Replace | KindStatus | Problem


class Source(Protocol):
    """A producer of Items. `start` returns at once; `stop` ends its threads."""

    name: str
    queue: queue.SimpleQueue[Item]

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Loaded:
    """A one-shot read of a cluster or of manifests, for the commands that answer once."""

    state: ClusterState
    problems: list[Problem] = field(default_factory=list)
    statuses: dict[str, KindStatus] = field(default_factory=dict)
    origin: str = ""  # "manifests" or the context name


@dataclass
class Batch:
    changes: list[Change] = field(default_factory=list)
    statuses: list[KindStatus] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes or self.statuses or self.problems)


def drain(
    q: queue.SimpleQueue[Item],
    state: ClusterState,
    status: dict[str, KindStatus],
    limit: int = 100_000,
    on_problem: Callable[[Problem], None] | None = None,
) -> Batch:
    """Apply everything queued (up to `limit` items) to `state`; return what changed."""
    batch = Batch()
    for _ in range(limit):
        try:
            item = q.get_nowait()
        except queue.Empty:
            break
        if isinstance(item, Event):
            change = state.apply(item)
            if change is not None:
                batch.changes.append(change)
        elif isinstance(item, Replace):
            batch.changes.extend(state.replace(item.kind, item.objs, item.namespace))
        elif isinstance(item, KindStatus):
            status[item.kind] = item
            batch.statuses.append(item)
        else:
            batch.problems.append(item)
            if on_problem is not None:
                on_problem(item)
    return batch
