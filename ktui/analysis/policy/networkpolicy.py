"""Kubernetes NetworkPolicy as a tier (the compiled policies are in netpol_compiled.py and
re-exported here, the one place other packages take them from).

The tier is a union tier that denies what it leaves undecided: a pod is isolated for a direction
when some policy of that type selects it, and then only the union of their rules is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import cast

from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.core.verdicts import TIER_NETPOL
from ktui.analysis.policy.netpol_compiled import (
    CompiledBlock,
    CompiledPeer,
    CompiledPolicy,
    CompiledPort,
    CompiledRule,
    NamespaceLabels,
    compile_block,
    compile_policy,
    first_port_index,
    named_ports,
    peer_matches_external,
    peer_matches_subject,
)
from ktui.analysis.policy.ranges import RangeIndex
from ktui.analysis.policy.tier import End, Mode, PeerMatch, TierContext, TierRule, TierSide, Unknown
from ktui.store import ClusterState

__all__ = ["CompiledBlock", "CompiledPeer", "CompiledPolicy", "CompiledPort", "CompiledRule", "NamespaceLabels",
           "NetworkPolicyTier", "compile_block", "compile_policy", "first_port_index", "named_ports",
           "networkpolicy_tiers", "peer_matches_external", "peer_matches_subject"]

# --- the tier -------------------------------------------------------------------------------

SelectKey = tuple[str, str, frozenset[tuple[str, str]]]


class NetworkPolicyTier:
    """Kubernetes NetworkPolicy: a union tier; selected means isolated (End.DENY)."""

    label = TIER_NETPOL

    def __init__(self, state: ClusterState, ctx: TierContext) -> None:
        self.state = state
        self.ctx = ctx
        self._compiled = ctx.cache("NetworkPolicy")
        self._ns_policies: dict[str, list[CompiledPolicy]] = {}
        self._selecting: dict[SelectKey, list[CompiledPolicy]] = {}
        self._matching: dict[tuple[str, frozenset[tuple[str, str]]], list[CompiledPolicy]] = {}
        self._sides: dict[SelectKey, TierSide | None] = {}
        self._range_index: RangeIndex | None = None

    def reset(self) -> None:
        self._range_index = None
        self._ns_policies.clear()
        self._selecting.clear()
        self._matching.clear()
        self._sides.clear()

    def policies_in(self, namespace: str) -> list[CompiledPolicy]:
        """The namespace's policies, compiled (once per object), by name."""
        cached = self._ns_policies.get(namespace)
        if cached is not None:
            return cached
        out = []
        for np in self.state.policies(namespace):
            key = (namespace, np.metadata.name)
            cp = self._compiled.get(key)
            if not isinstance(cp, CompiledPolicy) or cp.policy is not np:
                cp = self._compiled[key] = compile_policy(np)
            out.append(cp)
        out.sort(key=lambda c: c.name)
        self._ns_policies[namespace] = out
        return out

    def all_policies(self) -> list[CompiledPolicy]:
        return [cp for ns in self.state.namespace_names() for cp in self.policies_in(ns)]

    def selecting(self, subject: Subject, direction: str) -> list[CompiledPolicy]:
        """The namespace's policies selecting the subject for `direction`; shared by equal labels."""
        labels = subject.label_set
        key = (subject.namespace, direction, labels)
        found = self._selecting.get(key)
        if found is None:
            both = self._matching.get((subject.namespace, labels))
            if both is None:  # the selectors matched once for both directions
                both = self._matching[(subject.namespace, labels)] = [
                    cp for cp in self.policies_in(subject.namespace) if cp.selector.matches(subject.labels)]
            found = self._selecting[key] = [cp for cp in both if cp.applies(direction)]
        return found

    def select(self, subject: Subject, direction: str) -> TierSide | None:
        key = (subject.namespace, direction, subject.label_set)
        if key in self._sides:
            return self._sides[key]
        policies = self.selecting(subject, direction)
        hidden = self.state.unseen("NetworkPolicy", subject.namespace)
        side = None
        if policies or hidden is not None:
            side = TierSide(self.label, Mode.UNION, End.DENY, tuple(cp.ref for cp in policies),
                            tuple(r for cp in policies for r in cp.rules(direction)),
                            None if hidden is None else f"NetworkPolicies in {subject.namespace}: {hidden}",
                            tuple(policies))
        self._sides[key] = side
        return side

    def peer_index(self, tier_rule: TierRule, other: Subject | ExternalRange) -> PeerMatch:
        """The first peer entry matching `other`; None when the rule lists none; else False."""
        rule = cast(CompiledRule, tier_rule)
        if rule.peers is None:
            return None
        unknown: Unknown | None = None
        for p in rule.peers:
            if isinstance(other, ExternalRange):
                if peer_matches_external(p, other):
                    return p.index
                continue
            if p.block is None and p.namespace_selector is not None and self.ctx.namespaces_hidden():
                why = self.ctx.namespace_unknown(p.namespace_selector)
                if why is not None:  # unknown only where the pod selector matches (as peer_hits has it)
                    if p.pod_selector is None or p.pod_selector.matches(other.labels):
                        unknown = unknown or Unknown(why)
                    continue
            if peer_matches_subject(p, rule.namespace, other, self.ctx.ns_labels):
                return p.index
        return unknown if unknown is not None else False

    def peer_hits(self, tier_rule: TierRule, reps: Sequence[Subject],
                  by_ns: Mapping[str, Sequence[int]]) -> tuple[frozenset[int], frozenset[int]] | None:
        """The representatives the rule's peers match, and those it cannot tell (None: every one),
        peer by peer from the namespaces each can reach: the connectivity list's fast path."""
        rule = cast(CompiledRule, tier_rule)
        if rule.peers is None:
            return None
        hit: set[int] = set()
        unknown: set[int] = set()
        ns_labels = self.ctx.ns_labels
        for p in rule.peers:
            candidates: Iterable[int]
            if p.block is not None:
                candidates = (i for i, s in enumerate(reps) if s.ips)
            elif p.namespace_selector is None:
                candidates = by_ns.get(rule.namespace, ())
            elif self.ctx.namespace_unknown(p.namespace_selector):
                unknown.update(i for idx in by_ns.values() for i in idx
                               if p.pod_selector is None or p.pod_selector.matches(reps[i].labels))
                continue
            else:
                sel = p.namespace_selector
                candidates = (i for ns, idx in by_ns.items() if sel.matches(ns_labels(ns)) for i in idx)
            hit.update(i for i in candidates
                       if i not in hit and peer_matches_subject(p, rule.namespace, reps[i], ns_labels))
        return frozenset(hit), frozenset(unknown - hit)

    def range_hits(self, tier_rule: TierRule,
                   ranges: Sequence[ExternalRange]) -> tuple[list[range], list[range]] | None:
        """The runs of positions of the ranges the rule's peers match (never unknown: only ipBlocks
        match addresses), found by bisection; None: the rule has no peers, so it matches every range.
        Equal to asking peer_index of each range, in O(peers log ranges) instead of O(ranges)."""
        rule = cast(CompiledRule, tier_rule)
        if rule.peers is None:
            return None
        index = self._range_index
        if index is None or index.ranges is not ranges:
            index = self._range_index = RangeIndex(ranges)
        spans = sorted((index.within(version, lo, hi) for p in rule.peers if p.block is not None
                        for version, lo, hi in p.block.intervals), key=lambda r: r.start)
        runs: list[range] = []
        for r in spans:  # overlapping blocks of several peers: one run
            if not r:
                continue
            if runs and r.start <= runs[-1].stop:
                runs[-1] = range(runs[-1].start, max(runs[-1].stop, r.stop))
            else:
                runs.append(r)
        return runs, []

    def may_match_addresses(self, tier_rule: TierRule) -> bool:
        """Only ipBlocks (or no peers at all) match addresses outside the cluster."""
        rule = cast(CompiledRule, tier_rule)
        return rule.peers is None or any(p.block is not None for p in rule.peers)

    def boundaries(self, direction: str) -> Iterable[tuple[int, int]]:
        for cp in self.all_policies():
            yield from cp.boundaries(direction)

    def blocks(self) -> Iterable[CompiledBlock]:
        """Every ipBlock of every policy (pods inside one are told apart by the connectivity list)."""
        for cp in self.all_policies():
            for d in ("ingress", "egress"):
                for rule in cp.rules(d):
                    yield from (p.block for p in rule.peers or () if p.block is not None)


def networkpolicy_tiers(state: ClusterState, ctx: TierContext) -> list[NetworkPolicyTier]:
    """The NetworkPolicy tier, unless another family holds it in its place (Calico)."""
    return [] if ctx.claimed(TIER_NETPOL) else [NetworkPolicyTier(state, ctx)]
