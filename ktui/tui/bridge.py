"""The one place the TUI meets data: it owns the source, the store and the analysis indexes.

Sources fill a queue from their own threads; `poll` (called on the UI thread when the queue says
something arrived, see arrivals.py, at most once a frame) drains it into the ClusterState,
updates the posture index with the batch's changes and returns one `Update`. Because the store
has this single writer on the UI thread, screens can query the analysis without locks between
two polls.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ktui.analysis.analysis import Analysis
from ktui.analysis.findings import Finding
from ktui.analysis.policy import EgressClass, NetpolEngine
from ktui.analysis.posture import (
    GLOBAL_KINDS,
    Cause,
    NamespaceOverview,
    NamespacePosture,
    PostureDelta,
    PostureIndex,
    PostureReport,
    namespace_overview,
    pod_moved,
    posture_deltas,
    posture_report,
)
from ktui.sources.base import Batch, KindStatus, ProblemLog, Source, SyncState, drain
from ktui.sources.collector import Pace
from ktui.store import Change, ClusterState
from ktui.tui.arrivals import ArrivalQueue
from ktui.tui.overlay import Overlay, OverlayResult
from ktui.tui.summaries import ExposureSummary, FindingsSummary


def local_stamp(when: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(when))


S = TypeVar("S")

@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One line of the change feed: a material posture change, or a source problem."""

    when: float
    stamp: str
    namespace: str
    facts: tuple[tuple[str, str, str], ...]
    causes: tuple[Cause, ...]
    problem: str = ""
    before: EgressClass | None = None
    after: EgressClass | None = None


@dataclass
class Update:
    """What one drained batch changed: the app posts exactly one message carrying this."""

    changed: set[str] = field(default_factory=set)  # namespaces whose posture changed
    deltas: list[PostureDelta] = field(default_factory=list)
    feed: list[FeedEntry] = field(default_factory=list)
    statuses: list[KindStatus] = field(default_factory=list)
    changes: int = 0
    first_sync: bool = False  # the batch in which every kind finished its first list
    overlay: set[str] = field(default_factory=set)  # namespaces whose exposure/findings changed
    raw: list[Change] = field(default_factory=list)  # the store changes themselves


@dataclass(slots=True)
class PostureJob:
    """A drained batch whose posture update runs off the UI thread, and what its Update needs."""

    batch: Batch
    now: float
    was_synced: bool
    before: dict[str, NamespacePosture]
    changed: set[str] = field(default_factory=set)
    built: tuple[NetpolEngine, PostureIndex] | None = None
    error: Exception | None = None
    first_overlay: bool = False  # not a build: the overlay's first result from the built posture
    result: OverlayResult | None = None


def _merged(held: dict[str, S] | None, new: dict[str, S], gone: tuple[str, ...], moved: set[str]) -> dict[str, S]:
    """`held` with the new summaries and without the gone ones; the namespaces that changed go to
    `moved` (all of them when nothing was held yet)."""
    out = dict(held or {})
    for ns, summary in new.items():
        if held is None or held.get(ns) != summary:
            out[ns] = summary
            moved.add(ns)
    for ns in gone:
        if out.pop(ns, None) is not None:
            moved.add(ns)
    return out


class Bridge:
    def __init__(
        self,
        source: Source,
        *,
        context: str = "",
        clock: Callable[[], float] = time.time,
        stamp: Callable[[float], str] = local_stamp,
        feed_size: int = 1000,
        live: bool = False,
        background: bool = False,
    ) -> None:
        self.source = source
        self.arrivals = ArrivalQueue.adopt(source)  # its notify wakes the app's poll
        self.live = live  # a whole live cluster (findings that need one are on)
        self.background = background  # whole posture builds are left in `job` for a worker thread
        self._pace = Pace()  # the collector's: rare from the first list to the first build
        self.job: PostureJob | None = None
        self.context = context or getattr(source, "name", "")
        self.clock = clock
        self.stamp = stamp
        self.state = ClusterState()
        self.statuses: dict[str, KindStatus] = {}
        self.problems = ProblemLog(maxlen=200)  # a fixed file's problems are withdrawn
        self.engine = NetpolEngine(self.state)
        self.posture = PostureIndex(self.state, self.engine)
        self.feed: deque[FeedEntry] = deque(maxlen=feed_size)
        self.last_event: float | None = None
        self.synced = False
        self._posture_deferred = False  # changes of the first list not yet in the posture
        self.batches = 0
        # exposure and findings, from the overlay thread (None: not computed yet / not running)
        self.overlay: Overlay | None = None
        self.exposure: dict[str, ExposureSummary] | None = None
        self.findings: dict[str, FindingsSummary] | None = None
        self.found: tuple[Finding, ...] = ()
        self.overlay_error = ""
        self.overlay_seconds = 0.0
        self._analysis: Analysis | None = None
        self.pod_shapes = 0  # counts pod changes other answers read (labels, IPs...): not readiness
        self._overviews: dict[str, tuple[tuple[object, ...], NamespaceOverview]] = {}

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.source.start()

    def stop(self) -> None:
        if self.overlay is not None:
            self.overlay.stop()
        self.source.stop()

    def attach_overlay(self, overlay: Overlay) -> None:
        self.overlay = overlay
        if self.background and not self.synced:
            overlay.defer()  # the first result is computed here (finish_job): the child after it
        overlay.start()

    # ------------------------------------------------------------ the batch path
    def poll(self, limit: int = 5_000) -> Update | None:
        """Drain what the source queued (at most `limit` items: a big first list is taken over a
        few polls, so keys still answer while it loads); None when nothing came, or when the
        batch needs a whole posture build and `background` is set: then `job` holds it for a
        worker thread (`run_job`, then `finish_job` on the UI thread gives the Update), and
        nothing more is drained until it is finished, so the store stays still under it."""
        if self.job is not None:
            return None
        if self.background and not self.synced:
            self._pace.slow()  # the first list decodes every object, all kept (sources/collector.py)
        seen = self.state.kind_version("")  # what the source could not see (forbidden kinds)
        self.arrivals.rearm()
        batch = drain(self.arrivals, self.state, self.statuses, limit=limit)
        if not batch:
            return None
        now = self.clock()
        self.batches += 1
        self.problems.apply(batch)
        if batch.changes:
            self.last_event = now
            self.pod_shapes += any(c.kind == "Pod" and pod_moved(c) for c in batch.changes)
        listed = self.synced or self._all_listed()
        if self.overlay is not None and (batch.changes or batch.problems or batch.statuses):
            self.overlay.feed(batch.changes, self.state, self.problems, self.unseen_kinds(), listing=not listed)
        job = PostureJob(batch, now, self.synced, dict(self.posture.by_namespace))
        hidden = self.state.kind_version("") != seen  # a kind became forbidden, or readable again
        if self.background and self._whole_build(batch.changes, hidden):
            self.job = job
            return None
        job.changed = self._posture_update(batch.changes, hidden)
        return self._update(job)

    def run_job(self) -> None:
        """The held batch's whole posture build, on a worker thread, into an engine and index of
        its own: the UI thread meanwhile reads the old ones (screens show the posture as it was),
        and the store stays still (nothing is drained), so the two threads share nothing mutable."""
        job = self.job
        assert job is not None
        if job.first_overlay:
            assert self.overlay is not None
            job.result = self.overlay.compute_here(self.state, self.engine, self.posture)
            return
        try:
            engine = NetpolEngine(self.state)
            job.built = (engine, PostureIndex(self.state, engine))
        except Exception as exc:  # raised again on the UI thread, as an inline update would
            job.error = exc

    def finish_job(self) -> Update:
        """On the UI thread, once run_job returned: the new index in place, the held batch's Update."""
        job = self.job
        assert job is not None
        self.job = None
        if job.first_overlay:
            assert self.overlay is not None and job.result is not None
            self.overlay.deliver(job.result)  # on to the app, as the child's results go
            self.overlay.release()
            return Update()
        if job.error is not None:
            if self.overlay is not None:
                self.overlay.release()  # the child computes the first result then
            raise job.error
        assert job.built is not None
        self.engine, self.posture = job.built
        self._analysis = None
        self._posture_deferred = False
        now = self.posture.by_namespace
        job.changed = {ns for ns in {*job.before, *now} if job.before.get(ns) != now.get(ns)}
        if not job.was_synced:
            self._pace.settle()  # the listed objects live as long as the cluster holds them
        if not job.was_synced and self.overlay is not None and self.overlay.process and not self.overlay.received:
            # the first complete overview: exposure and findings from this posture, next, on a
            # worker (the child would build the posture again first); the store stays still
            self.job = PostureJob(Batch(), job.now, True, {}, first_overlay=True)
        elif self.overlay is not None:
            self.overlay.release()
        return self._update(job)

    def _whole_build(self, changes: list[Change], hidden: bool) -> bool:
        """The posture is to be built for every namespace: the first build after the first list,
        or a change every namespace's answers read (admin tiers, what ktui may read; a Namespace's
        labels are followed incrementally). Seconds at 100,000 pods: never on the UI thread."""
        if not self.synced:
            return self._all_listed()
        return hidden or any(c.kind in GLOBAL_KINDS for c in changes)

    def _update(self, job: PostureJob) -> Update:
        batch, now, changed = job.batch, job.now, job.changed
        update = Update(changed=changed, statuses=batch.statuses, changes=len(batch.changes), raw=batch.changes)
        self.synced = self.synced or self._all_listed()
        update.first_sync = self.synced and not job.was_synced
        if job.was_synced:  # the initial listing is not news (nor worked out: 100,000 changes); later ones are
            if changed:
                update.deltas = posture_deltas(job.before, self.posture.by_namespace, changed, batch.changes)
            update.feed = [self._entry(now, d) for d in update.deltas]
        update.feed += [FeedEntry(now, self.stamp(now), "", (), (), problem=str(p)) for p in batch.problems]
        self.feed.extend(update.feed)
        return update

    def _posture_update(self, changes: list[Change], hidden: bool = False) -> set[str]:
        """During the first list the posture waits for every kind, then is built once: batch by
        batch over a partial store, each policy or pod arriving recomputes its namespaces again
        (at 10,000 pods twice the work of one build). Screens say "waiting for the first list"."""
        listing = not self.synced and any(s.state is SyncState.SYNCING for s in self.statuses.values())
        if listing:
            self._posture_deferred = self._posture_deferred or bool(changes)
            return set()
        if self._posture_deferred or hidden:  # (hidden: no object changed, every answer may have)
            self._posture_deferred = False
            return self.posture.recompute(None)
        return self.posture.update(changes) if changes else set()

    def unseen_kinds(self) -> list[str]:
        return [k for k, s in self.statuses.items() if s.state in (SyncState.FORBIDDEN, SyncState.ABSENT)]

    def apply_overlay(self, result: OverlayResult) -> set[str]:
        """Take a finished overlay computation (only what changed); returns the namespaces it moved."""
        self.overlay_error, self.overlay_seconds = result.error, result.seconds
        if result.error:
            return set()
        moved: set[str] = set()
        # a summary equal to the one held keeps the one held (rows cached by it stay): the child's
        # first result repeats the app's own first one, and moves nothing
        self.exposure = _merged(self.exposure, result.exposure, result.exposure_gone, moved)
        self.findings = _merged(self.findings, result.findings, result.findings_gone, moved)
        if result.found is not None:
            self.found = result.found
        return moved

    def _entry(self, now: float, d: PostureDelta) -> FeedEntry:
        return FeedEntry(
            now, self.stamp(now), d.namespace, tuple(d.facts()), d.causes,
            before=d.before.most_open if d.before else None,
            after=d.after.most_open if d.after else None,
        )

    def _all_listed(self) -> bool:
        return bool(self.statuses) and all(s.state is not SyncState.SYNCING for s in self.statuses.values())

    # ------------------------------------------------------------ reading
    @property
    def analysis(self) -> Analysis:
        """The Analysis of the store as it is now (engine and posture index shared, kept live
        across versions), for on-demand questions: explain, can-reach, DNS, names."""
        a = self._analysis
        if a is None or not a.fresh:
            a = self._analysis = Analysis(self.state, live=self.live, complete=self.live, engine=self.engine,
                                          posture_index=self.posture)
        return a

    @property
    def policy_stamp(self) -> tuple[int, int]:
        """Moves when an answer about where pods may connect can move: any change but a pod's
        readiness or status (screens key their caches of such answers by it)."""
        return self.state.version - self.state.kind_version("Pod"), self.pod_shapes

    def overview(self, namespace: str) -> NamespaceOverview | None:
        """The namespace's overview row: the object `ktui posture` prints, from the posture index
        and the overlay's latest hosts and findings (None in them while not computed yet)."""
        np = self.posture.by_namespace.get(namespace)
        if np is None:
            return None
        ex = self.exposure.get(namespace) if self.exposure is not None else None
        fs = self.findings.get(namespace) if self.findings is not None else None
        key = (np, ex, fs, self.exposure is None, self.findings is None)
        hit = self._overviews.get(namespace)
        if hit is not None and all(a is b for a, b in zip(hit[0][1:], key[1:], strict=True)) and (
                hit[0][0] is np or hit[0][0] == np):  # (readiness flips: a new posture, equal)
            self._overviews[namespace] = (key, hit[1])
            return hit[1]
        row = namespace_overview(np, None if self.exposure is None else (ex.entries if ex else ()),
                                 None if self.findings is None else (fs.findings if fs else ()))
        self._overviews[namespace] = (key, row)
        return row

    def posture_report(self) -> PostureReport:
        """Every namespace's overview with the cluster-scoped findings: what `ktui posture` prints."""
        hosts = None if self.exposure is None else {ns: s.entries for ns, s in self.exposure.items()}
        return posture_report(self.posture.by_namespace, hosts, None if self.findings is None else self.found)

    def namespaces(self) -> list[NamespacePosture]:
        return list(self.posture.by_namespace.values())

    def namespace(self, name: str) -> NamespacePosture | None:
        return self.posture.by_namespace.get(name)

    def since_last_event(self) -> float | None:
        return None if self.last_event is None else max(0.0, self.clock() - self.last_event)
