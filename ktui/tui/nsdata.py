"""Rows for the namespace screen's Policies tab, read from the posture index and the engine.

"Pods each policy selects" comes from the posture already computed (each pod lists the policies
that select it per direction), so the screen does not evaluate selectors again.
"""

from __future__ import annotations

from dataclasses import dataclass

from ktui.analysis.policy.cni_listing import tier_policies
from ktui.tui.bridge import Bridge


@dataclass(frozen=True, slots=True)
class PolicyRow:
    name: str
    types: str
    selected: int
    total: int
    pods: list[str]
    rules: str


def policy_rows(bridge: Bridge, namespace: str) -> list[PolicyRow]:
    np = bridge.namespace(namespace)
    pods = np.pods if np is not None else ()
    rows = []
    for cp in bridge.analysis.engine.policies_in(namespace):
        refs = {cp.ref, f"NetworkPolicy {cp.ref}"}  # the posture names them with their kind
        selected = [p.subject.name for p in pods if refs & {*p.ingress_policies, *p.egress.policies}]
        types = "+".join(t for t, on in (("Ingress", cp.ingress), ("Egress", cp.egress)) if on) or "-"
        rules = []
        if cp.ingress:
            rules.append(f"{len(cp.ingress_rules)} in" if cp.ingress_rules else "deny in")
        if cp.egress:
            rules.append(f"{len(cp.egress_rules)} out" if cp.egress_rules else "deny out")
        rows.append(PolicyRow(cp.name, types, len(selected), len(pods), selected, " · ".join(rules)))
    for name, ref, directions, counts in tier_policies(bridge.analysis.engine, namespace):
        selected = [p.subject.name for p in pods if ref in {*p.ingress_policies, *p.egress.policies}]
        rows.append(PolicyRow(name, "+".join(d.title() for d in directions) or "-", len(selected), len(pods),
                              selected, " · ".join(counts)))
    return rows
