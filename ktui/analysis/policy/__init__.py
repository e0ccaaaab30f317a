"""Policy: one engine over an ordered list of tiers (NetworkPolicy, admin/baseline, Calico, Cilium),
and the questions answered once over it: verdicts, connectivity, egress class, DNS, explain.

Other packages import from here, not from the modules inside.
"""

from ktui.analysis.core.verdicts import DirectionVerdict, RuleRef, Verdict
from ktui.analysis.policy.admin import PriorityConflict, priority_conflicts
from ktui.analysis.policy.connectivity import Connection, ConnectivityBuilder, connectivity
from ktui.analysis.policy.dns import DNS_LABELS, DNS_STAND_IN, DnsCheck, dns_check, dns_reachable, dns_subjects
from ktui.analysis.policy.egress import EgressClass, EgressPosture, egress_posture
from ktui.analysis.policy.engine import NetpolEngine, Peer, PolicyEngine
from ktui.analysis.policy.explain import DirectionExplanation, Explanation, explain, resolve_subject

__all__ = [
    "DNS_LABELS",
    "DNS_STAND_IN",
    "Connection",
    "ConnectivityBuilder",
    "DirectionExplanation",
    "DirectionVerdict",
    "DnsCheck",
    "EgressClass",
    "EgressPosture",
    "Explanation",
    "NetpolEngine",
    "Peer",
    "PolicyEngine",
    "PriorityConflict",
    "RuleRef",
    "Verdict",
    "connectivity",
    "dns_check",
    "dns_reachable",
    "dns_subjects",
    "egress_posture",
    "explain",
    "priority_conflicts",
    "resolve_subject",
]
