"""What every source produces: events into a queue, plus a sync status per kind.

Sources run in their own threads (the kubernetes client blocks; watchfiles has its own loop) and
never touch the store. One consumer drains the queue into the ClusterState, so the store has a
single writer and the app gets one batch of changes per drain (the 100 ms batching of DESIGN.md).
"""

from __future__ import annotations

import enum
import queue
import time
from collections.abc import Callable, Iterable, Iterator
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
    namespace: str = ""  # the scope the state is about ("" = cluster-wide)


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
    scope: str = ""
    """What the problem belongs to (a manifest file): a ClearProblems for it withdraws it."""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class ClearProblems:
    """The problems of `scope` queued so far are no longer true (the file reloaded clean or changed)."""

    scope: str


Item = Event | Replace | KindStatus | Problem | ClearProblems


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
    cleared: list[tuple[str, int]] = field(default_factory=list)
    """(scope, n): withdraw that scope's problems held before, and those among problems[:n]."""

    def __bool__(self) -> bool:
        return bool(self.changes or self.statuses or self.problems or self.cleared)


class ProblemLog:
    """The problems that are still true, newest last, at most `maxlen`: what the header counts and
    `:ctx` lists. A scope's problems go when its source withdraws them (a fixed file)."""

    def __init__(self, maxlen: int = 200) -> None:
        self.maxlen = maxlen
        self._items: list[Problem] = []

    def apply(self, batch: Batch) -> None:
        done = 0
        for scope, upto in [*batch.cleared, ("", len(batch.problems))]:
            self._items.extend(batch.problems[done:upto])
            done = max(done, upto)
            if scope:
                self._items = [p for p in self._items if p.scope != scope]
        del self._items[: max(0, len(self._items) - self.maxlen)]

    def extend(self, problems: Iterable[Problem]) -> None:
        self.apply(Batch(problems=list(problems)))

    def __iter__(self) -> Iterator[Problem]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)


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
            if item.state is SyncState.FORBIDDEN:  # verdicts depending on it become "unknown"
                state.set_unseen(item.kind, item.message or "forbidden", item.namespace)
            elif item.state in (SyncState.LIVE, SyncState.ABSENT):
                state.set_unseen(item.kind, None, item.namespace)
        elif isinstance(item, ClearProblems):
            batch.cleared.append((item.scope, len(batch.problems)))
        else:
            batch.problems.append(item)
            if on_problem is not None:
                on_problem(item)
    return batch
