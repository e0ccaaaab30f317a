"""The Cilium tier: CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy as one union tier.

Semantics (docs.cilium.io, "Policy Enforcement Modes" / "Deny Policies" / the enableDefaultDeny
field): an endpoint selected by a policy spec with rules for a direction (allow or deny) is in
default deny for that direction, unless the spec sets enableDefaultDeny false; the allows of every
policy, Cilium's and Kubernetes NetworkPolicy's, are one union (consecutive union tiers merge in
tier.py); any matching deny wins over every allow. Host-network pods are the node, not endpoints:
endpoint policies do not select them, and peers see them as the `host` / `remote-node` entities.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence

from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.policy.calico_match import service_account
from ktui.analysis.policy.cilium_rules import (
    NS_LABEL,
    TIER_CILIUM,
    CIDRPeer,
    CiliumPeer,
    CiliumRule,
    CompiledCiliumPolicy,
    EndpointPeer,
    EntityPeer,
    FQDNPeer,
    NodePeer,
    OpaquePeer,
    ServicePeer,
    compile_cilium_policy,
    endpoint_labels,
)
from ktui.analysis.policy.tier import End, Mode, PeerMatch, TierContext, TierRule, TierSide, Unknown
from ktui.model.cilium import CiliumNetworkPolicy
from ktui.model.core import Service
from ktui.store import ClusterState

CILIUM_KINDS = ("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy")
SA_LABEL = "io.cilium.k8s.policy.serviceaccount"  # Cilium "Using Kubernetes Constructs In Policy"
_POD_ENTITIES = frozenset({"cluster", "all"})
_HOST_ENTITIES = frozenset({"host", "remote-node", "cluster", "all"})
SelectKey = tuple[str, str, frozenset[tuple[str, str]], str]  # namespace, direction, labels, service account


def entity_matches(entity: str, other: Subject | ExternalRange) -> bool:
    """world: outside the cluster; cluster: every endpoint and node; all: both (Cilium "Entities")."""
    if isinstance(other, ExternalRange):
        return entity in ("world", "all") or entity == f"world-ipv{other.version}"
    return entity in (_HOST_ENTITIES if other.host_network else _POD_ENTITIES)


class CiliumTier:
    label = TIER_CILIUM

    def __init__(self, state: ClusterState, ctx: TierContext) -> None:
        self.state = state
        self.ctx = ctx
        self._compiled_cache = ctx.cache("Cilium")
        self._policies: list[CompiledCiliumPolicy] | None = None
        self._in: dict[str, list[CompiledCiliumPolicy]] = {}
        self._sides: dict[SelectKey, TierSide | None] = {}
        self._labels: dict[int, tuple[Subject, dict[str, str]]] = {}

    def reset(self) -> None:
        self._policies = None
        self._in.clear()
        self._sides.clear()
        self._labels.clear()

    def labels(self, s: Subject) -> dict[str, str]:
        """The endpoint labels of a subject (cached while the subject lives)."""
        found = self._labels.get(id(s))
        if found is None or found[0] is not s:
            labels = endpoint_labels(s, self.ctx.ns_labels(s.namespace))
            labels[SA_LABEL] = service_account(self.state, s)
            found = self._labels[id(s)] = (s, labels)
        return found[1]

    def policies(self) -> list[CompiledCiliumPolicy]:
        """Every Cilium policy, compiled once per object, by kind, namespace and name."""
        if self._policies is None:
            out: list[CompiledCiliumPolicy] = []
            for kind in CILIUM_KINDS:
                out.extend(self._compiled(obj) for obj in self.state.objects(kind))
            out.sort(key=lambda c: (c.kind, c.namespace, c.name))
            self._policies = out
        return self._policies

    def _compiled(self, obj: CiliumNetworkPolicy) -> CompiledCiliumPolicy:
        key = (obj.kind, obj.metadata.namespace, obj.metadata.name)
        cp = self._compiled_cache.get(key)
        if not isinstance(cp, CompiledCiliumPolicy) or cp.policy is not obj:
            cp = self._compiled_cache[key] = compile_cilium_policy(obj)
        return cp

    def policies_in(self, namespace: str) -> list[CompiledCiliumPolicy]:
        """The namespace's CNPs and every CCNP, compiled when first asked (explain of one pod
        compiles one namespace's policies)."""
        found = self._in.get(namespace)
        if found is None:
            objs = [*self.state.objects("CiliumClusterwideNetworkPolicy"),
                    *self.state.objects("CiliumNetworkPolicy", namespace)]
            found = self._in[namespace] = sorted((self._compiled(o) for o in objs),
                                                 key=lambda c: (c.kind, c.namespace, c.name))
        return found

    def _hidden(self, namespace: str) -> str | None:
        for kind in CILIUM_KINDS:
            why = self.state.unseen(kind, namespace)
            if why is not None:
                return f"{kind}: {why}"
        return None

    def select(self, subject: Subject, direction: str) -> TierSide | None:
        # the endpoint's labels include its service account (SA_LABEL): part of what selects it
        key = (subject.namespace, direction, subject.label_set, subject.service_account)
        if key in self._sides and not subject.host_network:
            return self._sides[key]
        side = None if subject.host_network else self._select(subject, direction)
        if not subject.host_network:
            self._sides[key] = side
        return side

    def _select(self, subject: Subject, direction: str) -> TierSide | None:
        labels = self.labels(subject)
        selecting: list[CompiledCiliumPolicy] = []
        rules: list[CiliumRule] = []
        deny_end = False
        for cp in self.policies_in(subject.namespace):
            hit = False
            for spec in cp.specs:
                if spec.selector is None or not spec.selector.matches(labels):
                    continue
                spec_rules = spec.rules[direction]
                if not spec_rules and not spec.default_deny[direction]:
                    continue
                hit = True
                rules.extend(spec_rules)
                deny_end = deny_end or spec.default_deny[direction]
            if hit:
                selecting.append(cp)
        hidden = self._hidden(subject.namespace)
        if not selecting and hidden is None:
            return None
        return TierSide(self.label, Mode.UNION, End.DENY if deny_end else End.NEXT,
                        tuple(cp.ref for cp in selecting), tuple(rules), hidden, tuple(selecting))

    def peer_index(self, tier_rule: TierRule, other: Subject | ExternalRange) -> PeerMatch:
        """The first L3 entry of the rule matching `other`; None for an L4-only rule."""
        rule = tier_rule
        assert isinstance(rule, CiliumRule)
        if rule.matches_nothing:
            return False
        if rule.peers is None:
            return None
        unknown: Unknown | None = None
        for p in rule.peers:
            found = self._match(p, other)
            if found is True:
                return p.index
            if isinstance(found, Unknown):
                unknown = unknown or found
        return unknown if unknown is not None else False

    def _match(self, p: CiliumPeer, other: Subject | ExternalRange) -> bool | Unknown:
        if isinstance(p, EndpointPeer):
            if isinstance(other, ExternalRange) or other.host_network:
                return False
            if p.namespace is not None and other.namespace != p.namespace:
                return False
            return p.selector.matches(self.labels(other))
        if isinstance(p, EntityPeer):
            return entity_matches(p.entity, other)
        if isinstance(p, CIDRPeer):  # CIDR rules never match pods
            if not isinstance(other, ExternalRange):
                return False
            if p.block is None:
                return Unknown(f"{p.text}: CiliumCIDRGroups are not read")
            return p.block.contains_range(other)
        if isinstance(p, ServicePeer):
            if isinstance(other, ExternalRange):  # a Service without selector: its EndpointSlice IPs, as CIDRs
                return other.first == other.last and (other.version, other.first) in self._service_ips(p)
            return self._service_selects(p, other)
        if isinstance(p, NodePeer):
            if not isinstance(other, ExternalRange) or other.first != other.last:
                return False
            return (other.version, other.first) in self.ctx.node_addresses(p.selector)
        if isinstance(p, OpaquePeer):
            return Unknown(f"{p.what}: cloud provider groups are resolved by Cilium, not visible to ktui")
        assert isinstance(p, FQDNPeer)
        return False  # names are never resolved

    def _services(self, p: ServicePeer) -> list[Service]:
        return [svc for svc in self.state.objects("Service", p.namespace)
                if (not p.name or svc.metadata.name == p.name)
                and (p.selector is None or p.selector.matches(svc.metadata.labels))]

    def _service_ips(self, p: ServicePeer) -> set[tuple[int, int]]:
        """Cilium "Services based": the EndpointSlice addresses of the selected Services that have
        no selector (those become CIDR selectors; Services with selectors select pods)."""
        out: set[tuple[int, int]] = set()
        for svc in self._services(p):
            if svc.spec.selector:
                continue
            for sl in self.state.endpoint_slices(p.namespace, svc.metadata.name):
                for ep in sl.endpoints:
                    for addr in ep.addresses:
                        try:
                            ip = ipaddress.ip_address(addr)
                        except ValueError:
                            continue
                        out.add((ip.version, int(ip)))
        return out

    def _service_selects(self, p: ServicePeer, other: Subject) -> bool:
        if other.namespace != p.namespace:
            return False
        for svc in self._services(p):
            sel = svc.spec.selector
            if sel and all(other.labels.get(k) == v for k, v in sel.items()):
                return True
        return False

    def peer_hits(self, tier_rule: TierRule, reps: Sequence[Subject],
                  by_ns: Mapping[str, Sequence[int]]) -> tuple[frozenset[int], frozenset[int]] | None:
        """The connectivity list's fast path: the representatives the rule's peers match (and those it
        cannot tell), looking only at the namespaces an endpoint selector can reach."""
        rule = tier_rule
        assert isinstance(rule, CiliumRule)
        if rule.peers is None and not rule.matches_nothing:
            return None
        hit: set[int] = set()
        unknown: set[int] = set()
        everyone = range(len(reps))
        for p in rule.peers or ():
            candidates: Iterable[int] = ()
            if isinstance(p, EndpointPeer):
                named = (p.selector.match_labels or {}).get(NS_LABEL)
                ns = p.namespace if p.namespace is not None else named
                candidates = by_ns.get(ns, ()) if ns is not None else everyone
            elif isinstance(p, EntityPeer | ServicePeer):
                candidates = by_ns.get(p.namespace, ()) if isinstance(p, ServicePeer) else everyone
            elif isinstance(p, OpaquePeer):
                unknown.update(everyone)
                continue
            hit.update(i for i in candidates if i not in hit and self._match(p, reps[i]) is True)
        return frozenset(hit), frozenset(unknown - hit)

    def may_match_addresses(self, tier_rule: TierRule) -> bool:
        """Only CIDRs, entities, nodes and unresolvable groups (or no L3 part) match addresses."""
        rule = tier_rule
        assert isinstance(rule, CiliumRule)
        if rule.matches_nothing:
            return False
        return rule.peers is None or any(isinstance(p, CIDRPeer | EntityPeer | NodePeer | OpaquePeer | ServicePeer)
                                         for p in rule.peers)

    def boundaries(self, direction: str) -> Iterable[tuple[int, int]]:
        for cp in self.policies():
            for spec in cp.specs:
                for rule in spec.rules[direction]:
                    for p in rule.peers or ():
                        if isinstance(p, CIDRPeer) and p.block is not None:
                            yield from p.block.boundaries()
                        elif isinstance(p, NodePeer | ServicePeer):
                            points = self.ctx.node_addresses(p.selector) if isinstance(p, NodePeer) \
                                else self._service_ips(p)
                            for version, addr in points:
                                yield (version, addr)
                                yield (version, addr + 1)

    def blocks(self) -> Iterable[object]:
        """No address set of a Cilium rule matches a pod: nothing to tell pods apart by."""
        return ()

    def destination_names(self, subject: Subject) -> tuple[str, ...]:
        """DNS names (toFQDNs matchName / matchPattern) the subject's egress allows: shown, never resolved."""
        return tuple(dict.fromkeys(p.name for _, p in self.fqdn_rules(subject)))

    def fqdn_rules(self, subject: Subject) -> list[tuple[CiliumRule, FQDNPeer]]:
        """The toFQDNs entries of the egress allow rules selecting the subject (for the egress class)."""
        side = self.select(subject, "egress")
        out: list[tuple[CiliumRule, FQDNPeer]] = []
        for rule in side.rules if side is not None else ():
            assert isinstance(rule, CiliumRule)
            if not rule.deny:
                out.extend((rule, p) for p in rule.peers or () if isinstance(p, FQDNPeer))
        return out


def cilium_tiers(state: ClusterState, ctx: TierContext) -> list[CiliumTier]:
    """The Cilium tier when the state has Cilium policies (or could not read them)."""
    if any(state.count(k) for k in CILIUM_KINDS) or any(
            k in CILIUM_KINDS for k, _ in state.unseen_kinds()):
        return [CiliumTier(state, ctx)]
    return []


__all__ = ["CILIUM_KINDS", "TIER_CILIUM", "CiliumTier", "cilium_tiers", "entity_matches"]
