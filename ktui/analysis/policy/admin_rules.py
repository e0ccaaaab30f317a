"""Admin policies (ANP, BANP, ClusterNetworkPolicy) compiled for evaluation.

One compiled shape for the three kinds, so the tiers are walked by the same code: actions are
normalised (Accept is Allow), ports become PortSets (named ports resolved on the destination pod,
which also gives the protocol), networks become address blocks. Every compiled rule and peer keeps
its index and name for the reasons shown to the user.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ktui.analysis.core.portset import ALL, EMPTY, PortSet, single
from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.core.verdicts import RuleRef
from ktui.analysis.policy.networkpolicy import CompiledBlock, NamespaceLabels, compile_block, first_port_index
from ktui.analysis.policy.tier import ALLOW, DENY, PASS
from ktui.model.adminpolicy import AdminPeer, AdminPort, AdminRule, AnyAdminPolicy, CNPProtocol
from ktui.model.core import ContainerPort
from ktui.model.networking import IPBlock
from ktui.model.selectors import EMPTY_SELECTOR, LabelSelector

_VERDICT = {"Allow": ALLOW, "Accept": ALLOW, "Deny": DENY, "Pass": PASS}
ADMIN, BASELINE = "admin", "baseline"
NamedPorts = Mapping[str, tuple[str, int]]  # port name -> (protocol, number): the first of that name
NodeAddresses = Callable[[LabelSelector], frozenset[tuple[int, int]]]  # selector -> (version, address)


@dataclass(frozen=True, slots=True)
class AdminPeerSpec:
    """One peer entry: `kind` is namespaces, pods, nodes or networks."""

    index: int
    kind: str
    namespace_selector: LabelSelector | None  # namespaces, and pods' namespaceSelector
    pod_selector: LabelSelector | None
    node_selector: LabelSelector | None
    blocks: tuple[CompiledBlock, ...]  # networks, one block per CIDR


@dataclass(frozen=True, slots=True)
class AdminPortSpec:
    index: int
    protocol: str | None  # None for a named port: the destination pod's port gives it
    first: int
    last: int
    name: str | None

    def resolve(self, named: NamedPorts | None) -> PortSet:
        if self.name is None:
            return single(self.protocol or "TCP", self.first, self.last)
        found = (named or {}).get(self.name)
        return single(found[0], found[1]) if found else EMPTY


@dataclass(frozen=True, slots=True, eq=False)
class AdminRuleSpec:
    """One rule, in the Tier protocol's terms (TierRule)."""

    direction: str
    index: int
    name: str
    written: str  # the action as written: Allow, Accept, Deny or Pass
    verdict: str  # ALLOW, DENY or PASS
    peers: tuple[AdminPeerSpec, ...]
    ports: tuple[AdminPortSpec, ...] | None  # None: every port
    numeric: PortSet  # the ports that need no name resolution (ALL when ports is None)
    has_named_ports: bool
    kind: str = ""  # the policy's kind and name
    policy_name: str = ""
    label: str = ""  # the tier as verdicts name it: the kind, or the CNP tier (Admin / Baseline)

    @property
    def action(self) -> str:
        return self.verdict

    def port_set(self, dst: Subject | None) -> PortSet:
        """The ports this rule covers towards `dst` (named ports: its first port of that name)."""
        if not self.has_named_ports or self.ports is None:
            return self.numeric
        named = first_named_ports(dst)
        out = self.numeric
        for p in self.ports:
            if p.name is not None:
                out = out | p.resolve(named)
        return out

    def port_index(self, dst: Subject | None, port: int, protocol: str) -> int | Literal[False] | None:
        """The first port entry holding port/protocol; None when the rule lists no ports; else False."""
        found = first_port_index(self.ports, first_named_ports(dst) if dst is not None else None, port, protocol)
        return None if found is None else (False if found is False else int(found))

    def ref(self, peer: int | None, port: int | None) -> RuleRef:
        return RuleRef(f"{self.kind}/{self.policy_name}", self.direction, self.index, peer, port,
                       tier=self.label, action=self.written, name=self.name, kind=self.kind,
                       policy_name=self.policy_name)


@dataclass(frozen=True, slots=True, eq=False)
class CompiledAdminPolicy:
    policy: AnyAdminPolicy
    kind: str
    name: str
    tier: str  # ADMIN or BASELINE: where it is evaluated
    label: str  # the tier as verdicts name it: the kind, or the CNP tier (Admin / Baseline)
    priority: int
    subject_namespaces: LabelSelector
    subject_pods: LabelSelector | None  # None: every pod of the selected namespaces
    ingress_rules: tuple[AdminRuleSpec, ...]
    egress_rules: tuple[AdminRuleSpec, ...]

    @property
    def ref(self) -> str:
        """`Kind/name`: cluster-scoped, and never mistaken for a NetworkPolicy's `ns/name`."""
        return f"{self.kind}/{self.name}"

    def rules(self, direction: str) -> tuple[AdminRuleSpec, ...]:
        return self.ingress_rules if direction == "ingress" else self.egress_rules

    def applies(self, direction: str) -> bool:
        """A policy with no rules in a direction does not affect it (the API says so)."""
        return bool(self.rules(direction))

    def selects(self, subject: Subject, ns_labels: NamespaceLabels) -> bool:
        if not self.subject_namespaces.matches(ns_labels(subject.namespace)):
            return False
        return self.subject_pods is None or self.subject_pods.matches(subject.labels)


def _compile_peer(index: int, peer: AdminPeer) -> AdminPeerSpec:
    if peer.pods is not None:
        return AdminPeerSpec(index, "pods", peer.pods.namespace_selector, peer.pods.pod_selector, None, ())
    if peer.nodes is not None:
        return AdminPeerSpec(index, "nodes", None, None, peer.nodes, ())
    if peer.networks is not None:
        blocks = tuple(compile_block(IPBlock(cidr=c)) for c in peer.networks)
        return AdminPeerSpec(index, "networks", None, None, None, blocks)
    return AdminPeerSpec(index, "namespaces", peer.namespaces or EMPTY_SELECTOR, None, None, ())


def _compile_port(index: int, port: AdminPort) -> AdminPortSpec:
    if port.port_number is not None:
        n = port.port_number
        return AdminPortSpec(index, n.protocol or "TCP", n.port, n.port, None)
    if port.port_range is not None:
        r = port.port_range
        return AdminPortSpec(index, r.protocol or "TCP", r.start, r.end, None)
    return AdminPortSpec(index, None, 0, 0, port.named_port or "")


def _compile_protocol(index: int, entry: CNPProtocol) -> AdminPortSpec:
    for proto, ports in (("TCP", entry.tcp), ("UDP", entry.udp), ("SCTP", entry.sctp)):
        if ports is None:
            continue
        match = ports.destination_port
        if match is None:
            return AdminPortSpec(index, proto, 1, 65535, None)
        if match.range is not None:
            return AdminPortSpec(index, proto, match.range.start, match.range.end, None)
        return AdminPortSpec(index, proto, match.number or 0, match.number or 0, None)
    return AdminPortSpec(index, None, 0, 0, entry.destination_named_port or "")


def _compile_rule(direction: str, index: int, rule: AdminRule, kind: str, name: str, label: str) -> AdminRuleSpec:
    peers = tuple(_compile_peer(i, p) for i, p in enumerate((rule.from_ if direction == "ingress" else rule.to) or []))
    if rule.protocols is not None:
        ports: tuple[AdminPortSpec, ...] | None = tuple(_compile_protocol(i, p) for i, p in enumerate(rule.protocols))
    elif rule.ports is not None:
        ports = tuple(_compile_port(i, p) for i, p in enumerate(rule.ports))
    else:
        ports = None
    numeric = ALL if ports is None else EMPTY
    for p in ports or ():
        if p.name is None:
            numeric = numeric | p.resolve(None)
    has_named = ports is not None and any(p.name is not None for p in ports)
    return AdminRuleSpec(direction, index, rule.name, rule.action, _VERDICT.get(rule.action, DENY), peers, ports,
                         numeric, has_named, kind, name, label)


def compile_admin_policy(policy: AnyAdminPolicy) -> CompiledAdminPolicy:
    spec = policy.spec
    if policy.kind == "ClusterNetworkPolicy":
        tier, label = (BASELINE if spec.tier == "Baseline" else ADMIN), spec.tier or "Admin"
    else:
        tier, label = (BASELINE if policy.kind == "BaselineAdminNetworkPolicy" else ADMIN), policy.kind
    subject = spec.subject
    if subject.pods is not None:
        ns_sel, pod_sel = subject.pods.namespace_selector, subject.pods.pod_selector
    else:
        ns_sel, pod_sel = subject.namespaces or EMPTY_SELECTOR, None
    return CompiledAdminPolicy(
        policy=policy,
        kind=policy.kind,
        name=policy.metadata.name,
        tier=tier,
        label=label,
        priority=spec.priority if spec.priority is not None else 1001,  # the BANP has none: after the rest
        subject_namespaces=ns_sel,
        subject_pods=pod_sel,
        ingress_rules=tuple(_compile_rule("ingress", i, r, policy.kind, policy.metadata.name, label)
                            for i, r in enumerate(spec.ingress or [])),
        egress_rules=tuple(_compile_rule("egress", i, r, policy.kind, policy.metadata.name, label)
                           for i, r in enumerate(spec.egress or [])),
    )


def peer_matches_subject(peer: AdminPeerSpec, subject: Subject, ns_labels: NamespaceLabels) -> bool:
    """namespaces / pods by labels; networks by a known pod IP (pod traffic is checked too, says the API)."""
    if peer.kind == "networks":
        return any(b.contains_ip(ip) for b in peer.blocks for ip in subject.ips)
    if peer.namespace_selector is None:  # nodes: node addresses, never pods
        return False
    if not peer.namespace_selector.matches(ns_labels(subject.namespace)):
        return False
    return peer.pod_selector is None or peer.pod_selector.matches(subject.labels)


def peer_matches_external(peer: AdminPeerSpec, r: ExternalRange, nodes: NodeAddresses | None) -> bool:
    """networks hold the whole range; nodes match a single address of a selected node."""
    if peer.kind == "networks":
        return any(b.contains_range(r) for b in peer.blocks)
    if peer.kind == "nodes" and nodes is not None and peer.node_selector is not None and r.first == r.last:
        return (r.version, r.first) in nodes(peer.node_selector)
    return False


def first_named_ports(subject: Subject | None) -> dict[str, tuple[str, int]]:
    """Port name -> (protocol, number) of the first container port so named (admin named ports)."""
    return _first_named(subject.ports) if subject is not None else {}


@lru_cache(maxsize=4096)
def _first_named(ports: tuple[ContainerPort, ...]) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    for p in ports:
        if p.name and p.name not in out:
            out[p.name] = (p.protocol or "TCP", p.container_port)
    return out
