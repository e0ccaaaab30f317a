"""How many policy objects guard a namespace, counted over every enforcing family.

The namespace header and `ktui posture` once counted Kubernetes NetworkPolicy alone, so a
namespace locked down by Calico or Cilium policies read "0 policies". The kinds counted come from
the families' own kind lists, kept to those the kinds table says are namespaced; staged Calico
policies (evaluated separately, never enforced) and cluster-wide kinds are not counted.
"""

from __future__ import annotations

from ktui.analysis.policy.cilium import CILIUM_KINDS
from ktui.model.adminpolicy import ADMIN_KINDS
from ktui.model.calico import POLICY_KINDS as CALICO_POLICY_KINDS
from ktui.model.kinds import BY_KIND
from ktui.store import ClusterState

_FAMILIES = ("NetworkPolicy", *ADMIN_KINDS, *CALICO_POLICY_KINDS, *CILIUM_KINDS)  # enforcing kinds, tier order

ENFORCING_NAMESPACED_KINDS: tuple[str, ...] = tuple(
    k for k in _FAMILIES if k in BY_KIND and BY_KIND[k].namespaced)


def namespace_policy_counts(state: ClusterState, namespace: str) -> tuple[tuple[str, int], ...]:
    """(kind, count) for every enforcing namespaced kind (0 included), in tier order."""
    return tuple((kind, len(state.objects(kind, namespace))) for kind in ENFORCING_NAMESPACED_KINDS)
