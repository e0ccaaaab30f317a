"""The verdict types every tier answers with: which tier decided, and the rules that did.

Kept apart from the engines so NetworkPolicy and the admin tiers share them without importing each
other; ktui.analysis.policy.engine re-exports them for callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TIER_NETPOL = "NetworkPolicy"


@dataclass(frozen=True, slots=True)
class RuleRef:
    """One rule (and the peer and port entries within it) that allowed, denied or passed a connection."""

    policy: str  # ns/name for a NetworkPolicy; Kind/name for an admin policy
    direction: str
    rule: int
    peer: int | None  # None: the rule lists no peers (all)
    port: int | None  # None: the rule lists no ports (all)
    tier: str = TIER_NETPOL
    action: str = "Allow"  # as written: Allow, Accept, Deny or Pass
    name: str = ""  # the rule's name (admin policies name their rules)

    def __str__(self) -> str:
        where = f"{self.policy} {self.direction}[{self.rule}]"
        if self.name:
            where += f' "{self.name}"'
        if self.peer is not None:
            where += f" peer[{self.peer}]"
        if self.port is not None:
            where += f" port[{self.port}]"
        if self.tier != TIER_NETPOL:
            where += f" ({self.action})"
        return where


@dataclass(frozen=True, slots=True)
class DirectionVerdict:
    direction: str
    allowed: bool
    evaluated: bool = True  # False when this end is outside the cluster
    isolated: bool = False  # some NetworkPolicy selects the pod for this direction
    policies: tuple[str, ...] = ()  # NetworkPolicies selecting the pod for this direction
    rules: tuple[RuleRef, ...] = ()  # Pass rules on the way, then the rules that allowed or decided
    tier: str = TIER_NETPOL  # the tier that decided
    admin_policies: tuple[str, ...] = ()  # admin and baseline policies selecting the pod this way

    def reason(self) -> str:
        if not self.evaluated:
            return "outside the cluster: not subject to policy"
        passed = [r for r in self.rules if r.action == "Pass"]
        deciding = [r for r in self.rules if r.action != "Pass"]
        text = "passed by " + "; ".join(str(r) for r in passed) + "; " if passed else ""
        if self.tier != TIER_NETPOL:
            verb = "allowed by " if self.allowed else "denied by "
            return text + verb + "; ".join(str(r) for r in deciding)
        if not self.isolated:
            return text + "not isolated: all traffic allowed"
        if deciding:
            return text + "allowed by " + "; ".join(str(r) for r in deciding)
        return text + "isolated by " + ", ".join(self.policies) + "; no rule allows it"


@dataclass(frozen=True, slots=True)
class Verdict:
    src: str
    dst: str
    port: int
    protocol: str
    egress: DirectionVerdict
    ingress: DirectionVerdict
    allowed: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed", self.egress.allowed and self.ingress.allowed)
