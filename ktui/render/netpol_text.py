"""Explanations, verdicts and connectivity lists as plain text lines and JSON-ready dicts."""

from __future__ import annotations

from typing import Any

from ktui.analysis.connectivity import Connection
from ktui.analysis.explain import DirectionExplanation, Explanation
from ktui.analysis.netpol import DirectionVerdict, Verdict
from ktui.render.safe import clean
from ktui.render.words import describe_policy_direction


def direction_lines(d: DirectionExplanation) -> list[str]:
    title = d.direction.capitalize()
    if not d.isolated:
        return [f"{title}: not isolated: all traffic allowed"]
    n = len(d.policies)
    lines = [f"{title}: isolated by {n} polic{'y' if n == 1 else 'ies'}"]
    for cp in d.policies:
        lines.append(f"  {clean(cp.ref)}")
        lines.extend(f"    {line}" for line in describe_policy_direction(cp, d.direction))
    return lines


def explanation_lines(e: Explanation) -> list[str]:
    s = e.subject
    lines = [f"{clean(s.namespace)}/{clean(s.name)}  (shown as {clean(s.workload)})"]
    lines += direction_lines(e.ingress)
    lines += direction_lines(e.egress)
    lines.append(f"Can be reached from ({len(e.inbound)}):")
    lines.extend(f"  {clean(c.src)} : {c.conns.describe()}" for c in e.inbound)
    lines.append(f"Can reach ({len(e.outbound)}):")
    lines.extend(f"  {clean(c.dst)} : {c.conns.describe()}" for c in e.outbound)
    return lines


def _direction_json(d: DirectionExplanation) -> dict[str, Any]:
    return {
        "isolated": d.isolated,
        "policies": [
            {"policy": cp.ref, "rules": describe_policy_direction(cp, d.direction)}
            for cp in d.policies
        ],
    }


def explanation_json(e: Explanation) -> dict[str, Any]:
    return {
        "pod": f"{e.subject.namespace}/{e.subject.name}",
        "workload": str(e.subject.workload),
        "ingress": _direction_json(e.ingress),
        "egress": _direction_json(e.egress),
        "reachableFrom": [c.to_json() for c in e.inbound],
        "canReach": [c.to_json() for c in e.outbound],
    }


def verdict_lines(v: Verdict) -> list[str]:
    answer = "yes" if v.allowed else "no"
    lines = [f"{answer}: {clean(v.src)} -> {clean(v.dst)} on {v.port}/{v.protocol}"]
    for d in (v.egress, v.ingress):
        mark = "allowed" if d.allowed else "DENIED"
        lines.append(f"  {d.direction} ({d.tier}): {mark}: {clean(d.reason())}")
    return lines


def _dv_json(d: DirectionVerdict) -> dict[str, Any]:
    return {
        "allowed": d.allowed,
        "evaluated": d.evaluated,
        "isolated": d.isolated,
        "tier": d.tier,
        "policies": list(d.policies),
        "rules": [
            {
                "tier": r.tier, "policy": r.policy, "direction": r.direction, "rule": r.rule,
                "peer": r.peer, "port": r.port, "action": r.action,
            }
            for r in d.rules
        ],
        "reason": d.reason(),
    }


def verdict_json(v: Verdict) -> dict[str, Any]:
    return {
        "allowed": v.allowed, "src": v.src, "dst": v.dst, "port": v.port,
        "protocol": v.protocol, "egress": _dv_json(v.egress), "ingress": _dv_json(v.ingress),
    }


def connectivity_lines(conns: list[Connection]) -> list[str]:
    return [clean(c.line()) for c in conns]


def connectivity_json(conns: list[Connection]) -> dict[str, Any]:
    return {"connections": [c.to_json() for c in conns]}
