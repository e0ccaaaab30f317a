"""cilium.io/v2: CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, CiliumEgressGatewayPolicy.

Only what the policy engine, the egress path and the words read. A policy carries one rule in
`spec` and/or several in `specs`; each rule selects endpoints (endpointSelector) or nodes
(nodeSelector) and lists allow (ingress/egress) and deny (ingressDeny/egressDeny) rules. L7 rules
(HTTP, DNS, Kafka) are kept as written, for words: they never change which ports are open at L4.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import msgspec

from ktui.model.meta import ObjectMeta
from ktui.model.selectors import LabelSelector, SelectorError, validate_selector
from ktui.model.validate import VALIDATORS, ValidationError, parse_cidr

CILIUM_GROUP = "cilium.io"
ENTITIES = ("world", "world-ipv4", "world-ipv6", "cluster", "host", "remote-node", "kube-apiserver",
            "init", "health", "ingress", "unmanaged", "all")
PROTOCOLS = ("TCP", "UDP", "SCTP", "ANY")


class CIDRRule(msgspec.Struct, frozen=True, rename="camel", gc=False):
    cidr: str = ""
    except_: list[str] = msgspec.field(default_factory=list, name="except")
    cidr_group_ref: str = ""


class PortProtocol(msgspec.Struct, frozen=True, rename="camel", gc=False):
    port: str | int = ""  # a number, a name, or "0"/"" for every port
    end_port: int = 0
    protocol: str = "ANY"


class DNSRule(msgspec.Struct, frozen=True, rename="camel", gc=False):
    match_name: str = ""
    match_pattern: str = ""


class L7Rules(msgspec.Struct, frozen=True, gc=False):
    http: list[dict[str, Any]] | None = None
    dns: list[DNSRule] | None = None
    kafka: list[dict[str, Any]] | None = None
    l7proto: str = ""
    l7: list[dict[str, Any]] | None = None


class PortRule(msgspec.Struct, frozen=True, gc=False):
    ports: list[PortProtocol] | None = None
    rules: L7Rules | None = None


class FQDNSelector(msgspec.Struct, frozen=True, rename="camel", gc=False):
    match_name: str = ""
    match_pattern: str = ""


class K8sServiceRef(msgspec.Struct, frozen=True, rename="camel", gc=False):
    service_name: str = ""
    namespace: str = ""


class K8sServiceSelector(msgspec.Struct, frozen=True, gc=False):
    selector: LabelSelector = msgspec.field(default_factory=LabelSelector)
    namespace: str = ""


class ServiceSelector(msgspec.Struct, frozen=True, rename="camel", gc=False):
    k8s_service: K8sServiceRef | None = None
    k8s_service_selector: K8sServiceSelector | None = None


class CiliumPolicyRule(msgspec.Struct, frozen=True, gc=False):
    """One ingress/egress (or deny) rule; an ingress rule uses the from* fields, egress the to*."""

    from_endpoints: list[LabelSelector] | None = msgspec.field(default=None, name="fromEndpoints")
    from_requires: list[LabelSelector] | None = msgspec.field(default=None, name="fromRequires")
    from_entities: list[str] | None = msgspec.field(default=None, name="fromEntities")
    from_cidr: list[str] | None = msgspec.field(default=None, name="fromCIDR")
    from_cidr_set: list[CIDRRule] | None = msgspec.field(default=None, name="fromCIDRSet")
    from_nodes: list[LabelSelector] | None = msgspec.field(default=None, name="fromNodes")
    from_groups: list[dict[str, Any]] | None = msgspec.field(default=None, name="fromGroups")
    to_endpoints: list[LabelSelector] | None = msgspec.field(default=None, name="toEndpoints")
    to_requires: list[LabelSelector] | None = msgspec.field(default=None, name="toRequires")
    to_entities: list[str] | None = msgspec.field(default=None, name="toEntities")
    to_cidr: list[str] | None = msgspec.field(default=None, name="toCIDR")
    to_cidr_set: list[CIDRRule] | None = msgspec.field(default=None, name="toCIDRSet")
    to_fqdns: list[FQDNSelector] | None = msgspec.field(default=None, name="toFQDNs")
    to_services: list[ServiceSelector] | None = msgspec.field(default=None, name="toServices")
    to_nodes: list[LabelSelector] | None = msgspec.field(default=None, name="toNodes")
    to_groups: list[dict[str, Any]] | None = msgspec.field(default=None, name="toGroups")
    to_ports: list[PortRule] | None = msgspec.field(default=None, name="toPorts")
    icmps: list[dict[str, Any]] | None = None


class DefaultDeny(msgspec.Struct, frozen=True, gc=False):
    ingress: bool | None = None
    egress: bool | None = None


class CiliumRuleSpec(msgspec.Struct, frozen=True, gc=False):
    endpoint_selector: LabelSelector | None = msgspec.field(default=None, name="endpointSelector")
    node_selector: LabelSelector | None = msgspec.field(default=None, name="nodeSelector")
    ingress: list[CiliumPolicyRule] | None = None
    ingress_deny: list[CiliumPolicyRule] | None = msgspec.field(default=None, name="ingressDeny")
    egress: list[CiliumPolicyRule] | None = None
    egress_deny: list[CiliumPolicyRule] | None = msgspec.field(default=None, name="egressDeny")
    enable_default_deny: DefaultDeny = msgspec.field(default_factory=DefaultDeny, name="enableDefaultDeny")
    description: str = ""


class CiliumNetworkPolicy(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: CiliumRuleSpec | None = None
    specs: list[CiliumRuleSpec] | None = None
    kind: str = "CiliumNetworkPolicy"

    def rule_specs(self) -> list[tuple[str, CiliumRuleSpec]]:
        """(where, rule) for `spec` and each of `specs`, in that order."""
        out = [("spec", self.spec)] if self.spec is not None else []
        out += [(f"specs[{i}]", s) for i, s in enumerate(self.specs or [])]
        return out


class CiliumClusterwideNetworkPolicy(CiliumNetworkPolicy, frozen=True, gc=False):
    kind: str = "CiliumClusterwideNetworkPolicy"


class EgressSelector(msgspec.Struct, frozen=True, rename="camel", gc=False):
    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None


class EgressGateway(msgspec.Struct, frozen=True, rename="camel", gc=False):
    node_selector: LabelSelector | None = None
    egress_ip: str = msgspec.field(default="", name="egressIP")
    interface: str = ""


class EgressGatewaySpec(msgspec.Struct, frozen=True, rename="camel", gc=False):
    selectors: list[EgressSelector] = msgspec.field(default_factory=list)
    destination_cidrs: list[str] = msgspec.field(default_factory=list, name="destinationCIDRs")
    excluded_cidrs: list[str] = msgspec.field(default_factory=list, name="excludedCIDRs")
    egress_gateway: EgressGateway | None = None
    egress_gateways: list[EgressGateway] | None = None


class CiliumEgressGatewayPolicy(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: EgressGatewaySpec = msgspec.field(default_factory=EgressGatewaySpec)
    kind: str = "CiliumEgressGatewayPolicy"


# --- validation (what the CRD schema and the agent refuse) -----------------------------------

_PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")
_ADDR_FIELDS = ("from_cidr", "to_cidr")
_SET_FIELDS = ("from_cidr_set", "to_cidr_set")
_SELECTOR_FIELDS = ("from_endpoints", "to_endpoints", "from_requires", "to_requires", "from_nodes", "to_nodes")


def _cidr(text: str, where: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """Cilium accepts a bare address in fromCIDR/toCIDR as a host route."""
    if "/" not in text:
        try:
            return ipaddress.ip_network(text)
        except ValueError:
            raise ValidationError(f"{where}: {text!r} is not a CIDR") from None
    return parse_cidr(text, where)


def _check_port(p: PortProtocol, where: str) -> None:
    proto = p.protocol.upper() if p.protocol else "ANY"
    if proto not in PROTOCOLS:
        raise ValidationError(f"{where}.protocol: {p.protocol!r} is not TCP, UDP, SCTP or ANY")
    text = str(p.port).strip()
    if text.isdigit():
        if int(text) > 65535:
            raise ValidationError(f"{where}.port: {text} is not in 0-65535")
        if p.end_port and not int(text) <= p.end_port <= 65535:
            raise ValidationError(f"{where}.endPort: {p.end_port} must be >= port {text} and <= 65535")
    elif text and not (_PORT_NAME.match(text.lower()) and re.search("[a-z]", text.lower())):
        raise ValidationError(f"{where}.port: {text!r} is not a port number or name")


def _check_rule(rule: CiliumPolicyRule, where: str) -> None:
    for name in _SELECTOR_FIELDS:
        for i, sel in enumerate(getattr(rule, name) or []):
            validate_selector(sel, f"{where}.{_camel(name)}[{i}]")
    for name in ("from_entities", "to_entities"):
        for i, ent in enumerate(getattr(rule, name) or []):
            if ent not in ENTITIES:
                raise ValidationError(f"{where}.{_camel(name)}[{i}]: {ent!r} is not one of {', '.join(ENTITIES)}")
    for name in _ADDR_FIELDS:
        for i, text in enumerate(getattr(rule, name) or []):
            _cidr(text, f"{where}.{_camel(name)}[{i}]")
    for name in _SET_FIELDS:
        for i, cr in enumerate(getattr(rule, name) or []):
            at = f"{where}.{_camel(name)}[{i}]"
            if not cr.cidr and not cr.cidr_group_ref:
                raise ValidationError(f"{at}: cidr or cidrGroupRef is required")
            if cr.cidr:
                net = _cidr(cr.cidr, f"{at}.cidr")
                for j, ex in enumerate(cr.except_):
                    sub = _cidr(ex, f"{at}.except[{j}]")
                    if sub.version != net.version or not sub.subnet_of(net):  # type: ignore[arg-type]
                        raise ValidationError(f"{at}.except[{j}]: {ex!r} is not inside cidr {net}")
    for i, fq in enumerate(rule.to_fqdns or []):
        if not fq.match_name and not fq.match_pattern:
            raise ValidationError(f"{where}.toFQDNs[{i}]: matchName or matchPattern is required")
    for i, pr in enumerate(rule.to_ports or []):
        for j, p in enumerate(pr.ports or []):
            _check_port(p, f"{where}.toPorts[{i}].ports[{j}]")


def _camel(name: str) -> str:
    special = {"from_cidr": "fromCIDR", "to_cidr": "toCIDR", "from_cidr_set": "fromCIDRSet",
               "to_cidr_set": "toCIDRSet", "to_fqdns": "toFQDNs", "to_ports": "toPorts"}
    if name in special:
        return special[name]
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def check_cilium_policy(policy: CiliumNetworkPolicy) -> None:
    specs = policy.rule_specs()
    if not specs:
        raise ValidationError("spec or specs is required")
    try:
        for where, spec in specs:
            if (spec.endpoint_selector is None) == (spec.node_selector is None):
                raise ValidationError(f"{where}: exactly one of endpointSelector and nodeSelector is required")
            validate_selector(spec.endpoint_selector, f"{where}.endpointSelector")
            validate_selector(spec.node_selector, f"{where}.nodeSelector")
            for field in ("ingress", "ingress_deny", "egress", "egress_deny"):
                for i, rule in enumerate(getattr(spec, field) or []):
                    _check_rule(rule, f"{where}.{_camel(field)}[{i}]")
    except SelectorError as exc:
        raise ValidationError(str(exc)) from None


def check_egress_gateway(policy: CiliumEgressGatewayPolicy) -> None:
    for i, text in enumerate(policy.spec.destination_cidrs):
        _cidr(text, f"spec.destinationCIDRs[{i}]")
    for i, text in enumerate(policy.spec.excluded_cidrs):
        _cidr(text, f"spec.excludedCIDRs[{i}]")
    gw = policy.spec.egress_gateway
    if gw is not None and gw.egress_ip:
        try:
            ipaddress.ip_address(gw.egress_ip)
        except ValueError:
            raise ValidationError(f"spec.egressGateway.egressIP: {gw.egress_ip!r} is not an IP address") from None


VALIDATORS.update({
    "CiliumNetworkPolicy": check_cilium_policy,
    "CiliumClusterwideNetworkPolicy": check_cilium_policy,
    "CiliumEgressGatewayPolicy": check_egress_gateway,
})
