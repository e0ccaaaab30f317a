"""Calico NetworkPolicy / GlobalNetworkPolicy rules compiled into TierRules.

Calico reference ("Rule", "EntityRule", "Selectors", "Selector scopes"): a rule matches when every
criterion it states matches (protocol, source, destination); rules run in order and Allow / Deny
are final, Pass leaves the tier, Log goes on. An entity's `selector` matches endpoints and network
sets within the scope its `namespaceSelector` gives (absent: the policy's namespace for a
NetworkPolicy, everything for a GlobalNetworkPolicy; `global()` reaches non-namespaced
GlobalNetworkSets); `notSelector` and `notNets` exclude; `nets` match addresses, pods' included.
Ports: numbers, "lo:hi" ranges and names (resolved on the destination pod), only with TCP, UDP or
SCTP; ICMP rules are shown but match no port of the port model.

Decisions (docs/decisions.md, "Calico and Cilium tiers"): source ports cannot be told by a model of
destination ports, so a rule that states source ports matches nothing here (shown in words).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from ktui.analysis.core.portset import ALL, EMPTY, PortSet, difference, single
from ktui.analysis.core.subjects import Subject
from ktui.analysis.core.verdicts import RuleRef
from ktui.analysis.policy.networkpolicy import CompiledBlock, compile_block, named_ports
from ktui.model.calico import CalicoNetworkPolicy, CalicoRule, EntityRule, parse_port
from ktui.model.calico_selector import CalicoSelector, parse_selector
from ktui.model.networking import IPBlock

PORT_PROTOCOLS = ("TCP", "UDP", "SCTP")
_PROTO_NUMBERS = {"6": "TCP", "17": "UDP", "132": "SCTP"}
NamedPorts = Mapping[tuple[str, str], tuple[int, ...]]


def tier_label(tier: str) -> str:
    return f"Calico tier {tier}"


def net_block(text: str) -> CompiledBlock:
    if "/" not in text:
        text += "/128" if ":" in text else "/32"
    return compile_block(IPBlock(text, []))


def _protocol(value: str | int | None) -> str | None:
    """TCP/UDP/SCTP (by name or number), "" for a protocol outside the port model, None for any."""
    if value is None:
        return None
    text = str(value).upper()
    text = _PROTO_NUMBERS.get(text, text)
    return text if text in PORT_PROTOCOLS else ""


@dataclass(frozen=True, slots=True)
class CalicoPortEntry:
    index: int
    first: int
    last: int
    name: str | None


def _ports(values: list[int | str] | None) -> tuple[CalicoPortEntry, ...] | None:
    if not values:
        return None
    out = []
    for i, v in enumerate(values):
        parsed = parse_port(v, "")
        if isinstance(parsed, str):
            out.append(CalicoPortEntry(i, 0, 0, parsed))
        else:
            out.append(CalicoPortEntry(i, max(parsed[0], 1), parsed[1], None))
    return tuple(out)


def _entry_set(entries: tuple[CalicoPortEntry, ...], protocols: tuple[str, ...], dst: NamedPorts | None) -> PortSet:
    out = EMPTY
    for e in entries:
        out = out | _entry_ports(e, protocols, dst)
    return out


def _entry_ports(e: CalicoPortEntry, protocols: tuple[str, ...], dst: NamedPorts | None) -> PortSet:
    out = EMPTY
    for proto in protocols:
        if e.name is not None:
            numbers = (dst or {}).get((e.name, proto), ())
            if numbers:
                out = out | PortSet({proto: [(n, n) for n in numbers]})
        elif e.first <= e.last:
            out = out | single(proto, e.first, e.last)
    return out


@dataclass(frozen=True, slots=True)
class CalicoEntity:
    """One side (source or destination) of a rule, compiled."""

    selector: CalicoSelector | None
    not_selector: CalicoSelector | None
    namespace_selector: CalicoSelector | None  # None: absent (the policy's default scope)
    nets: tuple[CompiledBlock, ...] | None
    not_nets: tuple[CompiledBlock, ...]
    ports: tuple[CalicoPortEntry, ...] | None
    not_ports: tuple[CalicoPortEntry, ...] | None
    sa_names: tuple[str, ...] | None
    sa_selector: CalicoSelector | None
    service: tuple[str, str] | None  # (namespace, name)

    @property
    def has_identity(self) -> bool:
        """Whether it names endpoints (so a peer outside them does not match)."""
        return (self.selector is not None or self.namespace_selector is not None
                or self.sa_names is not None or self.sa_selector is not None or self.service is not None)

    @property
    def empty(self) -> bool:
        return not self.has_identity and self.not_selector is None and self.nets is None and not self.not_nets

    def blocks(self) -> list[CompiledBlock]:
        return [*(self.nets or ()), *self.not_nets]


def entity_words(e: CalicoEntity) -> str:
    parts = []
    if e.selector is not None:
        parts.append(f"selector {e.selector}")
    if e.namespace_selector is not None:
        parts.append(f"namespaces {e.namespace_selector}")
    if e.not_selector is not None:
        parts.append(f"not selector {e.not_selector}")
    if e.nets is not None:
        parts.append("nets " + ", ".join(b.cidr for b in e.nets))
    if e.not_nets:
        parts.append("not nets " + ", ".join(b.cidr for b in e.not_nets))
    if e.sa_names is not None or e.sa_selector is not None:
        parts.append("service accounts " + ", ".join(e.sa_names or ()) + (f" {e.sa_selector}" if e.sa_selector else ""))
    if e.service is not None:
        parts.append(f"service {e.service[0]}/{e.service[1]}")
    for word, entries in (("ports", e.ports), ("not ports", e.not_ports)):
        if entries:
            parts.append(word + " " + ",".join(x.name or (str(x.first) if x.first == x.last else f"{x.first}:{x.last}")
                                               for x in entries))
    return " ".join(parts)


def _sel(text: str) -> CalicoSelector | None:
    return parse_selector(text) if text.strip() else None


def compile_entity(e: EntityRule, namespace: str) -> CalicoEntity:
    sa = e.service_accounts
    return CalicoEntity(
        selector=_sel(e.selector),
        not_selector=_sel(e.not_selector),
        namespace_selector=parse_selector(e.namespace_selector) if e.namespace_selector is not None else None,
        nets=tuple(net_block(n) for n in e.nets) if e.nets else None,
        not_nets=tuple(net_block(n) for n in e.not_nets or []),
        ports=_ports(e.ports),
        not_ports=_ports(e.not_ports),
        sa_names=tuple(sa.names) if sa is not None and sa.names else None,
        sa_selector=_sel(sa.selector) if sa is not None else None,
        service=(e.services.namespace or namespace, e.services.name) if e.services is not None else None,
    )


@dataclass(frozen=True, slots=True, eq=False)
class CalicoRuleC:
    """One rule of one Calico policy (or staged policy), in the Tier protocol's terms."""

    kind: str
    namespace: str  # the policy's ("" for global kinds)
    policy_name: str
    tier: str
    direction: str
    index: int
    action: str  # Allow, Deny, Pass, Log
    source: CalicoEntity
    destination: CalicoEntity
    protocols: tuple[str, ...]  # of the port model; () when the protocol is outside it (ICMP...)
    ip_version: int | None
    words: tuple[str, ...]  # what the port model does not show (ICMP, HTTP match, source ports)
    source_ports: bool

    @property
    def is_global(self) -> bool:
        return not self.namespace

    @property
    def peer(self) -> CalicoEntity:
        return self.source if self.direction == "ingress" else self.destination

    @property
    def own(self) -> CalicoEntity:
        """The side that is the selected endpoint itself."""
        return self.destination if self.direction == "ingress" else self.source

    @property
    def has_named_ports(self) -> bool:
        return any(e.name is not None for e in (*(self.destination.ports or ()), *(self.destination.not_ports or ())))

    @property
    def policy_ref(self) -> str:
        return f"{self.namespace}/{self.policy_name}" if self.namespace else f"{self.kind}/{self.policy_name}"

    def port_set(self, dst: Subject | NamedPorts | None) -> PortSet:
        if not self.protocols or self.source_ports:
            return EMPTY
        dst_ports = named_ports(dst) if isinstance(dst, Subject) else dst
        d = self.destination
        out = ALL if len(self.protocols) == 3 else _proto_all(self.protocols)
        if d.ports is not None:
            out = _entry_set(d.ports, self.protocols, dst_ports)
        if d.not_ports is not None:
            out = difference(out, _entry_set(d.not_ports, self.protocols, dst_ports))
        return out

    def port_index(self, dst: Subject | None, port: int, protocol: str) -> int | Literal[False] | None:
        if not self.port_set(dst).contains(port, protocol):
            return False
        if self.destination.ports is None:
            return None
        dst_ports = named_ports(dst) if dst is not None else None
        for e in self.destination.ports:
            if _entry_ports(e, self.protocols, dst_ports).contains(port, protocol):
                return e.index
        return False

    def describe(self) -> str:
        """`Deny TCP from selector app == 'x' to ports 22` (renderers clean it)."""
        proto = "any protocol" if len(self.protocols) == 3 else "/".join(self.protocols) or "no TCP/UDP/SCTP"
        text = f"{self.action} {proto}"
        for word, e in (("from", self.source), ("to", self.destination)):
            what = entity_words(e)
            if what:
                text += f" {word} {what}"
        if self.words:
            text += " (" + "; ".join(self.words) + ")"
        return text

    def ref(self, peer: int | None, port: int | None) -> RuleRef:
        return RuleRef(self.policy_ref, self.direction, self.index, peer, port, tier=tier_label(self.tier),
                       action=self.action, kind=self.kind, namespace=self.namespace,
                       policy_name=self.policy_name)


def _proto_all(protocols: tuple[str, ...]) -> PortSet:
    out = EMPTY
    for p in protocols:
        out = out | single(p, 1, 65535)
    return out


def compile_rule(policy: CalicoNetworkPolicy, tier: str, direction: str, index: int, rule: CalicoRule) -> CalicoRuleC:
    ns = policy.metadata.namespace
    proto = _protocol(rule.protocol)
    protocols: tuple[str, ...] = PORT_PROTOCOLS if proto is None else ((proto,) if proto else ())
    not_proto = _protocol(rule.not_protocol)
    if not_proto:
        protocols = tuple(p for p in protocols if p != not_proto)
    words = []
    if proto == "":
        words.append(f"protocol {rule.protocol}" + (f" {rule.icmp}" if rule.icmp else ""))
    if rule.http:
        words.append(f"HTTP {rule.http}")
    source_ports = bool(rule.source.ports or rule.source.not_ports)
    if source_ports:
        words.append("source ports " + ",".join(str(p) for p in rule.source.ports or rule.source.not_ports or []))
    return CalicoRuleC(policy.kind, ns, policy.metadata.name, tier, direction, index, rule.action,
                       compile_entity(rule.source, ns), compile_entity(rule.destination, ns),
                       protocols, rule.ip_version, tuple(words), source_ports)


# --- matching an entity against an endpoint or an address range -------------------------------

NsLabels = Callable[[str], Mapping[str, str]]


def pod_labels(subject: Subject, sa: str | None, ns_labels: Mapping[str, str]) -> dict[str, str]:
    """The labels Calico gives a pod's workload endpoint (its namespace's as `pcns.<key>`)."""
    out = {f"pcns.{k}": v for k, v in ns_labels.items()}
    out.update(subject.labels)
    out["projectcalico.org/namespace"] = subject.namespace
    out["projectcalico.org/orchestrator"] = "k8s"
    if sa is not None:
        out["projectcalico.org/serviceaccount"] = sa
    return out


def namespace_labels(name: str, labels: Mapping[str, str]) -> dict[str, str]:
    return {**labels, "projectcalico.org/name": name}
