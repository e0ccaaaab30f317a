"""The change feed's memory: a snapshot per namespace (per workload, per host, per finding) and
the list of changes found by comparing each new snapshot with the last (analysis.posture_changes).

Posture changes arrive with the batch that caused them; host and finding changes arrive later,
with the background analysis, so the object changes of the batches in between are kept per
namespace and named as their cause. The first listing and the first analysis are not news.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ktui.analysis.posture import Cause, NamespacePosture
from ktui.analysis.posture_changes import (
    NamespaceSnapshot,
    PostureChange,
    WorkloadPosture,
    causes_of,
    posture_changes,
    snapshot,
    workload_postures,
)
from ktui.tui import data
from ktui.tui.bridge import Bridge, Update

MAX_PENDING = 50


@dataclass(frozen=True, slots=True)
class FeedItem:
    when: float
    stamp: str
    change: PostureChange | None = None
    problem: str = ""
    fixed: bool = False  # the problem was withdrawn (its file fixed)

    @property
    def namespace(self) -> str:
        return self.change.namespace if self.change is not None else ""


class ChangeTracker:
    def __init__(self, bridge: Bridge, size: int = 1000) -> None:
        self.bridge = bridge
        self.items: deque[FeedItem] = deque(maxlen=size)
        self._snaps: dict[str, NamespaceSnapshot] = {}
        self._pending: dict[str, list[Cause]] = {}
        self._overlay_seen = False
        self.last_change_batch = 0  # bridge.batches when the store last changed
        self.overlay_batch = -1  # bridge.batches when the last analysis result landed
        self.version = 0  # bumps when items change (widgets redraw)
        self._problems: set[str] = set()
        self._workload_memo: dict[str, tuple[NamespacePosture, object, Mapping[str, WorkloadPosture]]] = {}

    # ------------------------------------------------------------ snapshots
    def _snapshot(self, ns: str, held: NamespaceSnapshot | None = None) -> NamespaceSnapshot:
        """The namespace's snapshot now; with `held` (a background result: it moves hosts and
        findings, never the posture) its workloads are kept, not grouped again."""
        b = self.bridge
        hosts = data.host_rows(b, ns) if self._overlay_seen else None
        found = data.namespace_findings(b, ns) if self._overlay_seen else None
        shot = snapshot(
            None, b.state, ns,
            None if hosts is None else [(f"{h.entry.host}:{h.entry.port or '-'}{h.entry.path}", h.status)
                                        for h in hosts],
            found,
        )
        if held is not None:
            return replace(shot, workloads=held.workloads)
        np = b.namespace(ns)
        return shot if np is None else replace(shot, workloads=self._workloads(ns, np))

    def _workloads(self, ns: str, np: NamespacePosture) -> Mapping[str, WorkloadPosture]:
        """The namespace's workload postures, kept while its posture is equal and the policy stamp
        holds (the owners they are named by are objects other than pods, or a pod's shape): each
        background result compares every namespace's hosts, and grouping 10,000 pods by workload
        again for it held the UI thread ~50 ms."""
        stamp = self.bridge.policy_stamp
        held = self._workload_memo.get(ns)
        if held is not None and held[1] == stamp and (held[0] is np or held[0] == np):
            workloads = held[2]
        else:
            workloads = workload_postures(np, self.bridge.state)
        self._workload_memo[ns] = (np, stamp, workloads)
        return workloads

    def _add(self, changes: list[PostureChange]) -> None:
        now = self.bridge.clock()
        stamp = self.bridge.stamp(now)
        for c in changes:
            self.items.append(FeedItem(now, stamp, c))
        if changes:
            self.version += 1

    # ------------------------------------------------------------ inputs
    def on_batch(self, update: Update, synced_before: bool) -> None:
        """A drained batch: compare the namespaces whose posture moved (after the first list)."""
        b = self.bridge
        if update.changes:
            self.last_change_batch = b.batches
        causes = causes_of(update.raw) if synced_before else {}  # the first list is not news
        for ns, cs in causes.items():
            pend = self._pending.setdefault(ns, [])
            pend.extend(cs)
            del pend[:-MAX_PENDING]
        for e in update.feed:
            if e.problem:
                self.items.append(FeedItem(e.when, e.stamp, problem=e.problem))
                self.version += 1
        current = {str(p) for p in b.problems}
        for gone in sorted(self._problems - current):
            now = b.clock()
            self.items.append(FeedItem(now, b.stamp(now), problem=gone, fixed=True))
            self.version += 1
        self._problems = current
        for ns in sorted(update.changed):
            new = self._snapshot(ns) if b.namespace(ns) is not None else None
            old = self._snaps.get(ns)
            if synced_before:
                why = causes.get(ns) or [c for cs in causes.values() for c in cs if c.kind != "Pod"][:3]
                self._add(posture_changes(old, new, why))
            if new is None:
                self._snaps.pop(ns, None)
            else:
                self._snaps[ns] = new

    def on_overlay(self, namespaces: set[str]) -> None:
        """A background result: compare hosts and findings of the namespaces it moved."""
        b = self.bridge
        first = not self._overlay_seen
        self._overlay_seen = True
        self.overlay_batch = b.batches
        targets = set(b.posture.by_namespace) if first else namespaces | self._cross(namespaces)
        for ns in sorted(targets):
            if b.namespace(ns) is None:
                continue
            old = self._snaps.get(ns)
            new = self._snapshot(ns, old)
            if not first and old is not None:
                why = self._pending.get(ns) or [c for cs in self._pending.values() for c in cs if c.kind != "Pod"][:3]
                self._add([c for c in posture_changes(old, new, why) if c.what in ("host", "finding")])
            self._snaps[ns] = new
        self._pending.clear()

    def _cross(self, namespaces: set[str]) -> set[str]:
        """Namespaces whose hosts live in others' summaries (a route in shop to payments)."""
        out: set[str] = set()
        for ns in namespaces:
            summary = (self.bridge.exposure or {}).get(ns)
            for h in summary.entries if summary is not None else ():
                out.update(getattr(h.entry, "namespaces", ()))
        return out

    # ------------------------------------------------------------ reading
    def final(self) -> bool:
        """The analysis results cover the store as it is: first list done, a result landed
        after the last change. Until then totals are partial."""
        b = self.bridge
        return b.synced and b.job is None and self._overlay_seen and self.overlay_batch >= self.last_change_batch
