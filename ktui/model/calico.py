"""Calico policy kinds (projectcalico.org/v3, and crd.projectcalico.org/v1 as the operator stores
them): NetworkPolicy, GlobalNetworkPolicy, their Staged variants, Tier, NetworkSet,
GlobalNetworkSet and IPPool.

Calico's "NetworkPolicy" shares its kind name with Kubernetes'; the store keys objects by kind
string, so it is decoded as the internal kind "CalicoNetworkPolicy" (kinds.lookup routes by API
group). Selectors stay text here and are parsed by calico_selector when validated and compiled.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import msgspec

from ktui.model.calico_selector import CalicoSelectorError, parse_selector
from ktui.model.meta import ObjectMeta
from ktui.model.validate import VALIDATORS, ValidationError, parse_cidr

CALICO_GROUP = "projectcalico.org"
CALICO_CRD_GROUP = "crd.projectcalico.org"
ACTIONS = ("Allow", "Deny", "Log", "Pass")
DEFAULT_TIER = "default"
KNP_ORDER = 1000.0  # Kubernetes NetworkPolicy in Calico's default tier
# Calico's built-in tier orders (Tier reference; tiered-policy docs): default 1,000,000 and the
# sig-network admin tiers around it.
BUILTIN_TIER_ORDER = {"kube-admin": 1_000.0, "default": 1_000_000.0, "kube-baseline": 10_000_000.0}

Port = int | str  # 80, "80:90", "http"


class ServiceAccountMatch(msgspec.Struct, frozen=True, gc=False):
    names: list[str] | None = None
    selector: str = ""


class ServiceMatch(msgspec.Struct, frozen=True, gc=False):
    name: str = ""
    namespace: str = ""


class EntityRule(msgspec.Struct, frozen=True, rename="camel", gc=False):
    nets: list[str] | None = None
    not_nets: list[str] | None = None
    selector: str = ""
    not_selector: str = ""
    namespace_selector: str | None = None
    ports: list[Port] | None = None
    not_ports: list[Port] | None = None
    service_accounts: ServiceAccountMatch | None = None
    services: ServiceMatch | None = None


class CalicoRule(msgspec.Struct, frozen=True, rename="camel", gc=False):
    action: str = ""
    protocol: str | int | None = None
    not_protocol: str | int | None = None
    icmp: dict[str, Any] | None = None
    not_icmp: dict[str, Any] | None = msgspec.field(default=None, name="notICMP")
    ip_version: int | None = None
    source: EntityRule = msgspec.field(default_factory=EntityRule)
    destination: EntityRule = msgspec.field(default_factory=EntityRule)
    http: dict[str, Any] | None = None


class CalicoPolicySpec(msgspec.Struct, frozen=True, rename="camel", gc=False):
    tier: str = ""
    order: float | None = None
    selector: str = ""
    namespace_selector: str = ""  # GlobalNetworkPolicy: the namespaces of the endpoints it applies to
    service_account_selector: str = ""
    types: list[str] | None = None
    ingress: list[CalicoRule] | None = None
    egress: list[CalicoRule] | None = None
    do_not_track: bool = False
    pre_dnat: bool = msgspec.field(default=False, name="preDNAT")
    apply_on_forward: bool = False
    staged_action: str = ""  # Staged*: Set (default), Delete, Learn, Ignore

    def directions(self) -> tuple[str, ...]:
        """types, or Calico's default: Ingress unless only egress rules exist (both when both)."""
        if self.types:
            return tuple(t.lower() for t in self.types)
        if self.egress and self.ingress:
            return ("ingress", "egress")
        return ("egress",) if self.egress else ("ingress",)

    def tier_name(self) -> str:
        """spec.tier, else the default tier."""
        return self.tier or DEFAULT_TIER


class CalicoNetworkPolicy(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: CalicoPolicySpec = msgspec.field(default_factory=CalicoPolicySpec)
    kind: str = "CalicoNetworkPolicy"


class GlobalNetworkPolicy(CalicoNetworkPolicy, frozen=True, gc=False):
    kind: str = "GlobalNetworkPolicy"


class StagedNetworkPolicy(CalicoNetworkPolicy, frozen=True, gc=False):
    kind: str = "StagedNetworkPolicy"


class StagedGlobalNetworkPolicy(CalicoNetworkPolicy, frozen=True, gc=False):
    kind: str = "StagedGlobalNetworkPolicy"


class TierSpec(msgspec.Struct, frozen=True, rename="camel", gc=False):
    order: float | None = None
    default_action: str = "Deny"


class Tier(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: TierSpec = msgspec.field(default_factory=TierSpec)
    kind: str = "Tier"


class NetworkSetSpec(msgspec.Struct, frozen=True, gc=False):
    nets: list[str] = msgspec.field(default_factory=list)
    allowed_egress_domains: list[str] = msgspec.field(default_factory=list, name="allowedEgressDomains")


class NetworkSet(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: NetworkSetSpec = msgspec.field(default_factory=NetworkSetSpec)
    kind: str = "NetworkSet"


class GlobalNetworkSet(NetworkSet, frozen=True, gc=False):
    kind: str = "GlobalNetworkSet"


class IPPoolSpec(msgspec.Struct, frozen=True, rename="camel", gc=False):
    cidr: str = ""
    nat_outgoing: bool = False
    disabled: bool = False
    node_selector: str = ""
    ipip_mode: str = ""
    vxlan_mode: str = ""


class IPPool(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: IPPoolSpec = msgspec.field(default_factory=IPPoolSpec)
    kind: str = "IPPool"


POLICY_KINDS = ("CalicoNetworkPolicy", "GlobalNetworkPolicy")
STAGED_KINDS = ("StagedNetworkPolicy", "StagedGlobalNetworkPolicy")
CALICO_KINDS = (*POLICY_KINDS, *STAGED_KINDS, "Tier", "NetworkSet", "GlobalNetworkSet", "IPPool")


# --- validation --------------------------------------------------------------------------------

_RANGE = re.compile(r"^(\d+):(\d+)$")
_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")
_PROTOCOLS = ("TCP", "UDP", "ICMP", "ICMPV6", "SCTP", "UDPLITE")


def parse_port(port: Port, where: str) -> tuple[int, int] | str:
    """80 -> (80, 80); "80:90" -> (80, 90); "http" -> "http" (a named port)."""
    if isinstance(port, int):
        if not 0 <= port <= 65535:
            raise ValidationError(f"{where}: {port} is not in 0-65535")
        return (port, port)
    text = port.strip()
    if text.isdigit():
        return parse_port(int(text), where)
    m = _RANGE.match(text)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        if not 0 <= lo <= hi <= 65535:
            raise ValidationError(f"{where}: range {text!r} is not ascending within 0-65535")
        return (lo, hi)
    if _NAME.match(text) and re.search("[a-z]", text):
        return text
    raise ValidationError(f"{where}: {port!r} is not a port, a range like \"80:90\" or a port name")


def selector(text: str, where: str) -> None:
    try:
        parse_selector(text)
    except CalicoSelectorError as exc:
        raise ValidationError(f"{where}: {exc}") from None


def _check_entity(e: EntityRule, where: str, protocol: str | int | None) -> None:
    selector(e.selector, f"{where}.selector")
    selector(e.not_selector, f"{where}.notSelector")
    if e.namespace_selector is not None:
        selector(e.namespace_selector, f"{where}.namespaceSelector")
    if e.service_accounts is not None:
        selector(e.service_accounts.selector, f"{where}.serviceAccounts.selector")
    for field, nets in (("nets", e.nets), ("notNets", e.not_nets)):
        for i, text in enumerate(nets or []):
            parse_cidr(text if "/" in text else _host(text), f"{where}.{field}[{i}]")
    for field, ports in (("ports", e.ports), ("notPorts", e.not_ports)):
        for i, port in enumerate(ports or []):
            parse_port(port, f"{where}.{field}[{i}]")
        if ports and str(protocol).upper() not in ("TCP", "UDP", "SCTP", "6", "17", "132"):
            raise ValidationError(f"{where}.{field}: ports need protocol TCP, UDP or SCTP")


def _host(text: str) -> str:
    """Calico accepts a bare address in nets as a single host."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text
    return f"{ip}/{ip.max_prefixlen}"


def _check_protocol(value: str | int | None, where: str) -> None:
    if value is None:
        return
    if isinstance(value, int) or str(value).isdigit():
        if not 1 <= int(value) <= 255:
            raise ValidationError(f"{where}: {value} is not in 1-255")
    elif str(value).upper() not in _PROTOCOLS:
        raise ValidationError(f"{where}: {value!r} is not TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255")


def check_calico_policy(policy: CalicoNetworkPolicy) -> None:
    spec = policy.spec
    selector(spec.selector, "spec.selector")
    selector(spec.namespace_selector, "spec.namespaceSelector")
    selector(spec.service_account_selector, "spec.serviceAccountSelector")
    for t in spec.types or []:
        if t not in ("Ingress", "Egress"):
            raise ValidationError(f"spec.types: {t!r} is not Ingress or Egress")
    for direction, rules in (("ingress", spec.ingress), ("egress", spec.egress)):
        for i, rule in enumerate(rules or []):
            where = f"spec.{direction}[{i}]"
            if rule.action not in ACTIONS:
                raise ValidationError(f"{where}.action: {rule.action!r} is not one of {', '.join(ACTIONS)}")
            _check_protocol(rule.protocol, f"{where}.protocol")
            _check_protocol(rule.not_protocol, f"{where}.notProtocol")
            _check_entity(rule.source, f"{where}.source", rule.protocol)
            _check_entity(rule.destination, f"{where}.destination", rule.protocol)


def check_tier(tier: Tier) -> None:
    if tier.spec.default_action not in ("Deny", "Pass"):
        raise ValidationError(f"spec.defaultAction: {tier.spec.default_action!r} is not Deny or Pass")


def check_network_set(ns: NetworkSet) -> None:
    for i, text in enumerate(ns.spec.nets):
        parse_cidr(text if "/" in text else _host(text), f"spec.nets[{i}]")


def check_ip_pool(pool: IPPool) -> None:
    parse_cidr(pool.spec.cidr, "spec.cidr")
    selector(pool.spec.node_selector, "spec.nodeSelector")


VALIDATORS.update({
    "CalicoNetworkPolicy": check_calico_policy,
    "GlobalNetworkPolicy": check_calico_policy,
    "StagedNetworkPolicy": check_calico_policy,
    "StagedGlobalNetworkPolicy": check_calico_policy,
    "Tier": check_tier,
    "NetworkSet": check_network_set,
    "GlobalNetworkSet": check_network_set,
    "IPPool": check_ip_pool,
})
