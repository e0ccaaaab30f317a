"""Exposure and findings per namespace, for the overview and the namespace screen.

These come from ktui.analysis.exposure / findings (built alongside the TUI). Until a module is
present its cells say "n/a" and the attention line says it is not available: never invented data.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from ktui.render.safe import clean
from ktui.tui import fmt
from ktui.tui.bridge import Bridge
from ktui.tui.themes import Palette


@dataclass(frozen=True, slots=True)
class NamespaceExtras:
    exposure_known: bool = False
    hosts: int = 0
    hosts_failing: int = 0
    hosts_warning: int = 0
    findings_known: bool = False
    findings_total: int = 0
    findings_worst: str = ""  # fail | warn | "" (info or none)


NONE = NamespaceExtras()


def namespace_extras(bridge: Bridge, namespace: str) -> NamespaceExtras:
    return NONE


def hosts_cell(p: Palette, ex: NamespaceExtras) -> Text:
    if not ex.exposure_known:
        return fmt.unavailable(p)
    if ex.hosts == 0:
        return Text("-", style=p.muted)
    if ex.hosts_failing:
        return Text(f"{ex.hosts} ✘{ex.hosts_failing}", style=f"bold {p.fail}")
    if ex.hosts_warning:
        return Text(f"{ex.hosts} !{ex.hosts_warning}", style=p.warn)
    return Text(f"{ex.hosts} ✔", style=p.ok)


def findings_cell(p: Palette, ex: NamespaceExtras) -> Text:
    if not ex.findings_known:
        return fmt.unavailable(p)
    return fmt.count(p, ex.findings_total, ex.findings_worst)


def attention(bridge: Bridge, p: Palette) -> Text:
    """One line naming what needs a look first, so a newcomer knows where to go."""
    nps = bridge.namespaces()
    t = Text(no_wrap=True, overflow="ellipsis")
    if not nps:
        t.append(" waiting for the first list…" if not bridge.synced else " no namespaces", style=p.muted)
        return t
    t.append(" needs a look: ", style="bold")
    parts = 0
    dns = sorted((np for np in nps if np.dns_blocked), key=lambda np: -np.dns_blocked)
    if dns:
        names = ", ".join(f"{clean(np.namespace)} ({np.dns_blocked})" for np in dns[:3])
        more = f" +{len(dns) - 3}" if len(dns) > 3 else ""
        t.append(f"✘ DNS blocked in {names}{more}", style=p.fail)
        parts += 1
    extras = [namespace_extras(bridge, np.namespace) for np in nps]
    if any(ex.exposure_known for ex in extras):
        failing = sum(ex.hosts_failing for ex in extras)
        if failing:
            t.append("  ·  " if parts else "")
            t.append(f"✘ {failing} broken host{'s' * (failing != 1)}", style=p.fail)
            parts += 1
    if any(ex.findings_known for ex in extras):
        total = sum(ex.findings_total for ex in extras)
        if total:
            t.append("  ·  " if parts else "")
            t.append(f"{total} findings (s: sort by findings)", style=p.warn)
            parts += 1
    open_ns = sum(1 for np in nps if np.pods and np.egress_isolated == 0)
    if open_ns:
        t.append("  ·  " if parts else "")
        t.append(f"egress open in {open_ns}/{len(nps)} namespaces", style=p.muted)
        parts += 1
    if not parts:
        t.append("✔ nothing", style=p.ok)
    if not any(ex.exposure_known for ex in extras):
        t.append("  ·  exposure: not available", style=f"italic {p.muted}")
    if not any(ex.findings_known for ex in extras):
        t.append("  ·  findings: not available", style=f"italic {p.muted}")
    return t


def fill_exposure(bridge: Bridge, namespace: str, table: object, p: Palette) -> bool:
    """Fill the Exposure tab; False when exposure analysis is not available."""
    return False


def fill_findings(bridge: Bridge, namespace: str, table: object, p: Palette) -> bool:
    """Fill the Findings tab; False when the findings catalogue is not available."""
    return False


def touches(update: object, namespace: str) -> bool:
    """Whether a batch changed the namespace's exposure or findings (beyond its posture)."""
    return False


def finding_target(bridge: Bridge, namespace: str, key: str | None) -> str | None:
    """The `:` command that shows the object a finding points at."""
    return None


def triage_text(bridge: Bridge, target: str, p: Palette) -> Text | None:
    """The triage chain for host[/path] as coloured lines; None when triage is not available."""
    return None


def host_names(bridge: Bridge) -> list[str]:
    """Every exposed host, for completion; empty when exposure is not available."""
    return []
