"""The verdict types every tier answers with: which tier decided, with which action, and the rules.

Kept apart from the engine so the tier modules share them without importing each other. A
renderer reads the fields (tier, kind, namespace, policy name, rule index, action), never the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TIER_NETPOL = "NetworkPolicy"


@dataclass(frozen=True, slots=True)
class RuleRef:
    """One rule (and the peer and port entries within it) that allowed, denied or passed a connection."""

    policy: str  # ns/name for a namespaced policy; Kind/name for a cluster-scoped one
    direction: str
    rule: int  # the rule's index in its direction
    peer: int | None  # None: the rule lists no peers (all)
    port: int | None  # None: the rule lists no ports (all)
    tier: str = TIER_NETPOL  # the label verdicts name the deciding policy by (kind, or CNP tier)
    action: str = "Allow"  # as written: Allow, Accept, Deny or Pass
    name: str = ""  # the rule's name (admin policies name their rules)
    kind: str = "NetworkPolicy"  # the policy's kind
    namespace: str = ""  # the policy's namespace ("" for cluster-scoped kinds)
    policy_name: str = ""  # the policy's name

    @property
    def index(self) -> int:
        return self.rule

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
    isolated: bool = False  # some isolating tier (NetworkPolicy, Cilium...) selects the pod this way
    policies: tuple[str, ...] = ()  # the isolating tiers' policies selecting the pod this way
    rules: tuple[RuleRef, ...] = ()  # Pass rules on the way, then the rules that allowed or decided
    tier: str = TIER_NETPOL  # the deciding label: the deciding rule's `tier`, else the deciding tier
    admin_policies: tuple[str, ...] = ()  # the other tiers' policies (admin, baseline...) selecting it
    unknown: str | None = None  # the answer depends on something ktui cannot see (allowed is False)
    action: str | None = None  # the deciding rule's action (normalised: Allow, Deny); None: no rule
    decided_by: str | None = None  # the tier that decided (e.g. "Admin", "NetworkPolicy"); None: default

    def reason(self) -> str:
        if not self.evaluated:
            return "outside the cluster: not subject to policy"
        passed = [r for r in self.rules if r.action == "Pass"]
        deciding = [r for r in self.rules if r.action != "Pass"]
        text = "passed by " + "; ".join(str(r) for r in passed) + "; " if passed else ""
        if self.unknown is not None:
            return text + "unknown: " + self.unknown
        if deciding:
            verb = "allowed by " if self.allowed else "denied by "
            return text + verb + "; ".join(str(r) for r in deciding)
        if not self.allowed:
            return text + "isolated by " + ", ".join(self.policies) + "; no rule allows it"
        return text + "not isolated: all traffic allowed"


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

    @property
    def unknown(self) -> str | None:
        """Why the answer cannot be told, when it cannot (a denied side wins over an unknown one)."""
        sides = (self.egress, self.ingress)
        if any(not d.allowed and d.unknown is None for d in sides):
            return None  # denied for certain
        return next((d.unknown for d in sides if d.unknown is not None), None)
