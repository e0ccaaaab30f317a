"""Posture findings per workload (isolation, open egress, DNS) and policies that cannot work as
written (a deny shadowed by an allow-all, an ipBlock behind a source-NAT Service).

Workloads are reported once (not once per replica) under their outermost owner. Pods on the host
network are left out: NetworkPolicy does not apply to them.
"""

from __future__ import annotations

from ktui.analysis.findings.catalogue import Finding, finding
from ktui.analysis.findings.context import (
    SYSTEM_NAMESPACES,
    CheckContext,
    describe_labels,
    group_by_workload,
)
from ktui.analysis.policy import CompiledPolicy, CompiledRule, EgressClass
from ktui.model.core import Service
from ktui.model.selectors import LabelSelector

DIRECTIONS = ("ingress", "egress")


def allows_everything(rule: CompiledRule) -> bool:
    """No peers (every source/destination) and every port of every protocol."""
    return rule.peers is None and rule.port_set(None).is_all()


def _opening_rules(policies: list[CompiledPolicy], direction: str) -> list[str]:
    out = []
    for cp in policies:
        for rule in cp.rules(direction):
            if allows_everything(rule):
                out.append(f"{cp.name} {direction}[{rule.index}]")
    return out


def posture_findings(ctx: CheckContext) -> list[Finding]:
    """NP001 (isolated neither way), NP002 (egress open), NP003 (DNS unreachable)."""
    out: list[Finding] = []
    subjects = [s for s in ctx.subjects if not s.host_network]
    for obj, pods in group_by_workload(ctx, subjects).items():
        s = pods[0]
        ingress = ctx.engine.selecting(s, "ingress")
        egress_pols = ctx.engine.selecting(s, "egress")
        system = s.namespace in SYSTEM_NAMESPACES
        admin_in, admin_out = (any(side.tier != "NetworkPolicy" for _, side in ctx.engine.select(s, d))
                               for d in ("ingress", "egress"))
        if not ingress and not egress_pols:
            if system or admin_in or admin_out:
                continue  # other tiers (admin, Calico, Cilium) select it: not "wide open"
            out.append(finding(
                "KTUI-NP001", obj,
                f"no NetworkPolicy selects the pods of {obj} (labels {describe_labels(s.labels)}): "
                "all traffic in and out is allowed",
            ))
            continue
        judged = bool(ingress) and not system and not admin_out
        if not egress_pols:
            if judged:
                out.append(finding(
                    "KTUI-NP002", obj,
                    f"ingress is restricted but no egress policy selects the pods of {obj}: "
                    "they can open connections anywhere",
                ))
            continue
        posture = ctx.egress(s)  # read only where a NetworkPolicy restricts egress
        if judged and posture.cls is EgressClass.INTERNET and posture.internet_ports.is_all():
            rules = _opening_rules(egress_pols, "egress")
            by = f" (allowed by {', '.join(rules)})" if rules else ""
            out.append(finding(
                "KTUI-NP002", obj,
                f"egress of {obj} allows every destination on every port{by}",
            ))
        # the one DNS definition (policy.dns_check, inside egress_posture), as the posture has it
        if not posture.dns:
            names = ", ".join(cp.name for cp in egress_pols)
            out.append(finding(
                "KTUI-NP003", obj,
                f"egress of {obj} is restricted by {names} and no rule allows DNS "
                "(port 53 to kube-dns/CoreDNS): name lookups will fail",
            ))
    return out


def shadowed_deny_findings(ctx: CheckContext) -> list[Finding]:
    """NP008: a policy with no rules for a direction (a deny) whose every pod gets allow-all elsewhere."""
    out: list[Finding] = []
    for cp in ctx.policies():
        selected = [s for s in ctx.selected(cp) if not s.host_network]
        if not selected:
            continue
        for direction in DIRECTIONS:
            if not cp.applies(direction) or cp.rules(direction):
                continue
            openers: set[str] = set()
            for s in selected:
                found = [
                    other.name for other in ctx.engine.selecting(s, direction)
                    if other is not cp and any(allows_everything(r) for r in other.rules(direction))
                ]
                if not found:
                    break
                openers.update(found)
            else:
                n = len(selected)
                out.append(finding(
                    "KTUI-NP008", ctx.policy_ref(cp),
                    f"the {direction} deny of {cp.ref} has no effect: each of the {n} pod(s) it selects is "
                    f"also selected by a policy allowing all {direction} ({', '.join(sorted(openers))}); "
                    "rules are additive",
                    detail=direction,
                ))
    return out


def _is_everything(cidr: str, excepts: tuple[str, ...]) -> bool:
    return cidr.strip().endswith("/0") and not excepts


def _snat_services(ctx: CheckContext) -> list[Service]:
    out = []
    for svc in ctx.state.objects("Service"):
        spec = svc.spec
        if spec.type not in ("LoadBalancer", "NodePort") or not spec.selector:
            continue
        if spec.external_traffic_policy not in ("", "Cluster"):
            continue
        out.append(svc)
    return out


def snat_ipblock_findings(ctx: CheckContext) -> list[Finding]:
    """NP009: an ingress ipBlock on pods exposed through a Service that rewrites client addresses."""
    out: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for svc in _snat_services(ctx):
        ns = svc.metadata.namespace
        selector = LabelSelector(match_labels=dict(svc.spec.selector or {}))
        pods = ctx.pods_matching(ns, selector)
        for s in pods:
            for cp in ctx.engine.selecting(s, "ingress"):
                for rule in cp.ingress_rules:
                    for peer in rule.peers or ():
                        block = peer.block
                        if block is None or _is_everything(block.cidr, block.excepts):
                            continue
                        where = f"spec.ingress[{rule.index}].from[{peer.index}]"
                        if (cp.ref, where, svc.metadata.name) in seen:
                            continue
                        seen.add((cp.ref, where, svc.metadata.name))
                        kind = svc.spec.type
                        out.append(finding(
                            "KTUI-NP009", ctx.policy_ref(cp),
                            f"{where}: ipBlock {block.cidr} guards pods behind {kind} Service "
                            f"{ns}/{svc.metadata.name} with externalTrafficPolicy Cluster: the client address "
                            "is rewritten to a node's, so the rule cannot see it",
                            detail=f"{where} {svc.metadata.name}",
                        ))
    return out

