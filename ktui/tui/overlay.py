"""Exposure (each entry judged by its triage chain) and findings, computed off the UI thread.

The findings catalogue runs over the whole cluster (seconds at 10,000 pods), so it cannot run in
the 100 ms batch path, nor hold that path while it works. Instead this thread keeps its own
replica of the store: the bridge hands it each batch's changes (the objects are immutable, so
both stores share them), and it recomputes at most every `min_interval` seconds -- and never more
often than twice its last run time -- then reports one OverlayResult. The UI thread never waits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ktui.analysis.findings import findings
from ktui.analysis.findings_catalogue import Finding
from ktui.analysis.netpol import NetpolEngine
from ktui.analysis.posture import ExposureSummary, FindingsSummary, exposure_summaries, findings_summaries
from ktui.sources.base import Problem
from ktui.store import Change, ClusterState, Event, Origin


@dataclass(frozen=True, slots=True)
class OverlayResult:
    exposure: dict[str, ExposureSummary]
    findings: dict[str, FindingsSummary]
    found: tuple[Finding, ...]
    seconds: float  # how long the computation took
    version: int  # how many batches it includes
    error: str = ""


def _apply(replica: ClusterState, change: Change, origin: Origin | None) -> None:
    if change.new is None:
        replica.apply(Event("DELETED", change.kind, change.old))
    else:
        replica.apply(Event("MODIFIED" if change.old is not None else "ADDED", change.kind, change.new, origin))


class Overlay:
    def __init__(self, on_result: Callable[[OverlayResult], None], *, live: bool,
                 min_interval: float = 1.0, threaded: bool = True) -> None:
        self.on_result = on_result
        self.live = live
        self.min_interval = min_interval
        self.threaded = threaded
        self.replica = ClusterState()
        self._engine = NetpolEngine(self.replica)
        self._pending: list[tuple[Change, Origin | None]] = []
        self._problems: list[Problem] = []
        self._unseen: frozenset[str] = frozenset()
        self._batches = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_seconds = 0.0

    def start(self) -> None:
        if self.threaded and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ktui-overlay", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def feed(self, changes: Iterable[Change], state: ClusterState, problems: Iterable[Problem],
             unseen: Iterable[str]) -> None:
        """Called on the UI thread with each batch: cheap (a list append under a lock)."""
        items = [(c, state.origins.get((c.kind, c.namespace, c.name))) for c in changes]
        with self._lock:
            self._pending.extend(items)
            self._problems = list(problems)
            self._unseen = frozenset(unseen)
            self._batches += 1
        if self.threaded:
            self._wake.set()
        else:
            self.compute()

    def compute(self) -> OverlayResult:
        with self._lock:
            pending, self._pending = self._pending, []
            problems, unseen, version = list(self._problems), self._unseen, self._batches
        for change, origin in pending:
            _apply(self.replica, change, origin)
        started = time.perf_counter()
        try:
            exposure = exposure_summaries(self.replica, self._engine, self.live)
            found = tuple(findings(self.replica, problems, complete=self.live, unseen=unseen))
            result = OverlayResult(exposure, findings_summaries(found), found,
                                   time.perf_counter() - started, version)
        except Exception as exc:  # an analysis bug must not take the app down: say it, keep going
            result = OverlayResult({}, {}, (), time.perf_counter() - started, version,
                                   error=f"{type(exc).__name__}: {exc}")
        self.last_seconds = result.seconds
        self.on_result(result)
        return result

    def _run(self) -> None:
        last_start = 0.0
        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.is_set():
                return
            gap = max(self.min_interval, 2 * self.last_seconds)
            delay = last_start + gap - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                return
            self._wake.clear()
            last_start = time.monotonic()
            self.compute()
