"""The policy families, in the order the engine walks their tiers (DESIGN.md, "Policy tiers").

Each entry is a factory (state, ctx) -> tiers, run once per state version; a family with nothing
in the state returns no tier. A new family plugs in by one line here and nothing else changes:
connectivity, egress class, DNS and explain are generic over tiers.

Calico's factory (before NetworkPolicy) returns its tiers by their order and, where Calico runs,
holds Kubernetes NetworkPolicy inside its default tier at order 1000: it calls
ctx.claim(TIER_NETPOL) and the NetworkPolicy factory then returns nothing. Cilium is a union tier
right after NetworkPolicy (consecutive union tiers act as one).
"""

from __future__ import annotations

from ktui.analysis.policy.admin import admin_tiers, baseline_tiers
from ktui.analysis.policy.calico import calico_tiers
from ktui.analysis.policy.cilium import cilium_tiers
from ktui.analysis.policy.networkpolicy import networkpolicy_tiers
from ktui.analysis.policy.tier import Tier, TierContext, TierFactory
from ktui.store import ClusterState

TIER_FACTORIES: list[TierFactory] = [
    admin_tiers,  # AdminNetworkPolicy + Admin-tier ClusterNetworkPolicy
    calico_tiers,  # Calico tiers by order (they hold Kubernetes NetworkPolicy where Calico policies exist)
    networkpolicy_tiers,  # Kubernetes NetworkPolicy (unless a family above claimed its place)
    cilium_tiers,  # CiliumNetworkPolicy + CiliumClusterwideNetworkPolicy (one union with NetworkPolicy)
    baseline_tiers,  # Baseline-tier ClusterNetworkPolicy + BaselineAdminNetworkPolicy
]


def build_tiers(state: ClusterState, ctx: TierContext, factories: list[TierFactory] | None = None) -> list[Tier]:
    """The state's tiers in evaluation order."""
    tiers: list[Tier] = []
    for factory in TIER_FACTORIES if factories is None else factories:
        tiers.extend(factory(state, ctx))
    return tiers
