"""Kubernetes NetworkPolicy compiled for evaluation: peers, ports and ipBlocks in directly testable form.

Compiling once per policy object (the structs are immutable) keeps the hot loops of the
connectivity list free of parsing; every compiled rule keeps its indexes for the reasons, and is
a TierRule of the NetworkPolicy tier (networkpolicy.py).
"""


from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Protocol, TypeVar

from ktui.analysis.core.portset import ALL, EMPTY, PortSet, single, subtract_interval
from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.core.verdicts import RuleRef
from ktui.analysis.policy.tier import ALLOW
from ktui.model.core import ContainerPort
from ktui.model.networking import IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort
from ktui.model.selectors import LabelSelector

Interval = tuple[int, int, int]  # (ip version, first, last)
NamedPortMap = Mapping[tuple[str, str], tuple[int, ...]]  # (name, protocol) -> container port numbers


@dataclass(frozen=True, slots=True)
class CompiledBlock:
    """cidr minus every except, as disjoint address intervals."""

    cidr: str
    excepts: tuple[str, ...]
    intervals: tuple[Interval, ...]

    def contains_ip(self, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        value = int(ip)
        return any(v == ip.version and lo <= value <= hi for v, lo, hi in self.intervals)

    def contains_range(self, r: ExternalRange) -> bool:
        return any(v == r.version and lo <= r.first and r.last <= hi for v, lo, hi in self.intervals)

    def boundaries(self) -> list[tuple[int, int]]:
        """(version, address) points where membership changes: each interval's start and end+1.

        Taken from the address set, not the written cidr/except, so two spellings of the same
        set split the address space the same way.
        """
        points: list[tuple[int, int]] = []
        for version, lo, hi in self.intervals:
            points.append((version, lo))
            points.append((version, hi + 1))
        return points


def compile_block(block: IPBlock) -> CompiledBlock:
    net = ipaddress.ip_network(block.cidr, strict=False)
    intervals = [(int(net.network_address), int(net.broadcast_address))]
    for text in block.except_:
        ex = ipaddress.ip_network(text, strict=False)
        intervals = subtract_interval(intervals, int(ex.network_address), int(ex.broadcast_address))
    return CompiledBlock(
        block.cidr, tuple(block.except_), tuple((net.version, lo, hi) for lo, hi in intervals)
    )


@dataclass(frozen=True, slots=True)
class CompiledPeer:
    index: int
    pod_selector: LabelSelector | None
    namespace_selector: LabelSelector | None
    block: CompiledBlock | None


N_contra = TypeVar("N_contra", contravariant=True)
N = TypeVar("N")


class ResolvablePort(Protocol[N_contra]):
    """A port entry of a NetworkPolicy or admin rule: its index, and its ports on a destination."""

    @property
    def index(self) -> int: ...

    def resolve(self, dst_ports: N_contra | None) -> PortSet: ...


def first_port_index(
    ports: Sequence[ResolvablePort[N]] | None,
    dst_ports: N | None,
    port: int,
    protocol: str,
) -> int | bool | None:
    """The first port entry holding port/protocol (named ports resolved on the destination);
    None when the rule lists no ports (all match); False when none holds it."""
    if ports is None:
        return None
    for p in ports:
        if p.resolve(dst_ports).contains(port, protocol):
            return p.index
    return False


@dataclass(frozen=True, slots=True)
class CompiledPort:
    index: int
    protocol: str
    first: int | None  # None: every port of the protocol
    last: int | None
    name: str | None  # a named port, resolved on the destination

    def resolve(self, dst_ports: Mapping[tuple[str, str], tuple[int, ...]] | None) -> PortSet:
        """The ports this entry allows towards a destination with the given named ports."""
        if self.name is not None:
            numbers = (dst_ports or {}).get((self.name, self.protocol), ())
            return PortSet({self.protocol: [(n, n) for n in numbers]}) if numbers else EMPTY
        if self.first is None:
            return single(self.protocol, 1, 65535)
        return single(self.protocol, self.first, self.last)


@dataclass(frozen=True, slots=True, eq=False)
class CompiledRule:
    """One rule, in the Tier protocol's terms (TierRule): always an Allow."""

    direction: str  # "ingress" | "egress"
    index: int
    peers: tuple[CompiledPeer, ...] | None  # None: no peers listed, every peer matches
    ports: tuple[CompiledPort, ...] | None  # None: no ports listed, every port matches
    numeric: PortSet  # the union of the ports that need no name resolution
    has_named_ports: bool = False  # some port is a name, resolved per destination (set when compiled)
    namespace: str = ""  # the policy's
    policy_name: str = ""

    @property
    def action(self) -> str:
        return ALLOW

    def port_set(self, dst: Subject | NamedPortMap | None) -> PortSet:
        """The ports allowed towards `dst` (a pod, its named ports, or None for an address)."""
        if self.ports is None:
            return ALL
        if not self.has_named_ports:
            return self.numeric
        dst_ports = named_ports(dst) if isinstance(dst, Subject) else dst
        allowed = self.numeric
        for p in self.ports:
            if p.name is not None:
                allowed = allowed | p.resolve(dst_ports)
        return allowed

    def port_index(self, dst: Subject | None, port: int, protocol: str) -> int | Literal[False] | None:
        found = first_port_index(self.ports, named_ports(dst) if dst is not None else None, port, protocol)
        return None if found is None else (False if found is False else int(found))

    def ref(self, peer: int | None, port: int | None) -> RuleRef:
        return RuleRef(f"{self.namespace}/{self.policy_name}", self.direction, self.index, peer, port,
                       kind="NetworkPolicy", namespace=self.namespace, policy_name=self.policy_name)


@dataclass(frozen=True, slots=True, eq=False)
class CompiledPolicy:
    policy: NetworkPolicy
    namespace: str
    name: str
    selector: LabelSelector
    ingress: bool
    egress: bool
    ingress_rules: tuple[CompiledRule, ...]
    egress_rules: tuple[CompiledRule, ...]
    # per direction, the points where its ipBlocks' membership changes: read at every policy
    # change (the class cuts), of every policy; the policy is compiled once per object
    _bounds: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict, init=False, repr=False)

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"

    def boundaries(self, direction: str) -> tuple[tuple[int, int], ...]:
        found = self._bounds.get(direction)
        if found is None:
            found = self._bounds[direction] = tuple(
                point for rule in self.rules(direction) for p in rule.peers or () if p.block is not None
                for point in p.block.boundaries())
        return found

    def rules(self, direction: str) -> tuple[CompiledRule, ...]:
        return self.ingress_rules if direction == "ingress" else self.egress_rules

    def applies(self, direction: str) -> bool:
        return self.ingress if direction == "ingress" else self.egress


def _compile_port(index: int, port: NetworkPolicyPort) -> CompiledPort:
    proto = port.protocol or "TCP"
    if isinstance(port.port, str):
        return CompiledPort(index, proto, None, None, port.port)
    if port.port is None:
        return CompiledPort(index, proto, None, None, None)
    return CompiledPort(index, proto, port.port, port.end_port or port.port, None)


def _compile_peer(index: int, peer: NetworkPolicyPeer) -> CompiledPeer:
    block = compile_block(peer.ip_block) if peer.ip_block is not None else None
    return CompiledPeer(index, peer.pod_selector, peer.namespace_selector, block)


def _compile_rule(
    direction: str,
    index: int,
    peers: list[NetworkPolicyPeer] | None,
    ports: list[NetworkPolicyPort] | None,
    np: NetworkPolicy,
) -> CompiledRule:
    cpeers = tuple(_compile_peer(i, p) for i, p in enumerate(peers)) if peers else None
    cports = tuple(_compile_port(i, p) for i, p in enumerate(ports)) if ports else None
    numeric = EMPTY
    for p in cports or ():
        if p.name is None:
            numeric = numeric | p.resolve(None)
    named = cports is not None and any(p.name is not None for p in cports)
    return CompiledRule(direction, index, cpeers, cports, numeric if cports else ALL, named,
                        np.metadata.namespace, np.metadata.name)


def compile_policy(np: NetworkPolicy) -> CompiledPolicy:
    spec = np.spec
    return CompiledPolicy(
        policy=np,
        namespace=np.metadata.namespace,
        name=np.metadata.name,
        selector=spec.pod_selector,
        ingress=np.affects_ingress(),
        egress=np.affects_egress(),
        ingress_rules=tuple(
            _compile_rule("ingress", i, r.from_, r.ports, np) for i, r in enumerate(spec.ingress or [])
        ),
        egress_rules=tuple(
            _compile_rule("egress", i, r.to, r.ports, np) for i, r in enumerate(spec.egress or [])
        ),
    )


NamespaceLabels = Callable[[str], Mapping[str, str]]


def peer_matches_subject(
    peer: CompiledPeer, policy_ns: str, subject: Subject, ns_labels: NamespaceLabels
) -> bool:
    """podSelector alone: the policy's namespace; namespaceSelector alone: all its pods; both: AND.

    An ipBlock matches a pod only by a known IP inside the block (what enforcing CNIs do).
    """
    if peer.block is not None:
        return any(peer.block.contains_ip(ip) for ip in subject.ips)
    if peer.namespace_selector is None:
        if subject.namespace != policy_ns:
            return False
    elif not peer.namespace_selector.matches(ns_labels(subject.namespace)):
        return False
    return peer.pod_selector is None or peer.pod_selector.matches(subject.labels)


def peer_matches_external(peer: CompiledPeer, r: ExternalRange) -> bool:
    """Only ipBlocks match addresses outside the cluster."""
    return peer.block is not None and peer.block.contains_range(r)


def named_ports(subject: Subject) -> dict[tuple[str, str], tuple[int, ...]]:
    """(name, protocol) -> container port numbers, for resolving named ports on a destination."""
    return _named_ports(subject.ports)


@lru_cache(maxsize=4096)
def _named_ports(ports: tuple[ContainerPort, ...]) -> dict[tuple[str, str], tuple[int, ...]]:
    out: dict[tuple[str, str], tuple[int, ...]] = {}
    for p in ports:
        if p.name:
            key = (p.name, p.protocol or "TCP")
            out[key] = (*out.get(key, ()), p.container_port)
    return out
