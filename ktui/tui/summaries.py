"""Exposure and findings per namespace, as the overview counts them.

Each exposed entry carries the one host status (ktui.analysis.exposure.status, judged on its own
triage chain), so a host the overview marks broken is one `:triage` shows broken, link by link.
Computed in the overlay process (ktui.tui.overlay) from its Analysis; pure, no Textual.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ktui.analysis.analysis import Analysis
from ktui.analysis.exposure.status import HostHealth
from ktui.analysis.findings import Finding, Severity

EntryHealth = HostHealth  # one exposed entry with its status (ktui.analysis.exposure.status)


@dataclass(frozen=True, slots=True)
class ExposureSummary:
    namespace: str
    entries: tuple[EntryHealth, ...]
    hosts: int = field(init=False)  # distinct (host, port)
    failing: int = field(init=False)
    warning: int = field(init=False)
    unknown: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hosts", len({(h.entry.host, h.entry.port) for h in self.entries}))
        object.__setattr__(self, "failing", sum(h.status == "fail" for h in self.entries))
        object.__setattr__(self, "warning", sum(h.status == "warn" for h in self.entries))
        object.__setattr__(self, "unknown", sum(h.status == "unknown" for h in self.entries))


def exposure_summaries(analysis: Analysis) -> dict[str, ExposureSummary]:
    """Every exposed entry per namespace with its status: the Analysis's, which `ktui hosts` and
    `ktui posture` print too."""
    return {ns: ExposureSummary(ns, tuple(hs)) for ns, hs in analysis.host_health_by_namespace.items()}


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
