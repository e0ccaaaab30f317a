"""The admin tiers over one ClusterState: which admin policies select a pod, which rule decides a
port, and the Allow/Deny port sets per tier that adminpolicy.combine() folds with NetworkPolicy.

NetpolEngine owns one and asks it only when the state holds admin policies, so clusters without
them pay nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from ktui.analysis.core.portset import EMPTY, PortSet
from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.core.verdicts import RuleRef
from ktui.analysis.policy.admin_rules import (
    AdminRuleSpec,
    CompiledAdminPolicy,
    first_named_ports,
    peer_matches_external,
    peer_matches_subject,
)
from ktui.analysis.policy.admin_tiers import AdminTiers, admin_tiers, first_match
from ktui.model.selectors import LabelSelector
from ktui.store import ClusterState

Peer = Subject | ExternalRange
Selecting = tuple[tuple[CompiledAdminPolicy, ...], tuple[CompiledAdminPolicy, ...]]  # (admin, baseline)


@dataclass(frozen=True, slots=True)
class AdminHit:
    """The first admin rule that holds a given port, with the peer and port entries that matched."""

    policy: CompiledAdminPolicy
    rule: AdminRuleSpec
    peer: int
    port: int | None

    def ref(self) -> RuleRef:
        return RuleRef(self.policy.ref, self.rule.direction, self.rule.index, self.peer, self.port,
                       tier=self.policy.label, action=self.rule.action, name=self.rule.name)


class AdminEvaluator:
    """Per-state caches (tiers, selection, node addresses); compiled policies are kept across states."""

    def __init__(self, state: ClusterState, ns_labels: Callable[[str], Mapping[str, str]]) -> None:
        self.state = state
        self.ns_labels = ns_labels
        self._compiled: dict[tuple[str, str], CompiledAdminPolicy] = {}
        self._tiers: AdminTiers | None = None
        self._selecting: dict[tuple[str, str, frozenset[tuple[str, str]]], Selecting] = {}
        self._nodes: dict[int, frozenset[tuple[int, int]]] = {}

    def reset(self) -> None:
        """The state changed: drop what depends on it."""
        self._tiers = None
        self._selecting.clear()
        self._nodes.clear()

    def tiers(self) -> AdminTiers:
        if self._tiers is None:
            self._tiers = admin_tiers(self.state, self._compiled)
        return self._tiers

    def selecting(self, subject: Subject, direction: str) -> Selecting:
        """(admin tier, baseline tier) policies selecting the subject with rules in `direction`."""
        tiers = self.tiers()
        if not tiers:
            return (), ()
        key = (subject.namespace, direction, frozenset(subject.labels.items()))
        found = self._selecting.get(key)
        if found is None:
            pick = [cp for cp in tiers.all() if cp.applies(direction) and cp.selects(subject, self.ns_labels)]
            found = self._selecting[key] = (tuple(c for c in pick if c.tier == "admin"),
                                            tuple(c for c in pick if c.tier != "admin"))
        return found

    def node_addresses(self, selector: LabelSelector) -> frozenset[tuple[int, int]]:
        """(ip version, address) of every Node the selector picks (status.addresses)."""
        found = self._nodes.get(id(selector))
        if found is None:
            out: set[tuple[int, int]] = set()
            for node in self.state.objects("Node"):
                if selector.matches(node.metadata.labels):
                    for addr in node.status.addresses:
                        try:
                            ip = ipaddress.ip_address(addr.address)
                        except ValueError:
                            continue
                        out.add((ip.version, int(ip)))
            found = self._nodes[id(selector)] = frozenset(out)
        return found

    def peer_index(self, rule: AdminRuleSpec, other: Peer) -> int | None:
        """The first peer entry of the rule matching `other`, or None."""
        for p in rule.peers:
            if isinstance(other, ExternalRange):
                if peer_matches_external(p, other, self.node_addresses):
                    return p.index
            elif peer_matches_subject(p, other, self.ns_labels):
                return p.index
        return None

    def _matching(self, policies: tuple[CompiledAdminPolicy, ...], direction: str,
                  other: Peer) -> Iterator[tuple[CompiledAdminPolicy, AdminRuleSpec, int]]:
        for cp in policies:
            for rule in cp.rules(direction):
                peer = self.peer_index(rule, other)
                if peer is not None:
                    yield cp, rule, peer

    def first_hit(self, policies: tuple[CompiledAdminPolicy, ...], direction: str, other: Peer,
                  dst: Peer, port: int, protocol: str) -> AdminHit | None:
        """The rule deciding port/protocol: the first whose peers and ports both match."""
        named = first_named_ports(dst) if isinstance(dst, Subject) else None
        for cp, rule, peer in self._matching(policies, direction, other):
            port_index = rule.port_index(named, port, protocol)
            if port_index is not False:
                assert not isinstance(port_index, bool)
                return AdminHit(cp, rule, peer, port_index)
        return None

    def tier_sets(self, policies: tuple[CompiledAdminPolicy, ...], direction: str, other: Peer,
                  dst: Peer) -> tuple[PortSet, PortSet]:
        """(allowed, denied) ports of one tier towards `other`, first match per port."""
        if not policies:
            return EMPTY, EMPTY
        named = first_named_ports(dst) if isinstance(dst, Subject) else None
        return first_match((rule, rule.port_set(named)) for _, rule, _ in self._matching(policies, direction, other))

