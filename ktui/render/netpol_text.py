"""Explanations, verdicts and connectivity lists as plain text lines and JSON-ready dicts."""

from __future__ import annotations

from typing import Any

from ktui.analysis.policy.admin_rules import CompiledAdminPolicy
from ktui.analysis.policy.connectivity import Connection
from ktui.analysis.policy.engine import DirectionVerdict, Verdict
from ktui.analysis.policy.explain import DirectionExplanation, Explanation
from ktui.render.safe import clean
from ktui.render.words import (
    describe_admin_policy,
    describe_admin_policy_direction,
    describe_policy_direction,
)


def _count(n: int) -> str:
    return f"{n} polic{'y' if n == 1 else 'ies'}"


def _netpol_lines(d: DirectionExplanation, indent: str) -> list[str]:
    lines = []
    for cp in d.policies:
        lines.append(f"{indent}{clean(cp.ref)}")
        lines.extend(f"{indent}  {line}" for line in describe_policy_direction(cp, d.direction))
    return lines


def _admin_lines(policies: tuple[CompiledAdminPolicy, ...], direction: str) -> list[str]:
    lines = []
    for cp in policies:
        lines.append(f"    {describe_admin_policy(cp)}")
        lines.extend(f"      {line}" for line in describe_admin_policy_direction(cp, direction))
    return lines


def direction_lines(d: DirectionExplanation) -> list[str]:
    """Without admin policies: the NetworkPolicy picture. With them: the three tiers in order."""
    title = d.direction.capitalize()
    if not d.admin and not d.baseline:
        if not d.isolated:
            return [f"{title}: not isolated: all traffic allowed"]
        return [f"{title}: isolated by {_count(len(d.policies))}", *_netpol_lines(d, "  ")]
    lines = [f"{title}:"]
    if d.admin:
        lines.append(f"  admin tier: {_count(len(d.admin))}; the first rule matching a connection decides"
                     " (Allow/Accept and Deny are final, Pass goes on)")
        lines += _admin_lines(d.admin, d.direction)
    if d.isolated:
        lines.append(f"  NetworkPolicy: isolated by {_count(len(d.policies))}; decides what the admin tier left")
        lines += _netpol_lines(d, "    ")
    else:
        lines.append("  NetworkPolicy: not isolated")
    if d.baseline:
        state = "not used: a NetworkPolicy isolates the pod" if d.isolated else "decides what is left; else allowed"
        lines.append(f"  baseline tier: {_count(len(d.baseline))}; {state}")
        lines += _admin_lines(d.baseline, d.direction)
    elif not d.isolated:
        lines.append("  no baseline policy: what the admin tier left is allowed")
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


def _admin_json(policies: tuple[CompiledAdminPolicy, ...], direction: str) -> list[dict[str, Any]]:
    return [
        {"policy": cp.ref, "kind": cp.kind, "tier": cp.label, "priority": cp.priority if cp.kind !=
         "BaselineAdminNetworkPolicy" else None, "rules": describe_admin_policy_direction(cp, direction)}
        for cp in policies
    ]


def _direction_json(d: DirectionExplanation) -> dict[str, Any]:
    return {
        "isolated": d.isolated,
        "policies": [
            {"policy": cp.ref, "rules": describe_policy_direction(cp, d.direction)}
            for cp in d.policies
        ],
        "admin": _admin_json(d.admin, d.direction),
        "baseline": _admin_json(d.baseline, d.direction),
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
        "adminPolicies": list(d.admin_policies),
        "rules": [
            {
                "tier": r.tier, "policy": r.policy, "direction": r.direction, "rule": r.rule,
                "name": r.name, "peer": r.peer, "port": r.port, "action": r.action,
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
