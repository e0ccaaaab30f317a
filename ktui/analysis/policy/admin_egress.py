"""The egress class of a pod that admin policies select for egress.

With admin tiers in play the class is read from what the tiers allow, not from the rules' shape:
each address range cut at the pod's ipBlocks and networks is evaluated; "internet" is the ports
open to every public IPv4 range (private and special-use space does not count against it). Whether
some in-cluster peer stays reachable is judged from the rules in first-match order, leaning to
"cluster" when a selector is narrower than every pod. DNS without DNS pods in view is checked
against a stand-in kube-dns pod in kube-system.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from ktui.analysis.core.portset import EMPTY, PortSet
from ktui.analysis.core.subjects import ExternalRange, Subject, WorkloadId
from ktui.analysis.policy.admin_rules import ALLOW, DENY, PASS, AdminRuleSpec
from ktui.analysis.policy.connectivity import split_ranges
from ktui.analysis.policy.egress import EgressClass, EgressPosture
from ktui.analysis.policy.engine import NetpolEngine
from ktui.analysis.policy.netpol_rules import CompiledPolicy
from ktui.model.core import ContainerPort

_SPECIAL = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4")]
_SPECIAL_INTERVALS = [(int(n.network_address), int(n.broadcast_address)) for n in _SPECIAL]

DNS_STAND_IN = Subject(
    namespace="kube-system", name="kube-dns", labels={"k8s-app": "kube-dns"},
    ports=(ContainerPort(53, "dns", "UDP"), ContainerPort(53, "dns-tcp", "TCP")), ips=(),
    workload=WorkloadId("kube-system", "coredns", "Deployment"))


def _public(r: ExternalRange) -> bool:
    """An IPv4 range not wholly inside private or special-use space."""
    return r.version == 4 and not any(lo <= r.first and r.last <= hi for lo, hi in _SPECIAL_INTERVALS)


def _every_pod(rule: AdminRuleSpec) -> bool:
    """The rule covers every in-cluster peer on every port."""
    return rule.ports is None and any(
        (p.kind == "namespaces" and p.namespace_selector is not None and p.namespace_selector.is_empty())
        or (p.kind == "pods" and p.namespace_selector is not None and p.namespace_selector.is_empty()
            and p.pod_selector is not None and p.pod_selector.is_empty())
        for p in rule.peers)


def _in_cluster(rule: AdminRuleSpec) -> bool:
    return any(p.kind in ("namespaces", "pods") for p in rule.peers)


def _walk(rules: Iterable[AdminRuleSpec]) -> bool | None:
    """First-match over in-cluster peers: True, some pod is allowed; False, every pod is denied;
    None, (some of) the traffic goes on to the next tier."""
    went_on = False
    for rule in rules:
        if not _in_cluster(rule):
            continue
        if rule.verdict == ALLOW:
            return True
        if rule.verdict == PASS:
            went_on = True
            if _every_pod(rule):
                return None
        elif _every_pod(rule):
            return None if went_on else False
    return None


def _cluster_reachable(policies: list[CompiledPolicy], admin: list[AdminRuleSpec],
                       baseline: list[AdminRuleSpec]) -> bool:
    decided = _walk(admin)
    if decided is not None:
        return decided
    if policies:  # NetworkPolicy: a rule without peers, or with selectors, reaches pods
        return any(rule.peers is None or any(p.block is None for p in rule.peers)
                   for cp in policies for rule in cp.egress_rules)
    return _walk(baseline) is not False  # the baseline: Pass and no match are allowed


def admin_egress_posture(
    engine: NetpolEngine, subject: Subject, dns_pods: list[Subject] | None
) -> EgressPosture | None:
    """The posture when admin policies select the pod for egress; None when none do."""
    admin, baseline = engine.admin_selecting(subject, "egress")
    if not admin and not baseline:
        return None
    policies = engine.selecting(subject, "egress")
    names = tuple(cp.ref for cp in policies) + tuple(cp.ref for cp in admin + baseline)
    admin_rules = [r for cp in admin for r in cp.egress_rules]
    base_rules = [] if policies else [r for cp in baseline for r in cp.egress_rules]
    if not policies and not any(r.verdict == DENY for r in admin_rules + base_rules):
        return EgressPosture(EgressClass.OPEN, True, EMPTY, names)  # only allows and passes: still open
    blocks = [p.block for cp in policies for rule in cp.egress_rules for p in rule.peers or () if p.block]
    blocks += [b for rule in admin_rules + base_rules for p in rule.peers for b in p.blocks]
    ranges = split_ranges([pt for b in blocks for pt in b.boundaries()],
                          {v for b in blocks for v, _, _ in b.intervals})
    allowed = [(r, engine.allowed_ports(subject, r, "egress")) for r in ranges]
    internet: PortSet | None = None
    for r, ports in allowed:
        if _public(r):
            internet = ports if internet is None else internet & ports
    internet = internet or EMPTY
    if internet:
        cls = EgressClass.INTERNET
    elif any(ports for _, ports in allowed):
        cls = EgressClass.EXTERNAL
    elif _cluster_reachable(policies, admin_rules, base_rules):
        cls = EgressClass.CLUSTER
    else:
        cls = EgressClass.DENIED
    targets = dns_pods or [DNS_STAND_IN]
    dns = any(engine.can_reach(subject, d, 53, proto).allowed for d in targets for proto in ("UDP", "TCP"))
    return EgressPosture(cls, dns, internet, names)
