"""Exposure and findings per namespace, as the overview counts them.

Each exposed entry is judged by its own triage chain (ktui.analysis.exposure.triage), so a host the
overview marks broken is one `:triage` shows broken, link by link. Computed in the overlay
process (ktui.tui.overlay); pure, no Textual.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ktui.analysis.exposure.entries import Exposure, exposures
from ktui.analysis.exposure.triage import Triager
from ktui.analysis.findings.catalogue import Finding, Severity
from ktui.analysis.policy.engine import NetpolEngine
from ktui.store import ClusterState


@dataclass(frozen=True, slots=True)
class EntryHealth:
    """One exposed entry with its triage verdict: the worst link, and that link's reason."""

    entry: Exposure
    status: str  # ok | warn | fail
    reason: str = ""
    obj: str = ""


@dataclass(frozen=True, slots=True)
class ExposureSummary:
    namespace: str
    entries: tuple[EntryHealth, ...]
    hosts: int = field(init=False)  # distinct (host, port)
    failing: int = field(init=False)
    warning: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hosts", len({(h.entry.host, h.entry.port) for h in self.entries}))
        object.__setattr__(self, "failing", sum(h.status == "fail" for h in self.entries))
        object.__setattr__(self, "warning", sum(h.status == "warn" for h in self.entries))


def exposure_summaries(state: ClusterState, engine: NetpolEngine | None = None,
                       live: bool | None = None) -> dict[str, ExposureSummary]:
    """Every exposed entry per namespace, each judged by its own triage chain."""
    triager = Triager(state, live, engine)
    grouped: dict[str, list[EntryHealth]] = {}
    for e in exposures(state, include_unattached=True):
        chain = triager.chain(e, e.host, e.path or "/")
        bad = next((lk for lk in chain.links if lk.status == chain.status and lk.status != "ok"), None)
        health = EntryHealth(e, chain.status, bad.reason if bad else "", bad.obj if bad else "")
        grouped.setdefault(e.namespace, []).append(health)
    return {ns: ExposureSummary(ns, tuple(hs)) for ns, hs in grouped.items()}


@dataclass(frozen=True, slots=True)
class FindingsSummary:
    namespace: str  # "" for cluster-scoped findings
    findings: tuple[Finding, ...]
    total: int = field(init=False)
    worst: Severity | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", len(self.findings))
        worst = max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)
        object.__setattr__(self, "worst", worst)


def findings_summaries(found: Iterable[Finding]) -> dict[str, FindingsSummary]:
    grouped: dict[str, list[Finding]] = {}
    for f in found:
        grouped.setdefault(f.object.namespace, []).append(f)
    return {ns: FindingsSummary(ns, tuple(fs)) for ns, fs in grouped.items()}
