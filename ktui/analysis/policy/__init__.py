"""Policy: one engine over an ordered list of tiers (NetworkPolicy, admin/baseline, Calico, Cilium),
and the questions answered once over it: verdicts, connectivity, egress class, DNS, explain.

Other packages import from here, not from the modules inside.
"""

from ktui.analysis.core.verdicts import DirectionVerdict, RuleRef, Verdict
from ktui.analysis.policy.admin import PriorityConflict, admin_tiers, baseline_tiers, priority_conflicts
from ktui.analysis.policy.calico import (
    CalicoTier,
    CompiledCalicoPolicy,
    build_calico_tiers,
    calico_policies,
    staged_policies,
)
from ktui.analysis.policy.calico_rules import CalicoRuleC
from ktui.analysis.policy.cilium import CILIUM_KINDS, CiliumTier
from ktui.analysis.policy.cilium_rules import CiliumRule
from ktui.analysis.policy.connectivity import Connection, ConnectivityBuilder, connectivity
from ktui.analysis.policy.counts import ENFORCING_NAMESPACED_KINDS, namespace_policy_counts
from ktui.analysis.policy.dns import DNS_LABELS, DNS_STAND_IN, DnsCheck, dns_check, dns_reachable, dns_subjects
from ktui.analysis.policy.egress import (
    Destination,
    EgressClass,
    EgressPosture,
    egress_destinations,
    egress_moves,
    egress_posture,
    egress_signature,
)
from ktui.analysis.policy.egress_path import (
    POD_IP,
    EgressPath,
    declares_egress_paths,
    egress_paths,
    egress_paths_of,
)
from ktui.analysis.policy.egress_probes import Token as EgressToken
from ktui.analysis.policy.engine import NetpolEngine, Peer, PolicyEngine
from ktui.analysis.policy.explain import (
    DirectionExplanation,
    Explanation,
    PolicyInfo,
    TierExplanation,
    explain,
    resolve_subject,
)
from ktui.analysis.policy.networkpolicy import (
    CompiledBlock,
    CompiledPeer,
    CompiledPolicy,
    CompiledRule,
    named_ports,
    networkpolicy_tiers,
)
from ktui.analysis.policy.ranges import range_cidrs, split_ranges
from ktui.analysis.policy.registry import TIER_FACTORIES
from ktui.analysis.policy.tier import End, Mode, Tier, TierContext, TierSide, Unknown

__all__ = [
    "CILIUM_KINDS",
    "DNS_LABELS",
    "DNS_STAND_IN",
    "ENFORCING_NAMESPACED_KINDS",
    "POD_IP",
    "TIER_FACTORIES",
    "CalicoRuleC",
    "CalicoTier",
    "CiliumRule",
    "CiliumTier",
    "CompiledBlock",
    "CompiledCalicoPolicy",
    "CompiledPeer",
    "CompiledPolicy",
    "CompiledRule",
    "Connection",
    "ConnectivityBuilder",
    "Destination",
    "DirectionExplanation",
    "DirectionVerdict",
    "DnsCheck",
    "EgressClass",
    "EgressPath",
    "EgressPosture",
    "EgressToken",
    "End",
    "Explanation",
    "Mode",
    "NetpolEngine",
    "Peer",
    "PolicyEngine",
    "PolicyInfo",
    "PriorityConflict",
    "RuleRef",
    "Tier",
    "TierContext",
    "TierExplanation",
    "TierSide",
    "Unknown",
    "Verdict",
    "admin_tiers",
    "baseline_tiers",
    "build_calico_tiers",
    "calico_policies",
    "connectivity",
    "declares_egress_paths",
    "dns_check",
    "dns_reachable",
    "dns_subjects",
    "egress_destinations",
    "egress_moves",
    "egress_paths",
    "egress_paths_of",
    "egress_posture",
    "egress_signature",
    "explain",
    "named_ports",
    "namespace_policy_counts",
    "networkpolicy_tiers",
    "priority_conflicts",
    "range_cidrs",
    "resolve_subject",
    "split_ranges",
    "staged_policies",
]
