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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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


@dataclass(slots=True, eq=False)
class CompiledCalicoPolicy:
    """A policy's selection, compiled at once; its rules compiled when first asked (most policies
    of a large cluster never select the pod being explained)."""

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
    _rules: dict[str, tuple[CalicoRuleC, ...]] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    def rules(self, direction: str) -> tuple[CalicoRuleC, ...]:
        found = self._rules.get(direction)
        if found is None:
            spec, obj = self.policy.spec, self.policy
            written = spec.ingress if direction == "ingress" else spec.egress
            found = self._rules[direction] = tuple(
                compile_rule(obj, self.tier, direction, i, r) for i, r in enumerate(written or []))
        return found

    @property
    def ingress(self) -> tuple[CalicoRuleC, ...]:
        return self.rules("ingress")

    @property
    def egress(self) -> tuple[CalicoRuleC, ...]:
        return self.rules("egress")


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
    )


Member = CompiledCalicoPolicy | CompiledPolicy  # a Calico policy, or a Kubernetes NetworkPolicy (default tier)
Item = CompiledCalicoPolicy | CalicoNetworkPolicy  # compiled, or compiled when first needed
Compile = Callable[[CalicoNetworkPolicy], CompiledCalicoPolicy]


class CalicoTier:
    """One Calico tier over one state."""

    def __init__(self, name: str, order: float | None, default_action: str,
                 policies: Sequence[Item], matcher: CalicoMatcher,
                 knp: NetworkPolicyTier | None = None, compile: Compile | None = None) -> None:
        self.name = name
        self.order = order
        self.default_action = default_action
        self.label = tier_label(name)
        self.matcher = matcher
        self.knp = knp
        self._compile = compile or compile_calico_policy
        self._global: list[Item] = []
        self._by_ns: dict[str, list[Item]] = {}
        for item in policies:
            ns = item.namespace if isinstance(item, CompiledCalicoPolicy) else item.metadata.namespace
            (self._by_ns.setdefault(ns, []) if ns else self._global).append(item)
        self._in: dict[str, list[CompiledCalicoPolicy]] = {}
        self._all: list[CompiledCalicoPolicy] | None = None
        self._sides: dict[tuple[int, str], tuple[Subject, TierSide | None]] = {}

    def _get(self, item: Item) -> CompiledCalicoPolicy:
        return item if isinstance(item, CompiledCalicoPolicy) else self._compile(item)

    @property
    def policies(self) -> list[CompiledCalicoPolicy]:
        """Every policy of the tier, compiled, in evaluation order."""
        if self._all is None:
            items = [*self._global, *(i for ns in sorted(self._by_ns) for i in self._by_ns[ns])]
            self._all = sorted((self._get(i) for i in items), key=lambda p: (*sort_key(p.order, p.name), p.kind))
        return self._all

    def policies_for(self, namespace: str) -> list[CompiledCalicoPolicy]:
        """The policies that may select a pod of `namespace` (its own and the global ones), compiled
        only when first asked: explain of one pod compiles one namespace's policies."""
        found = self._in.get(namespace)
        if found is None:
            found = self._in[namespace] = [self._get(i) for i in (*self._global, *self._by_ns.get(namespace, ()))]
        return found

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
            (sort_key(cp.order, cp.name), cp) for cp in self.policies_for(s.namespace)
            if self._selects(cp, s, direction)]
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

    def peer_hits(self, rule: TierRule, reps: Sequence[Subject],
                  by_ns: Mapping[str, Sequence[int]]) -> tuple[frozenset[int], frozenset[int]] | None:
        """The connectivity list's fast path: the representatives the rule's peer side matches (and
        those it cannot tell), looking only where its scope reaches."""
        if isinstance(rule, CompiledRule):
            assert self.knp is not None
            return self.knp.peer_hits(rule, reps, by_ns)
        assert isinstance(rule, CalicoRuleC)
        e = rule.peer
        if e.empty and rule.ip_version is None:
            return None
        candidates: Iterable[int]
        if e.service is not None:
            candidates = by_ns.get(e.service[0], ())
        elif e.nets is not None:
            candidates = (i for i, s in enumerate(reps) if s.ips)
        elif e.has_identity and e.namespace_selector is None and rule.namespace:
            candidates = by_ns.get(rule.namespace, ())
        elif e.namespace_selector is not None and e.sa_names is None and e.sa_selector is None:
            candidates = [i for ns, idx in by_ns.items()
                          if self.matcher.ns_in_scope(e, rule.namespace, ns) is not False for i in idx]
        else:
            candidates = range(len(reps))
        hit: set[int] = set()
        unknown: set[int] = set()
        for i in candidates:
            found = self.matcher.matches(e, rule.namespace, reps[i], rule.ip_version)
            if isinstance(found, Unknown):
                unknown.add(i)
            elif found:
                hit.add(i)
        return frozenset(hit), frozenset(unknown)

    def may_match_addresses(self, rule: TierRule) -> bool:
        """Endpoints' services and service accounts never match addresses; selectors only through
        network sets."""
        if isinstance(rule, CompiledRule):
            assert self.knp is not None
            return self.knp.may_match_addresses(rule)
        assert isinstance(rule, CalicoRuleC)
        e = rule.peer
        if e.service is not None or e.sa_names is not None or e.sa_selector is not None:
            return False
        return (e.selector is None and e.namespace_selector is None) or bool(self.matcher.netsets())

    def _rules(self) -> Iterable[CalicoRuleC]:
        for cp in self.policies:
            yield from cp.ingress
            yield from cp.egress

    def boundaries(self, direction: str) -> Iterable[tuple[int, int]]:
        netsets = self.matcher.netsets()
        for rule in self._rules():
            if rule.direction == direction:
                e = rule.peer
                for block in e.blocks():
                    yield from block.boundaries()
                # network sets in play: those the rule's selector (or notSelector) can match
                wanted: list[CalicoSelector | None] = [e.not_selector] if e.not_selector is not None else []
                if e.selector is not None or e.namespace_selector is not None:
                    wanted.append(e.selector)
                for sel in wanted:
                    for ns, labels, nets in netsets:
                        if self.matcher.netset_in(e, rule.namespace, ns, labels, sel):
                            for block in nets:
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


def cached_compile(ctx: TierContext) -> Compile:
    """Compile a Calico policy once per object (the cache outlives state versions)."""
    cache = ctx.cache("Calico")

    def get(obj: CalicoNetworkPolicy) -> CompiledCalicoPolicy:
        key = (obj.kind, obj.metadata.namespace, obj.metadata.name)
        cp = cache.get(key)
        if not isinstance(cp, CompiledCalicoPolicy) or cp.policy is not obj:
            cp = cache[key] = compile_calico_policy(obj)
        return cp
    return get


def _compiled(state: ClusterState, ctx: TierContext, kinds: Sequence[str]) -> list[CompiledCalicoPolicy]:
    get = cached_compile(ctx)
    return [get(obj) for kind in kinds for obj in state.objects(kind)]


def build_calico_tiers(state: ClusterState, ctx: TierContext, policies: Sequence[Item],
                       with_knp: bool = True) -> list[CalicoTier]:
    """Group policies into their tiers (Tier objects give order and defaultAction) and order them."""
    specs: dict[str, tuple[float | None, str]] = {n: (o, "Deny") for n, o in BUILTIN_TIER_ORDER.items()}
    specs["kube-admin"] = (BUILTIN_TIER_ORDER["kube-admin"], "Pass")
    specs["kube-baseline"] = (BUILTIN_TIER_ORDER["kube-baseline"], "Pass")
    for t in state.objects("Tier"):
        specs[t.metadata.name] = (t.spec.order, t.spec.default_action or "Deny")
    by_tier: dict[str, list[Item]] = {}
    for cp in policies:
        by_tier.setdefault(cp.tier if isinstance(cp, CompiledCalicoPolicy) else cp.spec.tier_name(), []).append(cp)
    names = set(by_tier) | ({DEFAULT_TIER} if with_knp else set())
    matcher = CalicoMatcher(state, ctx)
    knp = NetworkPolicyTier(state, ctx) if with_knp else None
    tiers = []
    for name in names:
        order, action = specs.get(name, (None, "Deny"))
        tiers.append(CalicoTier(name, order, action, by_tier.get(name, []), matcher,
                                knp if name == DEFAULT_TIER else None, cached_compile(ctx)))
    tiers.sort(key=lambda t: sort_key(t.order, t.name))
    return tiers


def calico_policies(state: ClusterState, ctx: TierContext) -> list[CompiledCalicoPolicy]:
    return _compiled(state, ctx, POLICY_KINDS)


def calico_tiers(state: ClusterState, ctx: TierContext) -> list[CalicoTier]:
    """Calico's tiers when the state has Calico policies; they then hold Kubernetes NetworkPolicy."""
    policies = [obj for kind in POLICY_KINDS for obj in state.objects(kind)]
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
