"""How the admin tiers combine with NetworkPolicy, per direction (sig-network admin policy API).

Admin tier (ANPs and Admin-tier ClusterNetworkPolicies, lower priority number first, rules in the
order written): the first rule matching the peer decides each port; Allow/Accept and Deny are final,
Pass hands the port on. Then NetworkPolicy, when one selects the pod in that direction: it decides
everything the admin tier left open, allowing only what its rules allow. Otherwise the baseline tier
(the BaselineAdminNetworkPolicy, Baseline-tier CNPs): a first-matching Deny denies, anything else is
allowed. As sets, with A/D the admin Allow/Deny ports, NP the NetworkPolicy ports and BD the
baseline Deny ports:

    NetworkPolicy selects the pod:  A | (NP - D)
    otherwise:                      ALL - D - (BD - A)

which is what np-guard/netpol-analyzer computes, and what the per-port verdicts in netpol.py say.

Decisions where the API leaves room (or that analyzer differs):
- A policy affects a direction only if it has rules for it. Ingress peers never match addresses.
- Equal priorities (undefined order) are evaluated by kind (ANP before CNP), then name, and
  reported by priority_conflicts(). ANPs and Admin-tier CNPs share one order; the BANP comes after
  the Baseline-tier CNPs. A Baseline-tier Pass means the default: allowed.
- networks match an address range wholly inside a CIDR, and a pod by a known IP (the API says pod
  traffic is checked too); IPv6 CIDRs count, as for ipBlocks (the analyzer skips them).
- nodes match the addresses of the selected Node objects; with no Nodes (plain manifests) nothing.
- A named port is the destination pod's first container port of that name, with its protocol;
  towards an address it matches nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ktui.analysis.core.portset import ALL, EMPTY, PortSet
from ktui.analysis.policy.admin_rules import (
    ADMIN,
    ALLOW,
    DENY,
    AdminRuleSpec,
    CompiledAdminPolicy,
    compile_admin_policy,
    subtract,
)
from ktui.model.adminpolicy import ADMIN_KINDS
from ktui.store import ClusterState

_KIND_ORDER = {kind: i for i, kind in enumerate(ADMIN_KINDS)}


@dataclass(frozen=True, slots=True)
class AdminTiers:
    """The state's admin policies in evaluation order, per tier."""

    admin: tuple[CompiledAdminPolicy, ...] = ()
    baseline: tuple[CompiledAdminPolicy, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.admin or self.baseline)

    def all(self) -> tuple[CompiledAdminPolicy, ...]:
        return self.admin + self.baseline


NO_TIERS = AdminTiers()


def _order(cp: CompiledAdminPolicy) -> tuple[int, int, str]:
    """Priority first; ties (undefined by the API, flagged by priority_conflicts) by kind, then name."""
    return (cp.priority, _KIND_ORDER.get(cp.kind, 9), cp.name)


def admin_tiers(state: ClusterState, cache: dict[tuple[str, str], CompiledAdminPolicy] | None = None) -> AdminTiers:
    """Compile (reusing `cache` for objects seen before) and order the state's admin policies."""
    compiled: list[CompiledAdminPolicy] = []
    for kind in ADMIN_KINDS:
        for obj in state.objects(kind):
            key = (kind, obj.metadata.name)
            cp = cache.get(key) if cache is not None else None
            if cp is None or cp.policy is not obj:
                cp = compile_admin_policy(obj)
                if cache is not None:
                    cache[key] = cp
            compiled.append(cp)
    if not compiled:
        return NO_TIERS
    compiled.sort(key=_order)
    return AdminTiers(tuple(c for c in compiled if c.tier == ADMIN), tuple(c for c in compiled if c.tier != ADMIN))


def first_match(rules: Iterable[tuple[AdminRuleSpec, PortSet]]) -> tuple[PortSet, PortSet]:
    """(allowed, denied) ports when each port goes to the first rule covering it; Pass takes ports too."""
    allow = deny = decided = EMPTY
    for rule, ports in rules:
        new = subtract(ports, decided)
        if not new:
            continue
        if rule.verdict == ALLOW:
            allow = allow | new
        elif rule.verdict == DENY:
            deny = deny | new
        decided = decided | new
        if decided.is_all():
            break
    return allow, deny


def combine(allow: PortSet, deny: PortSet, netpol: PortSet | None, baseline_deny: PortSet) -> PortSet:
    """One direction's result: `netpol` is None when no NetworkPolicy selects the pod that way."""
    if netpol is not None:
        return allow | subtract(netpol, deny)
    return subtract(subtract(ALL, deny), subtract(baseline_deny, allow))


@dataclass(frozen=True, slots=True)
class PriorityConflict:
    """Policies of one tier sharing a priority: the API leaves their order undefined."""

    tier: str  # "admin" or "baseline"
    priority: int
    policies: tuple[str, ...]  # Kind/name refs, in the order ktui evaluates them


def priority_conflicts(state: ClusterState) -> list[PriorityConflict]:
    """Equal priorities within a tier (for `ktui check`); the BaselineAdminNetworkPolicy has none."""
    tiers = admin_tiers(state)
    out: list[PriorityConflict] = []
    for tier, policies in ((ADMIN, tiers.admin), ("baseline", tiers.baseline)):
        by_priority: dict[int, list[str]] = {}
        for cp in policies:
            if cp.kind != "BaselineAdminNetworkPolicy":
                by_priority.setdefault(cp.priority, []).append(cp.ref)
        out.extend(PriorityConflict(tier, p, tuple(refs)) for p, refs in sorted(by_priority.items()) if len(refs) > 1)
    return out
