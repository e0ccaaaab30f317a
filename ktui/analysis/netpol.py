"""NetworkPolicy semantics (networking.k8s.io/v1): selection, isolation, verdicts with reasons.

A pod is isolated for a direction when some policy of that type selects it; then the allowed
traffic is the union of those policies' rules. A connection is allowed when the source's egress
and the destination's ingress both allow it. Every verdict names the rules that decided it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ktui.analysis.policyrules import (
    CompiledPolicy,
    CompiledRule,
    compile_policy,
    named_ports,
    peer_matches_external,
    peer_matches_subject,
)
from ktui.analysis.portset import ALL, EMPTY, PortSet
from ktui.analysis.subjects import ExternalRange, Subject
from ktui.store import ClusterState

Peer = Subject | ExternalRange
DIRECTIONS = ("ingress", "egress")
TIER_NETPOL = "NetworkPolicy"


@dataclass(frozen=True, slots=True)
class RuleRef:
    """One rule (and the peer and port entries within it) that allowed a connection."""

    policy: str  # ns/name
    direction: str
    rule: int
    peer: int | None  # None: the rule lists no peers (all)
    port: int | None  # None: the rule lists no ports (all)
    tier: str = TIER_NETPOL
    action: str = "Allow"

    def __str__(self) -> str:
        where = f"{self.policy} {self.direction}[{self.rule}]"
        if self.peer is not None:
            where += f" peer[{self.peer}]"
        if self.port is not None:
            where += f" port[{self.port}]"
        return where


@dataclass(frozen=True, slots=True)
class DirectionVerdict:
    direction: str
    allowed: bool
    evaluated: bool = True  # False when this end is outside the cluster
    isolated: bool = False
    policies: tuple[str, ...] = ()  # policies selecting the pod for this direction
    rules: tuple[RuleRef, ...] = ()  # the rules that allowed (or, for admin tiers, decided)
    tier: str = TIER_NETPOL  # the tier that decided

    def reason(self) -> str:
        if not self.evaluated:
            return "outside the cluster: not subject to policy"
        if not self.isolated and not self.rules:
            return "not isolated: all traffic allowed"
        if self.rules:
            return "allowed by " + "; ".join(str(r) for r in self.rules)
        return "isolated by " + ", ".join(self.policies) + "; no rule allows it"


@dataclass(frozen=True, slots=True)
class Verdict:
    src: str
    dst: str
    port: int
    protocol: str
    egress: DirectionVerdict
    ingress: DirectionVerdict
    allowed: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed", self.egress.allowed and self.ingress.allowed)


class NetpolEngine:
    """Evaluates NetworkPolicy over one ClusterState; caches compiled policies per object."""

    def __init__(self, state: ClusterState) -> None:
        self.state = state
        self._compiled: dict[tuple[str, str], CompiledPolicy] = {}
        self._version = -1
        self._ns_labels: dict[str, dict[str, str]] = {}
        self._ns_policies: dict[str, list[CompiledPolicy]] = {}
        self._selecting: dict[tuple[str, str, frozenset[tuple[str, str]]], list[CompiledPolicy]] = {}

    def _check_version(self) -> None:
        """Per-state caches are valid for one version of the state; compiled policies for good."""
        if self._version != self.state.version:
            self._ns_labels.clear()
            self._ns_policies.clear()
            self._selecting.clear()
            self._version = self.state.version

    def policies_in(self, namespace: str) -> list[CompiledPolicy]:
        self._check_version()
        cached = self._ns_policies.get(namespace)
        if cached is not None:
            return cached
        out = []
        for np in self.state.policies(namespace):
            key = (namespace, np.metadata.name)
            cp = self._compiled.get(key)
            if cp is None or cp.policy is not np:
                cp = self._compiled[key] = compile_policy(np)
            out.append(cp)
        out.sort(key=lambda c: c.name)
        self._ns_policies[namespace] = out
        return out

    def ns_labels(self, namespace: str) -> dict[str, str]:
        self._check_version()
        labels = self._ns_labels.get(namespace)
        if labels is None:
            labels = self._ns_labels[namespace] = self.state.namespace_labels(namespace)
        return labels

    def selecting(self, subject: Subject, direction: str) -> list[CompiledPolicy]:
        """Policies of the subject's namespace that select it and apply to `direction`.

        Cached by (namespace, labels): the replicas of a workload share the answer.
        """
        self._check_version()
        key = (subject.namespace, direction, frozenset(subject.labels.items()))
        found = self._selecting.get(key)
        if found is None:
            found = self._selecting[key] = [
                cp
                for cp in self.policies_in(subject.namespace)
                if cp.applies(direction) and cp.selector.matches(subject.labels)
            ]
        return found

    def peer_matches(self, cp: CompiledPolicy, rule: CompiledRule, peer: Peer) -> int | bool | None:
        """The index of the first matching peer entry, None if the rule has no peers, else False."""
        if rule.peers is None:
            return None
        for p in rule.peers:
            if isinstance(peer, ExternalRange):
                if peer_matches_external(p, peer):
                    return p.index
            elif peer_matches_subject(p, cp.namespace, peer, self.ns_labels):
                return p.index
        return False

    def direction_verdict(
        self, subject: Subject, other: Peer, direction: str, port: int, protocol: str
    ) -> DirectionVerdict:
        """Does `subject` allow traffic with `other` in `direction` on port/protocol?"""
        policies = self.selecting(subject, direction)
        if not policies:
            return DirectionVerdict(direction, True)
        dst = subject if direction == "ingress" else other
        dst_ports = named_ports(dst) if isinstance(dst, Subject) else None
        matched: list[RuleRef] = []
        for cp in policies:
            for rule in cp.rules(direction):
                peer_index = self.peer_matches(cp, rule, other)
                if peer_index is False:
                    continue
                port_index = _port_match(rule, dst_ports, port, protocol)
                if port_index is False:
                    continue
                matched.append(
                    RuleRef(cp.ref, direction, rule.index, peer_index, port_index)
                )
        return DirectionVerdict(
            direction,
            bool(matched),
            isolated=True,
            policies=tuple(cp.ref for cp in policies),
            rules=tuple(matched),
        )

    def can_reach(self, src: Peer, dst: Peer, port: int, protocol: str) -> Verdict:
        if isinstance(src, Subject):
            egress = self.direction_verdict(src, dst, "egress", port, protocol)
        else:
            egress = DirectionVerdict("egress", True, evaluated=False)
        if isinstance(dst, Subject):
            ingress = self.direction_verdict(dst, src, "ingress", port, protocol)
        else:
            ingress = DirectionVerdict("ingress", True, evaluated=False)
        return Verdict(str(src), str(dst), port, protocol, egress, ingress)

    def allowed_ports(self, subject: Subject, other: Peer, direction: str) -> PortSet:
        """Everything `subject` allows with `other` in `direction` (ALL when not isolated)."""
        policies = self.selecting(subject, direction)
        if not policies:
            return ALL
        dst = subject if direction == "ingress" else other
        dst_ports = named_ports(dst) if isinstance(dst, Subject) else None
        allowed = EMPTY
        for cp in policies:
            for rule in cp.rules(direction):
                if self.peer_matches(cp, rule, other) is not False:
                    allowed = allowed | rule.port_set(dst_ports)
                    if allowed.is_all():
                        return allowed
        return allowed

    def connection(self, src: Peer, dst: Peer) -> PortSet:
        """What src may open to dst: src's egress intersected with dst's ingress."""
        out = self.allowed_ports(src, dst, "egress") if isinstance(src, Subject) else ALL
        if not out:
            return out
        if isinstance(dst, Subject):
            out = out & self.allowed_ports(dst, src, "ingress")
        return out


def _port_match(
    rule: CompiledRule,
    dst_ports: dict[tuple[str, str], tuple[int, ...]] | None,
    port: int,
    protocol: str,
) -> int | bool | None:
    if rule.ports is None:
        return None
    for p in rule.ports:
        if p.resolve(dst_ports).contains(port, protocol):
            return p.index
    return False
