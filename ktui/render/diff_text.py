"""A posture diff as a plain-text review (sections, one line per change) and as JSON-ready dicts."""

from __future__ import annotations

from typing import Any

from ktui.analysis.diff import ConnChange, EgressChange, PostureDiff
from ktui.render.findings_text import finding_lines
from ktui.render.safe import clean


def _conn(c: ConnChange, mark: str) -> str:
    return f"  {mark} {clean(c.src)} => {clean(c.dst)} : {c.old.describe()} -> {c.new.describe()}"


def _egress(e: EgressChange) -> str:
    def side(cls: object, dns: bool | None) -> str:
        if cls is None:
            return "(absent)"
        value = getattr(cls, "value", str(cls))
        return f"{value}{'' if dns else ' (DNS blocked)'}"

    mark = "+" if e.widened else ("~" if e.old is None or e.new is None else "-")
    return f"  {mark} {clean(e.workload)}: {side(e.old, e.old_dns)} -> {side(e.new, e.new_dns)}"


def diff_lines(d: PostureDiff, old_label: str, new_label: str, wide: bool = False) -> list[str]:
    """The review, section by section; `wide` (-o wide) gives each added finding's detail and help too."""
    lines = [f"OLD: {clean(old_label)}", f"NEW: {clean(new_label)}", ""]

    def section(title: str, items: list[str]) -> None:
        lines.append(f"{title} ({len(items)}):")
        lines.extend(items or ["  (none)"])
        lines.append("")

    section("Newly exposed", [f"  + {clean(h)}" for h in d.hosts_added])
    section("No longer exposed", [f"  - {clean(h)}" for h in d.hosts_removed])
    section("Egress class changes (+ more open)", [_egress(e) for e in d.egress_changes])
    section("Connections newly allowed", [_conn(c, "+") for c in d.connections_added])
    section("Connections removed", [_conn(c, "-") for c in d.connections_removed])
    added = [line for f in d.findings_added for line in finding_lines(f, wide)]
    fixed = [line for f in d.findings_fixed for line in finding_lines(f)[:2]]
    lines.append(f"Findings added ({len(d.findings_added)}):")
    lines.extend(added or ["  (none)"])
    lines.append("")
    lines.append(f"Findings fixed ({len(d.findings_fixed)}):")
    lines.extend(fixed or ["  (none)"])
    lines.append("")
    if d.empty:
        verdict = "no change to posture"
    elif d.widening:
        verdict = "NEW is more open than OLD (widening)"
    else:
        verdict = "NEW is not more open than OLD"
    lines.append(f"Verdict: {verdict}")
    return lines


def diff_json(d: PostureDiff, old_label: str, new_label: str) -> dict[str, Any]:
    return {
        "old": old_label,
        "new": new_label,
        "widening": d.widening,
        "hosts": {"added": [h.to_json() for h in d.hosts_added], "removed": [h.to_json() for h in d.hosts_removed]},
        "egress": [e.to_json() for e in d.egress_changes],
        "connections": {"added": [c.to_json() for c in d.connections_added],
                        "removed": [c.to_json() for c in d.connections_removed]},
        "findings": {"added": [f.to_json() for f in d.findings_added],
                     "fixed": [f.to_json() for f in d.findings_fixed]},
    }
