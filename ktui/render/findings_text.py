"""Findings as a plain-text report (for terminals and CI logs) and as JSON-ready dicts.

The text keeps each finding whole (no truncation: CI logs are read later, often by someone who
only has the log): a head line with severity, code, object and file:line, then the message and
the fix indented. A per-namespace score table and a one-line verdict follow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from ktui.analysis.findings.catalogue import CATALOGUE, Finding, Severity
from ktui.analysis.findings.checks import WEIGHTS, at_or_above
from ktui.analysis.findings.cni import CniVerdict
from ktui.render.safe import clean

ORDER = tuple(reversed(Severity))  # critical first


def finding_lines(f: Finding, wide: bool = False) -> list[str]:
    """Head line, message, fix; `wide` (-o wide) adds what within the object and why the rule matters."""
    where = f"  ({clean(f.object.where)})" if f.object.where else ""
    lines = [
        f"{f.severity.value.upper():<8} {f.code} {f.slug}  {clean(f.object)}{where}",
        f"         {clean(f.message)}",
        f"         fix: {clean(f.fix)}",
    ]
    if wide:
        rule = CATALOGUE.get(f.code)
        if f.detail:
            lines.append(f"         at: {clean(f.detail)}")
        if rule is not None and rule.help:
            lines.append(f"         why: {clean(rule.help)}")
    return lines


def counts(found: Iterable[Finding]) -> Counter[Severity]:
    return Counter(f.severity for f in found)


def score_lines(found: list[Finding], scores: Mapping[str, int]) -> list[str]:
    by_ns: dict[str, Counter[Severity]] = {}
    for f in found:
        by_ns.setdefault(f.object.namespace, Counter())[f.severity] += 1
    width = max([len("NAMESPACE"), *(len(clean(ns or "(cluster)")) for ns in scores)])
    head = f"{'NAMESPACE':<{width}}  SCORE  " + "  ".join(f"{s.value.upper():>8}" for s in ORDER)
    lines = [head]
    for ns, score in scores.items():
        c = by_ns.get(ns, Counter())
        cells = "  ".join(f"{c.get(s, 0):>8}" for s in ORDER)
        lines.append(f"{clean(ns or '(cluster)'):<{width}}  {score:>5}  {cells}")
    return lines


def summary_line(found: list[Finding], fail_on: Severity) -> str:
    c = counts(found)
    parts = ", ".join(f"{c.get(s, 0)} {s.value}" for s in ORDER)
    failing = len(at_or_above(found, fail_on))
    verdict = "FAIL" if failing else "PASS"
    return f"{verdict}: {len(found)} finding(s) ({parts}); {failing} at or above {fail_on.value}"


def report_lines(found: list[Finding], scores: Mapping[str, int], fail_on: Severity,
                 cni: CniVerdict | None = None, wide: bool = False) -> list[str]:
    lines: list[str] = []
    for f in found:
        lines.extend(finding_lines(f, wide))
    if not found:
        lines.append("No findings.")
    lines.append("")
    weights = ", ".join(f"{s.value} {WEIGHTS[s]}" for s in ORDER)
    lines.append(f"Score per namespace: 100 minus {weights}; floor 0")
    lines.extend(score_lines(found, scores))
    if cni is not None:
        lines.append("")
        lines.append(f"Network plugin: {clean(cni.describe())}")
    lines.append("")
    lines.append(summary_line(found, fail_on))
    return lines


def cni_json(cni: CniVerdict) -> dict[str, Any]:
    return {
        "enforcement": cni.enforcement.value,
        "plugins": list(cni.plugins),
        "evidence": [{"plugin": e.plugin, "enforces": e.enforces, "kind": e.kind, "namespace": e.namespace,
                      "name": e.name, "how": e.how} for e in cni.evidence],
    }


def report_json(found: list[Finding], scores: Mapping[str, int], fail_on: Severity,
                cni: CniVerdict | None = None) -> dict[str, Any]:
    c = counts(found)
    out: dict[str, Any] = {
        "findings": [f.to_json() for f in found],
        "summary": {
            "total": len(found),
            "bySeverity": {s.value: c.get(s, 0) for s in ORDER},
            "failOn": fail_on.value,
            "failing": len(at_or_above(found, fail_on)),
        },
        "scores": dict(scores),
    }
    if cni is not None:
        out["cni"] = cni_json(cni)
    return out
