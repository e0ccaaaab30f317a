"""Calico's tiers: each Calico Tier is one first-match tier of the engine.

Calico reference ("Tier: How policy is evaluated", "NetworkPolicy", "GlobalNetworkPolicy"): tiers
run by `order` (lower first; unset last); a tier applies to an endpoint when one of its policies
selects it; within it, policies run by `order` (unset last, ties by name) and their rules in order;
Allow and Deny are final, Pass goes to the next tier, Log goes on; traffic the tier does not decide
gets its defaultAction (Deny unless Pass). `types` default to Ingress, Egress when only egress rules
exist, both when both do. Kubernetes NetworkPolicy sits in the default tier at order 1000 (named
knp.default.<name>), so where Calico policies exist this factory claims the NetworkPolicy tier.
Staged policies are compiled the same way by staged_tiers() and never enforced.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.core.verdicts import TIER_NETPOL
from ktui.analysis.policy.calico_match import CalicoMatcher
from ktui.analysis.policy.calico_rules import CalicoRuleC, compile_rule, namespace_labels, tier_label
from ktui.analysis.policy.networkpolicy import CompiledBlock, CompiledPolicy, CompiledRule, NetworkPolicyTier
from ktui.analysis.policy.tier import End, Mode, PeerMatch, TierContext, TierRule, TierSide, Unknown
from ktui.model.calico import (
    BUILTIN_TIER_ORDER,
    DEFAULT_TIER,
    KNP_ORDER,
    POLICY_KINDS,
    STAGED_KINDS,
    CalicoNetworkPolicy,
)
from ktui.model.calico_selector import CalicoSelector, parse_selector
from ktui.store import ClusterState

STAGED_TO_ENFORCED = {"StagedNetworkPolicy": "CalicoNetworkPolicy", "StagedGlobalNetworkPolicy": "GlobalNetworkPolicy"}


@dataclass(frozen=True, slots=True, eq=False)
class CompiledCalicoPolicy:
    policy: CalicoNetworkPolicy
    kind: str
    namespace: str
    name: str
    tier: str
    order: float | None
    selector: CalicoSelector
    namespace_selector: CalicoSelector | None  # GlobalNetworkPolicy: namespaces of the endpoints
    sa_selector: CalicoSelector | None
    directions: tuple[str, ...]
    ingress: tuple[CalicoRuleC, ...]
    egress: tuple[CalicoRuleC, ...]

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    def rules(self, direction: str) -> tuple[CalicoRuleC, ...]:
        return self.ingress if direction == "ingress" else self.egress


def sort_key(order: float | None, name: str) -> tuple[bool, float, str]:
    """Lower order first, unset last, ties by name (Calico NetworkPolicy reference, `order`)."""
    return (order is None, order or 0.0, name)


def compile_calico_policy(obj: CalicoNetworkPolicy) -> CompiledCalicoPolicy:
    spec = obj.spec
    tier = spec.tier_name()
    sel = parse_selector(spec.selector)
    ns_sel = parse_selector(spec.namespace_selector) if spec.namespace_selector.strip() else None
    sa_sel = parse_selector(spec.service_account_selector) if spec.service_account_selector.strip() else None
    return CompiledCalicoPolicy(
        obj, obj.kind, obj.metadata.namespace, obj.metadata.name, tier,
        spec.order, sel, ns_sel, sa_sel, spec.directions(),
        tuple(compile_rule(obj, tier, "ingress", i, r) for i, r in enumerate(spec.ingress or [])),
        tuple(compile_rule(obj, tier, "egress", i, r) for i, r in enumerate(spec.egress or [])),
    )


Member = CompiledCalicoPolicy | CompiledPolicy  # a Calico policy, or a Kubernetes NetworkPolicy (default tier)


class CalicoTier:
    """One Calico tier over one state."""

    def __init__(self, name: str, order: float | None, default_action: str,
                 policies: Sequence[CompiledCalicoPolicy], matcher: CalicoMatcher,
                 knp: NetworkPolicyTier | None = None) -> None:
        self.name = name
        self.order = order
        self.default_action = default_action
        self.label = tier_label(name)
        self.policies = sorted(policies, key=lambda p: (*sort_key(p.order, p.name), p.kind))
        self.matcher = matcher
        self.knp = knp
        self._sides: dict[tuple[int, str], tuple[Subject, TierSide | None]] = {}

    def reset(self) -> None:
        self._sides.clear()
        self.matcher.reset()
        if self.knp is not None:
            self.knp.reset()

    def _selects(self, cp: CompiledCalicoPolicy, s: Subject, direction: str) -> bool:
        if direction not in cp.directions or s.host_network:
            return False
        if cp.namespace and cp.namespace != s.namespace:
            return False
        if not cp.selector.matches(self.matcher.labels(s)):
            return False
        if cp.namespace_selector is not None and not cp.namespace_selector.matches(
                namespace_labels(s.namespace, self.matcher.ctx.ns_labels(s.namespace))):
            return False
        return cp.sa_selector is None or cp.sa_selector.matches(
            {"projectcalico.org/name": self.matcher.service_account(s)})

    def members(self, s: Subject, direction: str) -> list[Member]:
        """The tier's policies selecting the subject, in evaluation order (Kubernetes ones at 1000)."""
        found: list[tuple[tuple[bool, float, str], Member]] = [
            (sort_key(cp.order, cp.name), cp) for cp in self.policies if self._selects(cp, s, direction)]
        if self.knp is not None and not s.host_network:
            found += [(sort_key(KNP_ORDER, f"knp.default.{np.name}"), np) for np in self.knp.selecting(s, direction)]
        found.sort(key=lambda item: item[0])
        return [m for _, m in found]

    def select(self, subject: Subject, direction: str) -> TierSide | None:
        key = (id(subject), direction)
        cached = self._sides.get(key)
        if cached is not None and cached[0] is subject:
            return cached[1]
        members = self.members(subject, direction)
        side = None
        if members:
            rules: list[CalicoRuleC | CompiledRule] = []
            unknown: str | None = None
            for m in members:
                if isinstance(m, CompiledPolicy):
                    rules.extend(m.rules(direction))
                    continue
                for rule in m.rules(direction):
                    own = self.matcher.matches(rule.own, rule.namespace, subject)
                    if isinstance(own, Unknown):
                        unknown = unknown or own.reason
                    elif own:
                        rules.append(rule)
            end = End.DENY if self.default_action != "Pass" else End.NEXT
            side = TierSide(self.label, Mode.FIRST_MATCH, end, tuple(_ref(m) for m in members), tuple(rules),
                            unknown, tuple(members))
        self._sides[key] = (subject, side)
        return side

    def peer_index(self, rule: TierRule, other: Subject | ExternalRange) -> PeerMatch:
        """0 when the rule's peer side matches `other`; None when it states nothing about peers."""
        if isinstance(rule, CompiledRule):
            assert self.knp is not None
            return self.knp.peer_index(rule, other)
        assert isinstance(rule, CalicoRuleC)
        peer = rule.peer
        if peer.empty and rule.ip_version is None:
            return None
        found = self.matcher.matches(peer, rule.namespace, other, rule.ip_version)
        if isinstance(found, Unknown):
            return found
        return 0 if found else False

    def _rules(self) -> Iterable[CalicoRuleC]:
        for cp in self.policies:
            yield from cp.ingress
            yield from cp.egress

    def boundaries(self, direction: str) -> Iterable[tuple[int, int]]:
        for rule in self._rules():
            if rule.direction == direction:
                for block in rule.peer.blocks():
                    yield from block.boundaries()
        for block in self.matcher.netset_blocks():
            yield from block.boundaries()
        if self.knp is not None:
            yield from self.knp.boundaries(direction)

    def blocks(self) -> Iterable[CompiledBlock]:
        """The address sets that can match pods by IP (nets, notNets; ipBlocks of the default tier)."""
        for rule in self._rules():
            yield from rule.source.blocks()
            yield from rule.destination.blocks()
        if self.knp is not None:
            yield from self.knp.blocks()


def _ref(m: Member) -> str:
    return m.ref if isinstance(m, CompiledCalicoPolicy) else f"NetworkPolicy {m.namespace}/{m.name}"


def _compiled(state: ClusterState, ctx: TierContext, kinds: Sequence[str]) -> list[CompiledCalicoPolicy]:
    cache = ctx.cache("Calico")
    out = []
    for kind in kinds:
        for obj in state.objects(kind):
            key = (kind, obj.metadata.namespace, obj.metadata.name)
            cp = cache.get(key)
            if not isinstance(cp, CompiledCalicoPolicy) or cp.policy is not obj:
                cp = cache[key] = compile_calico_policy(obj)
            out.append(cp)
    return out


def build_calico_tiers(state: ClusterState, ctx: TierContext, policies: list[CompiledCalicoPolicy],
                       with_knp: bool = True) -> list[CalicoTier]:
    """Group policies into their tiers (Tier objects give order and defaultAction) and order them."""
    specs: dict[str, tuple[float | None, str]] = {n: (o, "Deny") for n, o in BUILTIN_TIER_ORDER.items()}
    specs["kube-admin"] = (BUILTIN_TIER_ORDER["kube-admin"], "Pass")
    specs["kube-baseline"] = (BUILTIN_TIER_ORDER["kube-baseline"], "Pass")
    for t in state.objects("Tier"):
        specs[t.metadata.name] = (t.spec.order, t.spec.default_action or "Deny")
    by_tier: dict[str, list[CompiledCalicoPolicy]] = {}
    for cp in policies:
        by_tier.setdefault(cp.tier, []).append(cp)
    names = set(by_tier) | ({DEFAULT_TIER} if with_knp else set())
    matcher = CalicoMatcher(state, ctx)
    knp = NetworkPolicyTier(state, ctx) if with_knp else None
    tiers = []
    for name in names:
        order, action = specs.get(name, (None, "Deny"))
        tiers.append(CalicoTier(name, order, action, by_tier.get(name, []), matcher,
                                knp if name == DEFAULT_TIER else None))
    tiers.sort(key=lambda t: sort_key(t.order, t.name))
    return tiers


def calico_policies(state: ClusterState, ctx: TierContext) -> list[CompiledCalicoPolicy]:
    return _compiled(state, ctx, POLICY_KINDS)


def calico_tiers(state: ClusterState, ctx: TierContext) -> list[CalicoTier]:
    """Calico's tiers when the state has Calico policies; they then hold Kubernetes NetworkPolicy."""
    policies = calico_policies(state, ctx)
    if not policies:
        return []
    ctx.claim(TIER_NETPOL)
    return build_calico_tiers(state, ctx, policies)


def staged_policies(state: ClusterState, ctx: TierContext) -> list[CompiledCalicoPolicy]:
    return _compiled(state, ctx, STAGED_KINDS)


def staged_tiers(state: ClusterState, ctx: TierContext) -> list[CalicoTier]:
    """Calico's tiers as they would be with the staged policies applied (stagedAction Set replaces
    or adds the policy of the same name, Delete removes it); never enforced, for findings."""
    enforced = {(STAGED_TO_ENFORCED.get(cp.kind, cp.kind), cp.namespace, cp.name): cp
                for cp in calico_policies(state, ctx)}
    for cp in staged_policies(state, ctx):
        key = (STAGED_TO_ENFORCED[cp.kind], cp.namespace, cp.name)
        if (cp.policy.spec.staged_action or "Set") == "Delete":
            enforced.pop(key, None)
        elif (cp.policy.spec.staged_action or "Set") == "Set":
            enforced[key] = cp
    return build_calico_tiers(state, ctx, list(enforced.values()))
