"""The admin tiers (sig-network admin policy API) as two tiers of the engine.

Admin tier: AdminNetworkPolicies and Admin-tier ClusterNetworkPolicies, lower priority number
first, rules in the order written; the first rule matching a (peer, port) decides: Allow/Accept
and Deny are final, Pass hands the port on (End.NEXT). Baseline tier: Baseline-tier
ClusterNetworkPolicies, then the BaselineAdminNetworkPolicy, after NetworkPolicy; a Pass there
means the default: allowed. The combination itself is tier.py's, as for every family.

Decisions where the API leaves room:
- A policy affects a direction only if it has rules for it. Ingress peers never match addresses.
- Equal priorities (undefined order) are evaluated by kind (ANP before CNP), then name, and
  reported by priority_conflicts(). The BANP comes after the Baseline-tier CNPs.
- networks match an address range wholly inside a CIDR, and a pod by a known IP (the API says pod
  traffic is checked too); IPv6 CIDRs count, as for ipBlocks.
- nodes match the addresses of the selected Node objects; with no Nodes (plain manifests) nothing.
- A named port is the destination pod's first container port of that name, with its protocol;
  towards an address it matches nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.policy.admin_rules import (
    ADMIN,
    AdminRuleSpec,
    CompiledAdminPolicy,
    compile_admin_policy,
    peer_matches_external,
    peer_matches_subject,
)
from ktui.analysis.policy.tier import End, Mode, PeerMatch, TierContext, TierRule, TierSide, Unknown
from ktui.model.adminpolicy import ADMIN_KINDS
from ktui.store import ClusterState

_KIND_ORDER = {kind: i for i, kind in enumerate(ADMIN_KINDS)}
TIER_ADMIN, TIER_BASELINE = "Admin", "Baseline"
_KINDS_OF = {TIER_ADMIN: ("AdminNetworkPolicy", "ClusterNetworkPolicy"),
             TIER_BASELINE: ("ClusterNetworkPolicy", "BaselineAdminNetworkPolicy")}


def _order(cp: CompiledAdminPolicy) -> tuple[int, int, str]:
    """Priority first; ties (undefined by the API, flagged by priority_conflicts) by kind, then name."""
    return (cp.priority, _KIND_ORDER.get(cp.kind, 9), cp.name)


def ordered_admin_policies(state: ClusterState, cache: dict[object, object] | None = None) -> list[CompiledAdminPolicy]:
    """Compile (reusing `cache` for objects seen before) and order the state's admin policies."""
    compiled: list[CompiledAdminPolicy] = []
    for kind in ADMIN_KINDS:
        for obj in state.objects(kind):
            key = (kind, obj.metadata.name)
            cp = cache.get(key) if cache is not None else None
            if not isinstance(cp, CompiledAdminPolicy) or cp.policy is not obj:
                cp = compile_admin_policy(obj)
                if cache is not None:
                    cache[key] = cp
            compiled.append(cp)
    compiled.sort(key=_order)
    return compiled


class AdminTier:
    """The Admin or the Baseline tier: first match, undecided traffic goes on (End.NEXT)."""

    def __init__(self, state: ClusterState, ctx: TierContext, label: str,
                 policies: tuple[CompiledAdminPolicy, ...]) -> None:
        self.state = state
        self.ctx = ctx
        self.label = label
        self.policies = policies
        hidden = [f"{kind}: {why}" for kind in _KINDS_OF[label] if (why := state.unseen(kind)) is not None]
        self.hidden = "; ".join(hidden) or None
        self._sides: dict[tuple[str, str, frozenset[tuple[str, str]]], TierSide | None] = {}

    def reset(self) -> None:
        self._sides.clear()

    def select(self, subject: Subject, direction: str) -> TierSide | None:
        key = (subject.namespace, direction, subject.label_set)
        if key in self._sides:
            return self._sides[key]
        unknown = self.hidden
        picked: list[CompiledAdminPolicy] = []
        for cp in self.policies:
            if not cp.applies(direction):
                continue
            if cp.subject_pods is not None and not cp.subject_pods.matches(subject.labels):
                continue
            why = self.ctx.namespace_unknown(cp.subject_namespaces)
            if why is not None:
                unknown = unknown or f"{cp.ref}: {why}"
            elif cp.subject_namespaces.matches(self.ctx.ns_labels(subject.namespace)):
                picked.append(cp)
        side = None
        if picked or unknown is not None:
            side = TierSide(self.label, Mode.FIRST_MATCH, End.NEXT, tuple(cp.ref for cp in picked),
                            tuple(r for cp in picked for r in cp.rules(direction)), unknown, tuple(picked))
        self._sides[key] = side
        return side

    def peer_index(self, tier_rule: TierRule, other: Subject | ExternalRange) -> PeerMatch:
        """The first peer entry of the rule matching `other`; False when none does."""
        rule = cast(AdminRuleSpec, tier_rule)
        unknown: Unknown | None = None
        for p in rule.peers:
            if isinstance(other, ExternalRange):
                if peer_matches_external(p, other, self.ctx.node_addresses):
                    return p.index
                continue
            if p.kind in ("namespaces", "pods"):
                why = self.ctx.namespace_unknown(p.namespace_selector)
                if why is not None:
                    unknown = unknown or Unknown(why)
                    continue
            if peer_matches_subject(p, other, self.ctx.ns_labels):
                return p.index
        return unknown if unknown is not None else False

    def may_match_addresses(self, tier_rule: TierRule) -> bool:
        return any(p.kind in ("networks", "nodes") for p in cast(AdminRuleSpec, tier_rule).peers)

    def boundaries(self, direction: str) -> Iterable[tuple[int, int]]:
        """Where networks CIDRs start and end, and the addresses of selected nodes."""
        for cp in self.policies:
            for rule in cp.rules(direction):
                for p in rule.peers:
                    for b in p.blocks:
                        yield from b.boundaries()
                    if p.node_selector is not None:
                        for version, addr in self.ctx.node_addresses(p.node_selector):
                            yield (version, addr)
                            yield (version, addr + 1)

    def blocks(self) -> Iterable[object]:
        return (b for cp in self.policies for d in ("ingress", "egress") for rule in cp.rules(d)
                for p in rule.peers for b in p.blocks)


def _tier(state: ClusterState, ctx: TierContext, label: str) -> list[AdminTier]:
    policies = tuple(cp for cp in ordered_admin_policies(state, ctx.cache("admin"))
                     if (cp.tier == ADMIN) == (label == TIER_ADMIN))
    tier = AdminTier(state, ctx, label, policies)
    return [tier] if policies or tier.hidden else []


def admin_tiers(state: ClusterState, ctx: TierContext) -> list[AdminTier]:
    """The Admin tier: AdminNetworkPolicies and Admin-tier ClusterNetworkPolicies."""
    return _tier(state, ctx, TIER_ADMIN)


def baseline_tiers(state: ClusterState, ctx: TierContext) -> list[AdminTier]:
    """The Baseline tier: Baseline-tier ClusterNetworkPolicies, then the BaselineAdminNetworkPolicy."""
    return _tier(state, ctx, TIER_BASELINE)


@dataclass(frozen=True, slots=True)
class PriorityConflict:
    """Policies of one tier sharing a priority: the API leaves their order undefined."""

    tier: str  # "admin" or "baseline"
    priority: int
    policies: tuple[str, ...]  # Kind/name refs, in the order ktui evaluates them


def priority_conflicts(state: ClusterState) -> list[PriorityConflict]:
    """Equal priorities within a tier (for `ktui check`); the BaselineAdminNetworkPolicy has none."""
    ordered = ordered_admin_policies(state)
    out: list[PriorityConflict] = []
    for tier in (ADMIN, "baseline"):
        by_priority: dict[int, list[str]] = {}
        for cp in ordered:
            if (cp.tier == ADMIN) == (tier == ADMIN) and cp.kind != "BaselineAdminNetworkPolicy":
                by_priority.setdefault(cp.priority, []).append(cp.ref)
        out.extend(PriorityConflict(tier, p, tuple(refs)) for p, refs in sorted(by_priority.items()) if len(refs) > 1)
    return out
