"""Explanations, verdicts and connectivity lists as plain text lines and JSON-ready dicts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ktui.analysis.policy import (
    Connection,
    DirectionExplanation,
    DirectionVerdict,
    EgressPath,
    Explanation,
    Verdict,
)
from ktui.analysis.policy.explain import TierExplanation
from ktui.analysis.policy.tier import End, Mode
from ktui.render.safe import clean
from ktui.render.words import DENY, describe_policy_info, describe_policy_rules, policy_rule_items

_ADMIN, _NETPOL, _BASELINE = "Admin", "NetworkPolicy", "Baseline"


def _count(n: int) -> str:
    return f"{n} polic{'y' if n == 1 else 'ies'}"


@dataclass(frozen=True, slots=True)
class ExplainLine:
    """One line of an explanation with what it is about: a rule line carries its rule's action
    (Allow, Deny, Pass, Log; Deny for "no rules: denies all"), so a screen colours denies from
    the data, not from the words."""

    text: str
    action: str = ""  # "" for headings and tier lines

    @property
    def denies(self) -> bool:
        return self.action == DENY


def _policy_lines(t: TierExplanation, direction: str, indent: str) -> list[ExplainLine]:
    lines = []
    for info in t.policies:
        lines.append(ExplainLine(f"{indent}{describe_policy_info(info)}"))
        lines.extend(ExplainLine(f"{indent}  {text}", action) for text, action in policy_rule_items(info, direction))
    return lines


def _tier_head(t: TierExplanation, isolated: bool) -> str:
    """The line that says what a tier does with the pod's traffic."""
    n = _count(len(t.policies))
    if t.unknown is not None:
        return f"{clean(t.tier)}: unknown: {clean(t.unknown)}"
    if t.tier == _ADMIN:
        return (f"admin tier: {n}; the first rule matching a connection decides"
                " (Allow/Accept and Deny are final, Pass goes on)")
    if t.tier == _NETPOL:
        return f"NetworkPolicy: isolated by {n}; decides what the admin tier left"
    if t.tier == _BASELINE:
        state = "not used: a NetworkPolicy isolates the pod" if isolated else "decides what is left; else allowed"
        return f"baseline tier: {n}; {state}"
    how = "the first matching rule decides" if t.mode is Mode.FIRST_MATCH else "allows the union of its rules"
    end = "; what no rule decides is denied" if t.end is End.DENY else ""
    return f"{clean(t.tier)}: {n}; {how}{end}"


def direction_items(d: DirectionExplanation) -> list[ExplainLine]:
    """Only NetworkPolicy (or nothing): the NetworkPolicy picture. Else every tier in order; with
    admin tiers, where NetworkPolicy stands between them and what is left after them."""
    title = d.direction.capitalize()
    plain = [t for t in d.tiers if t.tier != _NETPOL or t.unknown is not None]
    if not plain:
        if not d.isolated:
            return [ExplainLine(f"{title}: not isolated: all traffic allowed")]
        netpol = d.tiers[0]
        return [ExplainLine(f"{title}: isolated by {_count(len(netpol.policies))}"),
                *_policy_lines(netpol, d.direction, "  ")]
    admin_picture = any(t.tier in (_ADMIN, _BASELINE) for t in d.tiers)
    netpol_elsewhere = any(p.kind == "NetworkPolicy" for t in d.tiers if t.tier != _NETPOL for p in t.policies)
    netpol_seen = not admin_picture or netpol_elsewhere
    lines = [ExplainLine(f"{title}:")]
    for t in d.tiers:
        if t.tier == _BASELINE and not netpol_seen:
            lines.append(ExplainLine("  NetworkPolicy: not isolated"))
            netpol_seen = True
        netpol_seen = netpol_seen or t.tier == _NETPOL
        lines.append(ExplainLine(f"  {_tier_head(t, d.isolated)}"))
        lines += _policy_lines(t, d.direction, "    ")
    if not netpol_seen:
        lines.append(ExplainLine("  NetworkPolicy: not isolated"))
    if admin_picture and not d.isolated and not any(t.tier == _BASELINE for t in d.tiers):
        lines.append(ExplainLine("  no baseline policy: what the admin tier left is allowed"))
    return lines


def direction_lines(d: DirectionExplanation) -> list[str]:
    """direction_items as text (`ktui explain`)."""
    return [line.text for line in direction_items(d)]


def egress_path_lines(paths: Sequence[EgressPath]) -> list[str]:
    """How the pod's traffic leaves the cluster (Analysis.egress_path), one line per path; nothing
    when the cluster declares no egress path (no IPPool, no egress gateway)."""
    if not paths:
        return []
    return ["Egress path:", *(f"  {clean(p.describe())}" for p in paths)]


def explanation_lines(e: Explanation, paths: Sequence[EgressPath] = ()) -> list[str]:
    """`paths`: Analysis.egress_path(subject), shown after the egress rules (the lines before
    stay as they were)."""
    s = e.subject
    lines = [f"{clean(s.namespace)}/{clean(s.name)}  (shown as {clean(s.workload)})"]
    lines += direction_lines(e.ingress)
    lines += direction_lines(e.egress)
    lines += egress_path_lines(paths)
    lines.append(f"Can be reached from ({len(e.inbound)}):")
    lines.extend(f"  {clean(c.src)} : {c.conns.describe()}" for c in e.inbound)
    lines.append(f"Can reach ({len(e.outbound)}):")
    lines.extend(f"  {clean(c.dst)} : {c.conns.describe()}" for c in e.outbound)
    return lines


def _policies_json(t: TierExplanation, direction: str) -> list[dict[str, Any]]:
    return [{"policy": p.ref, "kind": p.kind, "namespace": p.namespace, "name": p.name, "tier": p.tier,
             "priority": p.priority, "rules": describe_policy_rules(p, direction)} for p in t.policies]


def _old_json(d: DirectionExplanation, tier: str) -> list[dict[str, Any]]:
    out = []
    for t in d.tiers:
        if t.tier == tier:
            for p in t.policies:
                entry: dict[str, Any] = {"policy": p.ref, "rules": describe_policy_rules(p, d.direction)}
                if tier != _NETPOL:
                    entry = {"policy": p.ref, "kind": p.kind, "tier": p.tier, "priority": p.priority,
                             "rules": entry["rules"]}
                out.append(entry)
    return out


def _direction_json(d: DirectionExplanation) -> dict[str, Any]:
    return {
        "isolated": d.isolated,
        "policies": _old_json(d, _NETPOL),
        "admin": _old_json(d, _ADMIN),
        "baseline": _old_json(d, _BASELINE),
        "tiers": [{"tier": t.tier, "mode": t.mode.value, "end": t.end.value, "unknown": t.unknown,
                   "policies": _policies_json(t, d.direction)} for t in d.tiers],
    }


def explanation_json(e: Explanation, paths: Sequence[EgressPath] = ()) -> dict[str, Any]:
    """`egressPath`: the paths (Analysis.egress_path), [] when the cluster declares none."""
    return {
        "pod": f"{e.subject.namespace}/{e.subject.name}",
        "workload": str(e.subject.workload),
        "ingress": _direction_json(e.ingress),
        "egress": _direction_json(e.egress),
        "egressPath": [p.to_json() for p in paths],
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
        "decidedBy": d.decided_by,
        "action": d.action,
        "unknown": d.unknown,
        "rules": [
            {
                "tier": r.tier, "policy": r.policy, "direction": r.direction, "rule": r.rule,
                "name": r.name, "peer": r.peer, "port": r.port, "action": r.action,
                "kind": r.kind, "namespace": r.namespace, "policyName": r.policy_name,
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
