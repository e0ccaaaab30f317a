"""The Cilium and Calico policies of one namespace, listed for the namespace views (name, the
`Kind ns/name` ref the posture names them by, directions, rule counts), from the engine's tiers."""

from __future__ import annotations

from ktui.analysis.policy.calico import CalicoTier
from ktui.analysis.policy.cilium import CiliumTier
from ktui.analysis.policy.engine import PolicyEngine

Listed = tuple[str, str, tuple[str, ...], tuple[str, ...]]  # name (kind + name), ref, directions, rule counts


def tier_policies(engine: PolicyEngine, namespace: str) -> list[Listed]:
    out: list[Listed] = []
    for tier in engine.tiers():
        if isinstance(tier, CalicoTier):
            for cp in tier.policies_for(namespace):
                if cp.namespace == namespace:
                    counts = tuple(f"{len(cp.rules(d))} {'in' if d == 'ingress' else 'out'}" for d in cp.directions)
                    out.append((f"{cp.kind} {cp.name} ({tier.name} tier)", cp.ref, cp.directions, counts))
        elif isinstance(tier, CiliumTier):
            for pol in tier.policies_in(namespace):
                if pol.namespace == namespace:
                    dirs = tuple(d for d in ("ingress", "egress") if any(s.rules[d] or s.default_deny[d]
                                                                         for s in pol.specs))
                    counts = tuple(f"{len(pol.rules(d))} {'in' if d == 'ingress' else 'out'}" for d in dirs)
                    out.append((f"{pol.kind} {pol.name}", pol.ref, dirs, counts))
    return out
