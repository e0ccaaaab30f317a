"""The overlay's computation, as its child process runs it (and the app once, for its first
result): a replica of the store, exposure and findings from its Analysis, and the result that
says what changed since the previous one (OverlayResult).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from ktui.analysis.analysis import Analysis
from ktui.analysis.findings import Finding
from ktui.analysis.policy import NetpolEngine
from ktui.analysis.posture import PostureIndex
from ktui.sources.base import Problem
from ktui.store import Change, ClusterState, Event
from ktui.tui.overlay_wire import Item
from ktui.tui.summaries import ExposureSummary, FindingsSummary, exposure_summaries, findings_summaries

UnseenMap = dict[tuple[str, str], str]  # ClusterState.unseen_kinds(): (kind, namespace) -> reason


@dataclass(frozen=True, slots=True)
class OverlayResult:
    """What changed since the previous result (the first one has everything): shipping only that,
    slimmed, keeps the unpickling on the app's side -- which holds the GIL -- short."""

    exposure: dict[str, ExposureSummary]  # namespaces whose summary changed
    findings: dict[str, FindingsSummary]
    found: tuple[Finding, ...] | None  # every finding; None: unchanged
    seconds: float  # how long the computation took
    version: int  # how many batches it includes
    error: str = ""
    exposure_gone: tuple[str, ...] = ()
    findings_gone: tuple[str, ...] = ()


def _slim(summary: ExposureSummary) -> ExposureSummary:
    """Without the pods' policy subjects (labels, ports, IPs): the screens read names only."""
    entries = tuple(
        replace(h, entry=replace(h.entry, backends=tuple(
            replace(b, pods=tuple(replace(p, subject=None) for p in b.pods))  # type: ignore[arg-type]
            for b in h.entry.backends)))
        for h in summary.entries
    )
    return ExposureSummary(summary.namespace, entries)


class Replica:
    """The store as the overlay sees it, and the computation over it."""

    def __init__(self, live: bool) -> None:
        self.live = live
        self.state = ClusterState()
        self.engine = NetpolEngine(self.state)
        self.posture: PostureIndex | None = None  # kept across computations, updated by the changes
        self._changes: list[Change] = []  # applied since the last computation
        self.problems: list[Problem] = []
        self.unseen: frozenset[str] = frozenset()
        self.version = 0
        self._exposure: dict[str, ExposureSummary] = {}
        self._findings: dict[str, FindingsSummary] = {}
        self._found: tuple[Finding, ...] | None = None

    def apply(self, items: list[Item], problems: list[Problem], unseen: frozenset[str],
              unseen_map: UnseenMap | None = None) -> None:
        """The batch's changes, and what the source could not see (forbidden Secrets make TLS
        "unknown", not a missing Secret): the replica's store says what the bridge's says."""
        seen = self.state.kind_version("")
        if unseen_map is not None:
            for kind, ns in set(self.state.unseen_kinds()) - set(unseen_map):
                self.state.set_unseen(kind, None, ns)
            for (kind, ns), reason in unseen_map.items():
                self.state.set_unseen(kind, reason, ns)
        for change, origin in items:
            if change.new is None:
                applied = self.state.apply(Event("DELETED", change.kind, change.old))
            else:
                verb = "MODIFIED" if change.old is not None else "ADDED"
                applied = self.state.apply(Event(verb, change.kind, change.new, origin))
            if applied is not None:
                self._changes.append(applied)
        if self.state.kind_version("") != seen:  # what may be read changed: every answer may move
            self.posture = None
        self.problems, self.unseen = problems, unseen
        self.version += 1

    def compute(self) -> OverlayResult:
        started = time.perf_counter()
        try:  # the posture (its findings read every pod's egress) as the bridge keeps it: updated
            # by the changes, not built again on each computation (15 s at 100,000 pods)
            if self.posture is None:
                self.posture = PostureIndex(self.state, self.engine)
            elif self._changes:
                self.posture.update(self._changes)
            self._changes = []
            exposure, by_ns, found = summarise(self.state, self.engine, self.posture, self.live, self.problems,
                                               self.unseen)
        except Exception as exc:  # an analysis bug must not take the app down: say it, keep going
            self.posture = None  # built again next time, whatever state the failure left it in
            return OverlayResult({}, {}, None, time.perf_counter() - started, self.version,
                                 error=f"{type(exc).__name__}: {exc}")
        result = since(self._exposure, self._findings, self._found, exposure, by_ns, found,
                        time.perf_counter() - started, self.version)
        self._exposure, self._findings, self._found = exposure, by_ns, found
        return result


Summaries = tuple[dict[str, ExposureSummary], dict[str, FindingsSummary], tuple[Finding, ...]]


def summarise(state: ClusterState, engine: NetpolEngine, posture: PostureIndex, live: bool,
              problems: list[Problem], unseen: frozenset[str]) -> Summaries:
    """Exposure and findings per namespace, from the same Analysis (options included) `ktui hosts`,
    `check` and `posture` build (live, the source's problems are in the feed, not findings: as
    `ktui check` live)."""
    analysis = Analysis(state, live=live, complete=live, problems=() if live else problems, unseen=unseen,
                        engine=engine, posture_index=posture)
    found = tuple(analysis.findings)
    return exposure_summaries(analysis), findings_summaries(found), found


def since(exposure_was: dict[str, ExposureSummary], findings_was: dict[str, FindingsSummary],
           found_was: tuple[Finding, ...] | None, exposure: dict[str, ExposureSummary],
           by_ns: dict[str, FindingsSummary], found: tuple[Finding, ...], seconds: float,
           version: int) -> OverlayResult:
    """The result that takes a receiver holding the first summaries to the second."""
    return OverlayResult(
        {ns: _slim(x) for ns, x in exposure.items() if exposure_was.get(ns) != x},
        {ns: f for ns, f in by_ns.items() if findings_was.get(ns) != f},
        found if found != found_was else None,
        seconds, version,
        exposure_gone=tuple(ns for ns in exposure_was if ns not in exposure),
        findings_gone=tuple(ns for ns in findings_was if ns not in by_ns),
    )
