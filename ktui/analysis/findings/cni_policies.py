"""Findings about Cilium and Calico policies that do not do what they seem to.

- CNP001: Cilium or Calico policies on a cluster whose network plugin (findings/cni.py) is another
  one: nothing enforces them.
- CNP002: a staged Calico policy that would block connections now allowed (what it would block).
- CNP003: a Calico policy with only Log rules still makes its tier apply to the pods it selects,
  so the tier's default Deny blocks what no earlier rule decided (what it blocks).
- CNP004: a toFQDNs rule on pods with no Cilium DNS rule (toPorts rules.dns): the agent never
  learns the names' addresses and the rule allows nothing.
- CNP005: a Calico Deny rule that never takes effect: for each pod it applies to, an Allow of an
  earlier tier matching every peer already decides every port it covers.
"""

from __future__ import annotations

from collections.abc import Callable

from ktui.analysis.core.portset import EMPTY, PortSet, difference
from ktui.analysis.core.subjects import Subject, WorkloadId
from ktui.analysis.findings.catalogue import Finding, ObjectRef, finding, ref
from ktui.analysis.findings.cni import detect_cni
from ktui.analysis.findings.context import CheckContext
from ktui.analysis.policy import (
    CILIUM_KINDS,
    TIER_FACTORIES,
    CalicoRuleC,
    CalicoTier,
    CiliumRule,
    CiliumTier,
    CompiledCalicoPolicy,
    ConnectivityBuilder,
    Mode,
    PolicyEngine,
    Tier,
    TierContext,
    admin_tiers,
    baseline_tiers,
    build_calico_tiers,
    calico_policies,
    networkpolicy_tiers,
    staged_policies,
)
from ktui.model.calico import POLICY_KINDS, STAGED_KINDS
from ktui.store import ClusterState

DIRECTIONS = ("ingress", "egress")
CILIUM_PLUGINS = frozenset({"Cilium", "GKE Dataplane V2"})
CALICO_PLUGINS = frozenset({"Calico", "Canal"})
EXAMPLES = 3


def _obj(ctx: CheckContext, kind: str, namespace: str, name: str) -> ObjectRef:
    return ref(ctx.state, kind, namespace, name)


def not_enforced_findings(ctx: CheckContext) -> list[Finding]:
    """CNP001: the family's policies exist but another (known) network plugin runs."""
    verdict = detect_cni(ctx.state)
    if not verdict.evidence:
        return []
    out = []
    seen = set(verdict.plugins)
    for family, kinds, plugins in (("Cilium", CILIUM_KINDS, CILIUM_PLUGINS),
                                   ("Calico", (*POLICY_KINDS, *STAGED_KINDS), CALICO_PLUGINS)):
        objs = [(k, o) for k in kinds for o in ctx.state.objects(k)]
        if not objs or seen & plugins:
            continue
        kind, first = objs[0]
        out.append(finding(
            "KTUI-CNP001", _obj(ctx, kind, first.metadata.namespace, first.metadata.name),
            f"{len(objs)} {family} policy object(s) but the cluster's network plugin is "
            f"{', '.join(verdict.plugins)} ({verdict.describe()}): nothing enforces them",
            detail=family,
        ))
    return out


# --- what a changed set of Calico policies would do --------------------------------------------

Transform = Callable[[list[CompiledCalicoPolicy]], list[CompiledCalicoPolicy]]


def _engine_with(state: ClusterState, transform: Transform) -> PolicyEngine:
    """An engine whose Calico tiers hold transform(enforced policies) (the rest as registered)."""
    def calico(st: ClusterState, c: TierContext) -> list[CalicoTier]:
        policies = transform(calico_policies(st, c))
        if not policies:
            return []
        c.claim("NetworkPolicy")
        return build_calico_tiers(st, c, policies)

    factories = [calico if f.__name__ == "calico_tiers" else f for f in TIER_FACTORIES]
    if not any(f is calico for f in factories):  # registry without Calico: put it where DESIGN says
        factories = [admin_tiers, calico, networkpolicy_tiers, *[f for f in TIER_FACTORIES if f not in (
            admin_tiers, networkpolicy_tiers, baseline_tiers)], baseline_tiers]
    return PolicyEngine(state, factories)


def _affected(ctx: CheckContext, policies: list[CompiledCalicoPolicy]) -> list[WorkloadId]:
    """The workloads some of `policies` select (either direction): only their connections can change."""
    tiers = build_calico_tiers(ctx.state, TierContext(ctx.state), policies, with_knp=False)
    found = {s.workload for s in ctx.subjects if any(t.members(s, d) for t in tiers for d in DIRECTIONS)}
    return sorted(found, key=str)


def _conns(ctx: CheckContext, workloads: list[WorkloadId],
           engine: PolicyEngine | None = None) -> dict[tuple[str, str], PortSet]:
    """The connections to and from `workloads` (the check's engine when `engine` is None, memoized)."""
    out: dict[tuple[str, str], PortSet] = {}
    builder = ConnectivityBuilder(ctx.state, engine or ctx.engine)
    for w in workloads:
        key = ("cni_policies.now", w)
        found = ctx.memo.get(key) if engine is None else None
        if found is None:
            found = {(c.src, c.dst): c.conns for c in builder.build(focus=w)}
            if engine is None:
                ctx.memo[key] = found
        out.update(found)
    return out


def _lost(before: dict[tuple[str, str], PortSet], after: dict[tuple[str, str], PortSet]) -> list[str]:
    """Connections (or ports) allowed in `before` and not in `after`, as connectivity lines."""
    out = []
    for (src, dst), conns in sorted(before.items()):
        lost = difference(conns, after.get((src, dst), EMPTY))
        if lost:
            out.append(f"{src} => {dst} : {lost.describe()}")
    return out


def _report(lines: list[str]) -> str:
    shown = "; ".join(lines[:EXAMPLES])
    more = f" and {len(lines) - EXAMPLES} more" if len(lines) > EXAMPLES else ""
    return f"{len(lines)} connection(s), e.g. {shown}{more}"


def staged_findings(ctx: CheckContext) -> list[Finding]:
    """CNP002: each staged policy, applied alone, against what is enforced now."""
    out = []
    tctx = TierContext(ctx.state)
    for sp in staged_policies(ctx.state, tctx):
        enforced_kind = "CalicoNetworkPolicy" if sp.kind == "StagedNetworkPolicy" else "GlobalNetworkPolicy"
        action = sp.policy.spec.staged_action or "Set"

        def apply(policies: list[CompiledCalicoPolicy], sp: CompiledCalicoPolicy = sp,
                  kind: str = enforced_kind, action: str = action) -> list[CompiledCalicoPolicy]:
            rest = [p for p in policies if (p.kind, p.namespace, p.name) != (kind, sp.namespace, sp.name)]
            return [*rest, sp] if action == "Set" else rest if action == "Delete" else policies

        enforced = [p for p in calico_policies(ctx.state, tctx)
                    if (p.kind, p.namespace, p.name) == (enforced_kind, sp.namespace, sp.name)]
        touched = _affected(ctx, [sp, *enforced])
        lines = _lost(_conns(ctx, touched), _conns(ctx, touched, _engine_with(ctx.state, apply)))
        if lines:
            out.append(finding("KTUI-CNP002", _obj(ctx, sp.kind, sp.namespace, sp.name),
                               f"staged, not enforced; once enforced it would block {_report(lines)}"))
    return out


def _dropping(cp: CompiledCalicoPolicy) -> Transform:
    def drop(policies: list[CompiledCalicoPolicy]) -> list[CompiledCalicoPolicy]:
        return [p for p in policies if p.policy is not cp.policy]
    return drop


def _log_only(cp: CompiledCalicoPolicy) -> bool:
    rules = cp.ingress + cp.egress
    return all(r.action == "Log" for r in rules)


def log_only_findings(ctx: CheckContext) -> list[Finding]:
    """CNP003: a Log-only policy whose tier's default Deny blocks traffic because it selects pods."""
    out = []
    tctx = TierContext(ctx.state)
    for cp in calico_policies(ctx.state, tctx):
        if not _log_only(cp):
            continue
        touched = _affected(ctx, [cp])
        without = _engine_with(ctx.state, _dropping(cp))
        lines = _lost(_conns(ctx, touched, without), _conns(ctx, touched))  # what its presence blocks
        if lines:
            out.append(finding(
                "KTUI-CNP003", _obj(ctx, cp.kind, cp.namespace, cp.name),
                f"only Log rules, yet it makes tier {cp.tier} apply to the pods it selects: the tier's "
                f"default action denies {_report(lines)}"))
    return out


def fqdn_findings(ctx: CheckContext) -> list[Finding]:
    """CNP004: pods with toFQDNs egress rules but no DNS rule among their Cilium egress rules."""
    tiers = [t for t in ctx.engine.tiers() if isinstance(t, CiliumTier)]
    if not tiers:
        return []
    tier = tiers[0]
    out: dict[tuple[str, str, str], tuple[CiliumRule, list[str]]] = {}
    for s in ctx.subjects:
        fqdn = tier.fqdn_rules(s)
        if not fqdn:
            continue
        side = tier.select(s, "egress")
        rules = [r for r in side.rules if isinstance(r, CiliumRule)] if side is not None else []
        has_dns = any(p.l7 is not None and p.l7.dns for r in rules if not r.deny for p in r.ports or ())
        if has_dns:
            continue
        for rule, peer in fqdn:
            key = (rule.kind, rule.namespace, rule.policy_name)
            entry = out.setdefault(key, (rule, []))
            name = f"{peer.name}"
            if name not in entry[1]:
                entry[1].append(name)
    return [finding(
        "KTUI-CNP004", _obj(ctx, kind, ns, name),
        f"toFQDNs ({', '.join(names)}) on pods with no DNS rule (toPorts rules.dns towards their DNS "
        "server): Cilium learns the names' addresses only from DNS answers its proxy sees, so the rule "
        "allows nothing", detail=rule.where)
        for (kind, ns, name), (rule, names) in sorted(out.items())]


def _allow_all_before(tiers: list[Tier], engine: PolicyEngine, s: Subject, direction: str,
                      rule: CalicoRuleC) -> str | None:
    """The earlier first-match tier's Allow rule (matching every peer) that decides every port of
    `rule` before its tier is reached, or None."""
    own_label = f"Calico tier {rule.tier}"
    for _, side in engine.select(s, direction):
        if side.tier == own_label:
            return None
        if side.mode is not Mode.FIRST_MATCH:
            return None
        covered = rule.port_set(s if direction == "ingress" else None)
        for r in side.rules:
            if r.action == "Log":
                continue
            if r.action != "Allow" or not _matches_all(r):
                break
            if not difference(covered, r.port_set(s if direction == "ingress" else None)):
                return r.ref(None, None).policy + f" {direction}[{r.ref(None, None).rule}]"
            break
    return None


def _matches_all(rule: object) -> bool:
    return isinstance(rule, CalicoRuleC) and rule.peer.empty and rule.ip_version is None


def shadowed_findings(ctx: CheckContext) -> list[Finding]:
    """CNP005: Calico Deny rules that an earlier tier's allow-everything rule always pre-empts."""
    tiers = ctx.engine.tiers()
    calico = [t for t in tiers if isinstance(t, CalicoTier)]
    out = []
    for tier in calico:
        for cp in tier.policies:
            for direction in DIRECTIONS:
                denies = [r for r in cp.rules(direction) if r.action == "Deny"]
                if not denies or direction not in cp.directions:
                    continue
                selected = [s for s in ctx.subjects if tier._selects(cp, s, direction)]
                if not selected:
                    continue
                for rule in denies:
                    shadows = {_allow_all_before(tiers, ctx.engine, s, direction, rule) for s in selected}
                    if None in shadows:
                        continue
                    out.append(finding(
                        "KTUI-CNP005", _obj(ctx, cp.kind, cp.namespace, cp.name),
                        f"{direction}[{rule.index}] (Deny) never takes effect: for each of the {len(selected)} "
                        f"pod(s) it applies to, {', '.join(sorted(str(x) for x in shadows))} in an earlier tier "
                        "allows every peer on every port it covers", detail=f"{direction}[{rule.index}]"))
    return out


def cni_policy_findings(ctx: CheckContext) -> list[Finding]:
    """Every CNP00x check (registered once in checks.py)."""
    out: list[Finding] = []
    for check in (not_enforced_findings, staged_findings, log_only_findings, fqdn_findings, shadowed_findings):
        out.extend(check(ctx))
    return out


