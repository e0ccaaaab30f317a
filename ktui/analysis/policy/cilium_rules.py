"""CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy compiled into TierRules.

Cilium's policy language (docs.cilium.io, "Policy Language", "Layer 3/4/7", "Deny Policies"):
- endpointSelector selects endpoints by their labels; `k8s:` and `any:` prefixes name the label
  source and are dropped here; `io.kubernetes.pod.namespace` is the pod's namespace and
  `io.cilium.k8s.namespace.labels.<k>` its namespace's labels. A CNP only selects endpoints of its
  own namespace, and its peer endpoint selectors without the namespace label mean its namespace.
- A rule matches a peer by any of its L3 fields (endpoints, entities, CIDRs, services, FQDNs,
  nodes); a rule with toPorts and no L3 field matches every peer; a rule with neither matches
  nothing (`ingress: [{}]` is how Cilium writes default deny).
- CIDR rules match addresses outside the cluster only, never pods; toFQDNs names are shown, never
  resolved, so they match no address range here.
- Ports: port (number, name or 0/empty for all), endPort, protocol TCP/UDP/SCTP/ANY; L7 rules
  (HTTP, DNS, Kafka) only narrow requests on ports already open at L4, and are kept for words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ktui.analysis.core.portset import ALL, EMPTY, PortSet, single
from ktui.analysis.core.subjects import Subject
from ktui.analysis.core.verdicts import RuleRef
from ktui.analysis.policy.networkpolicy import CompiledBlock, compile_block, named_ports
from ktui.model.cilium import CiliumNetworkPolicy, CiliumPolicyRule, CiliumRuleSpec, L7Rules
from ktui.model.networking import IPBlock
from ktui.model.selectors import LabelSelector, Requirement

TIER_CILIUM = "Cilium"
NS_LABEL = "io.kubernetes.pod.namespace"
NS_LABELS_PREFIX = "io.cilium.k8s.namespace.labels."
_SOURCES = ("k8s:", "any:")
_ALL_PROTOCOLS = ("TCP", "UDP", "SCTP")
NamedPorts = Mapping[tuple[str, str], tuple[int, ...]]


def _key(key: str) -> str:
    for prefix in _SOURCES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def normalize(sel: LabelSelector) -> LabelSelector:
    """The selector with label sources (`k8s:`, `any:`) dropped from its keys."""
    labels = {_key(k): v for k, v in (sel.match_labels or {}).items()} or None
    exprs = [Requirement(_key(r.key), r.operator, r.values) for r in sel.match_expressions or []] or None
    return LabelSelector(labels, exprs)


def names_namespace(sel: LabelSelector) -> bool:
    return NS_LABEL in (sel.match_labels or {}) or any(r.key == NS_LABEL for r in sel.match_expressions or [])


def endpoint_labels(subject: Subject, ns_labels: Mapping[str, str]) -> dict[str, str]:
    """The labels Cilium gives a pod's endpoint (the ones policies can select on)."""
    out = dict(subject.labels)
    out[NS_LABEL] = subject.namespace
    out["io.cilium.k8s.policy.cluster"] = "default"
    for k, v in ns_labels.items():
        out[NS_LABELS_PREFIX + k] = v
    return out


# --- peers ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class EndpointPeer:
    index: int
    selector: LabelSelector  # normalized
    namespace: str | None  # the implied namespace (a CNP's, when the selector names none)
    text: str


@dataclass(frozen=True, slots=True)
class EntityPeer:
    index: int
    entity: str


@dataclass(frozen=True, slots=True)
class CIDRPeer:
    index: int
    block: CompiledBlock | None  # None: a cidrGroupRef (CiliumCIDRGroup, not read)
    text: str


@dataclass(frozen=True, slots=True)
class FQDNPeer:
    index: int
    name: str  # matchName or matchPattern, as written
    pattern: bool


@dataclass(frozen=True, slots=True)
class ServicePeer:
    index: int
    namespace: str
    name: str  # "" when selected by labels
    selector: LabelSelector | None


@dataclass(frozen=True, slots=True)
class NodePeer:
    index: int
    selector: LabelSelector


@dataclass(frozen=True, slots=True)
class OpaquePeer:
    """A peer ktui cannot resolve (toGroups: cloud security groups)."""

    index: int
    what: str


CiliumPeer = EndpointPeer | EntityPeer | CIDRPeer | FQDNPeer | ServicePeer | NodePeer | OpaquePeer


@dataclass(frozen=True, slots=True)
class CiliumPort:
    index: int  # position across all toPorts[*].ports[*]
    where: str  # toPorts[i].ports[j]
    protocols: tuple[str, ...]
    first: int  # 1..65535 (0 written means every port)
    last: int
    name: str | None
    l7: L7Rules | None

    def resolve(self, dst_ports: NamedPorts | None) -> PortSet:
        if self.name is not None:
            out = EMPTY
            for proto in self.protocols:
                numbers = (dst_ports or {}).get((self.name, proto), ())
                if numbers:
                    out = out | PortSet({proto: [(n, n) for n in numbers]})
            return out
        out = EMPTY
        for proto in self.protocols:
            out = out | single(proto, self.first, self.last)
        return out


@dataclass(frozen=True, slots=True, eq=False)
class CiliumRule:
    """One allow or deny rule of one policy spec, in the Tier protocol's terms (TierRule)."""

    kind: str
    namespace: str
    policy_name: str
    where: str  # "spec" or "specs[i]"
    direction: str  # ingress | egress
    deny: bool
    index: int
    peers: tuple[CiliumPeer, ...] | None  # None: L4-only rule, every peer
    ports: tuple[CiliumPort, ...] | None  # None: every port
    matches_nothing: bool = False  # no L3 and no L4 field: selects, allows nothing
    icmp_only: bool = False  # icmps without toPorts: outside the port model
    numeric: PortSet = field(default=ALL)
    has_named_ports: bool = False

    @property
    def action(self) -> str:
        return "Deny" if self.deny else "Allow"

    @property
    def section(self) -> str:
        return self.direction + ("Deny" if self.deny else "")

    @property
    def policy_ref(self) -> str:
        return f"{self.namespace}/{self.policy_name}" if self.namespace else f"{self.kind}/{self.policy_name}"

    def port_set(self, dst: Subject | NamedPorts | None) -> PortSet:
        if self.matches_nothing or self.icmp_only:
            return EMPTY
        if self.ports is None:
            return ALL
        if not self.has_named_ports:
            return self.numeric
        dst_ports = named_ports(dst) if isinstance(dst, Subject) else dst
        out = self.numeric
        for p in self.ports:
            if p.name is not None:
                out = out | p.resolve(dst_ports)
        return out

    def port_index(self, dst: Subject | None, port: int, protocol: str) -> int | Literal[False] | None:
        if self.matches_nothing or self.icmp_only:
            return False
        if self.ports is None:
            return None
        dst_ports = named_ports(dst) if dst is not None else None
        for p in self.ports:
            if p.resolve(dst_ports).contains(port, protocol):
                return p.index
        return False

    def describe(self) -> str:
        from ktui.analysis.policy.cilium_words import rule_words  # words import the rule types

        return rule_words(self)

    def ref(self, peer: int | None, port: int | None) -> RuleRef:
        return RuleRef(self.policy_ref, self.section, self.index, peer, port, tier=TIER_CILIUM,
                       action=self.action, name=self.where if self.where != "spec" else "",
                       kind=self.kind, namespace=self.namespace, policy_name=self.policy_name)


@dataclass(frozen=True, slots=True, eq=False)
class CiliumSpec:
    """One rule spec of a policy: what it selects and its rules per direction."""

    selector: LabelSelector | None  # normalized endpointSelector; None: a nodeSelector (host) policy
    namespace: str | None  # a CNP's namespace: it selects only there
    rules: Mapping[str, tuple[CiliumRule, ...]]  # "ingress"/"egress" -> allow and deny rules
    default_deny: Mapping[str, bool]


@dataclass(frozen=True, slots=True, eq=False)
class CompiledCiliumPolicy:
    policy: CiliumNetworkPolicy
    kind: str
    namespace: str
    name: str
    specs: tuple[CiliumSpec, ...]

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    def rules(self, direction: str) -> tuple[CiliumRule, ...]:
        """Every spec's rules for the direction (allow rules, then deny rules), for words."""
        return tuple(r for spec in self.specs for r in spec.rules[direction])


def _block(cidr: str, excepts: list[str]) -> CompiledBlock:
    def net(text: str) -> str:
        return text if "/" in text else text + ("/128" if ":" in text else "/32")
    return compile_block(IPBlock(net(cidr), [net(e) for e in excepts]))


def _peers(rule: CiliumPolicyRule, direction: str, namespace: str | None) -> list[CiliumPeer]:
    ingress = direction == "ingress"
    out: list[CiliumPeer] = []

    def add(make: type, *args: object) -> None:
        out.append(make(len(out), *args))

    for sel in (rule.from_endpoints if ingress else rule.to_endpoints) or []:
        norm = normalize(sel)
        add(EndpointPeer, norm, None if names_namespace(norm) else namespace, sel.describe())
    for ent in (rule.from_entities if ingress else rule.to_entities) or []:
        add(EntityPeer, ent)
    for text in (rule.from_cidr if ingress else rule.to_cidr) or []:
        add(CIDRPeer, _block(text, []), text)
    for cr in (rule.from_cidr_set if ingress else rule.to_cidr_set) or []:
        if cr.cidr:
            text = cr.cidr + (" except " + ", ".join(cr.except_) if cr.except_ else "")
            add(CIDRPeer, _block(cr.cidr, cr.except_), text)
        else:
            add(CIDRPeer, None, f"CiliumCIDRGroup {cr.cidr_group_ref}")
    for sel in (rule.from_nodes if ingress else rule.to_nodes) or []:
        add(NodePeer, sel)
    if not ingress:
        for fq in rule.to_fqdns or []:
            add(FQDNPeer, fq.match_name or fq.match_pattern, not fq.match_name)
        for svc in rule.to_services or []:
            if svc.k8s_service is not None:
                add(ServicePeer, svc.k8s_service.namespace or namespace or "", svc.k8s_service.service_name, None)
            elif svc.k8s_service_selector is not None:
                s = svc.k8s_service_selector
                add(ServicePeer, s.namespace or namespace or "", "", s.selector)
    for _ in (rule.from_groups if ingress else rule.to_groups) or []:
        add(OpaquePeer, "toGroups" if not ingress else "fromGroups")
    return out


def _ports(rule: CiliumPolicyRule) -> tuple[CiliumPort, ...] | None:
    if not rule.to_ports:
        return None
    out: list[CiliumPort] = []
    for i, pr in enumerate(rule.to_ports):
        entries = pr.ports or []
        for j, p in enumerate(entries):
            proto = (p.protocol or "ANY").upper()
            protocols = _ALL_PROTOCOLS if proto == "ANY" else (proto,)
            text = str(p.port).strip()
            where = f"toPorts[{i}].ports[{j}]"
            if text and not text.isdigit():
                out.append(CiliumPort(len(out), where, protocols, 0, 0, text.lower(), pr.rules))
                continue
            number = int(text) if text else 0
            first, last = (1, 65535) if number == 0 else (number, max(number, p.end_port or number))
            out.append(CiliumPort(len(out), where, protocols, first, last, None, pr.rules))
        if not entries:  # rules without ports: every port (L7 on all)
            out.append(CiliumPort(len(out), f"toPorts[{i}]", _ALL_PROTOCOLS, 1, 65535, None, pr.rules))
    return tuple(out)


def compile_rule(policy: CiliumNetworkPolicy, where: str, direction: str, deny: bool, index: int,
                 rule: CiliumPolicyRule, namespace: str | None) -> CiliumRule:
    peers = _peers(rule, direction, namespace)
    ports = _ports(rule)
    numeric = EMPTY
    for p in ports or ():
        if p.name is None:
            numeric = numeric | p.resolve(None)
    meta = policy.metadata
    return CiliumRule(
        kind=policy.kind, namespace=meta.namespace, policy_name=meta.name, where=where,
        direction=direction, deny=deny, index=index,
        peers=tuple(peers) if peers else None, ports=ports,
        matches_nothing=not peers and ports is None and not rule.icmps,
        icmp_only=bool(rule.icmps) and ports is None,
        numeric=numeric if ports is not None else ALL,
        has_named_ports=any(p.name is not None for p in ports or ()),
    )


def _compile_spec(policy: CiliumNetworkPolicy, where: str, spec: CiliumRuleSpec, namespace: str | None) -> CiliumSpec:
    rules: dict[str, tuple[CiliumRule, ...]] = {}
    default_deny: dict[str, bool] = {}
    for direction, allow, deny in (("ingress", spec.ingress, spec.ingress_deny),
                                   ("egress", spec.egress, spec.egress_deny)):
        out = [compile_rule(policy, where, direction, False, i, r, namespace) for i, r in enumerate(allow or [])]
        out += [compile_rule(policy, where, direction, True, i, r, namespace) for i, r in enumerate(deny or [])]
        rules[direction] = tuple(out)
        # enableDefaultDeny: unset means true for a direction the spec has (allow or deny) rules for.
        explicit = getattr(spec.enable_default_deny, direction)
        default_deny[direction] = bool(out) if explicit is None else explicit
    selector = normalize(spec.endpoint_selector) if spec.endpoint_selector is not None else None
    return CiliumSpec(selector, namespace, rules, default_deny)


def compile_cilium_policy(policy: CiliumNetworkPolicy) -> CompiledCiliumPolicy:
    meta = policy.metadata
    namespace = meta.namespace or None  # a CCNP: cluster-wide
    specs = tuple(_compile_spec(policy, where, spec, namespace) for where, spec in policy.rule_specs())
    return CompiledCiliumPolicy(policy, policy.kind, meta.namespace, meta.name, specs)

