"""Exposure and findings per namespace for the screens, from the bridge's overlay results.

The overlay thread computes them (ktui.analysis.posture summaries over exposure, triage and
findings); until its first result lands the cells say "…", and if it failed they say "n/a".
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from ktui.analysis.exposure.hostnames import ANY_HOST
from ktui.analysis.findings import Severity
from ktui.analysis.posture import NamespaceOverview
from ktui.render import triage_text
from ktui.tui import fmt
from ktui.tui.bridge import Bridge, Update
from ktui.tui.summaries import EntryHealth
from ktui.tui.themes import Palette

SEVERITY_LEVEL = {Severity.CRITICAL: "fail", Severity.HIGH: "fail", Severity.MEDIUM: "warn",
                  Severity.LOW: "", Severity.INFO: ""}


@dataclass(frozen=True, slots=True)
class NamespaceExtras:
    exposure_known: bool = False
    hosts: int = 0
    hosts_failing: int = 0
    hosts_warning: int = 0
    hosts_unknown: int = 0
    findings_known: bool = False
    findings_total: int = 0
    findings_worst: str = ""  # fail | warn | "" (low, info or none)


def extras_of(row: NamespaceOverview | None) -> NamespaceExtras:
    """The hosts and findings cells' figures, read from the overview row (`ktui posture`'s object)."""
    if row is None:
        return NamespaceExtras()
    worst = row.worst_finding
    return NamespaceExtras(
        exposure_known=row.hosts is not None,
        hosts=row.host_count,
        hosts_failing=row.hosts_with("fail"),
        hosts_warning=row.hosts_with("warn"),
        hosts_unknown=row.hosts_with("unknown"),
        findings_known=row.findings is not None,
        findings_total=row.findings_total,
        findings_worst=SEVERITY_LEVEL[worst] if worst is not None else "",
    )


def namespace_extras(bridge: Bridge, namespace: str) -> NamespaceExtras:
    return extras_of(bridge.overview(namespace))


def _pending(p: Palette, bridge: Bridge) -> Text:
    return fmt.unavailable(p, "n/a" if bridge.overlay_error else "…")


def hosts_cell(p: Palette, ex: NamespaceExtras, bridge: Bridge) -> Text:
    if not ex.exposure_known:
        return _pending(p, bridge)
    if ex.hosts == 0:
        return Text("-", style=p.muted)
    if ex.hosts_failing:
        return Text(f"{ex.hosts} ✘{ex.hosts_failing}", style=f"bold {p.fail}")
    if ex.hosts_warning:
        return Text(f"{ex.hosts} !{ex.hosts_warning}", style=p.warn)
    if ex.hosts_unknown:
        return Text(f"{ex.hosts} ?{ex.hosts_unknown}", style=p.muted)
    return Text(f"{ex.hosts} ✔", style=p.ok)


def findings_cell(p: Palette, ex: NamespaceExtras, bridge: Bridge) -> Text:
    if not ex.findings_known:
        return _pending(p, bridge)
    return fmt.count(p, ex.findings_total, ex.findings_worst)


def touches(update: Update, namespace: str) -> bool:
    return namespace in update.overlay or update.first_sync


def finding_target(bridge: Bridge, namespace: str, key: str | None) -> str | None:
    """The `:` command that shows what a finding is about: its pod, or its namespace's pods."""
    summary = bridge.findings.get(namespace) if bridge.findings is not None else None
    if summary is None or key is None or not key.isdigit() or int(key) >= summary.total:
        return None
    obj = summary.findings[int(key)].object
    if obj.kind == "Pod":
        return f"pod {obj.namespace}/{obj.name}"
    np = bridge.namespace(obj.namespace)
    for pod in np.pods if np is not None else ():
        if pod.subject.workload.name == obj.name or pod.subject.name.startswith(obj.name + "-"):
            return f"pod {obj.namespace}/{pod.subject.name}"
    return None


def target(h: EntryHealth) -> str:
    """What `:triage` takes for an entry: its host (or first address, for an address entry) and path."""
    host = h.entry.host
    if host in ("<every node>", "<pending>", ANY_HOST) and h.entry.addresses:
        host = h.entry.addresses[0]
    return f"{host}{h.entry.path if h.entry.path not in ('', '/') else ''}"


def host_names(bridge: Bridge) -> list[str]:
    """Every exposed entry's triage target, for completion and the palette."""
    return sorted({target(h) for s in (bridge.exposure or {}).values() for h in s.entries})


def entries_to_pod(bridge: Bridge, namespace: str, name: str) -> list[EntryHealth]:
    """The exposed entries (of any namespace: routes cross them) whose backends reach the pod."""
    return [h for s in (bridge.exposure or {}).values() for h in s.entries
            if any(p.namespace == namespace and p.name == name for b in h.entry.backends for p in b.pods)]


def triage_lines(bridge: Bridge, target: str, p: Palette) -> Text:
    """The chain for host[/path], computed now on the live store (the caller holds polling);
    worded by ktui.render.triage_text, coloured by the theme."""
    result = bridge.analysis.triage(target)
    styles = {lvl: p.level(lvl) for lvl in ("ok", "warn", "fail")}
    return triage_text.triage_rich(result, styles, fmt.MARK, p.muted)
