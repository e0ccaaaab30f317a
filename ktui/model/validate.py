"""Checks the API server would make before accepting an object, for the fields ktui evaluates.

An object that fails them could not exist in a cluster; from manifests it is reported (naming the
object and the field) and left out, and the rest loads.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from ktui.model import validate_gateway
from ktui.model.adminpolicy import AdminPeer, AdminPort, AdminRule, AnyAdminPolicy, CNPProtocol
from ktui.model.networking import NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort
from ktui.model.selectors import SelectorError, validate_selector

PROTOCOLS = ("TCP", "UDP", "SCTP")
_PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")


class ValidationError(ValueError):
    """An object field the API server would refuse; the message names the field."""


def parse_cidr(text: str, where: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """Parse like Go's net.ParseCIDR: host bits may be set (10.0.1.1/4 means 0.0.0.0/4)."""
    if "/" not in text:
        raise ValidationError(f"{where}: {text!r} is not a CIDR (address/prefix)")
    if "%" in text:  # Python reads an IPv6 zone (fe80::1%eth0/64); Go's ParseCIDR, the API's, does not
        raise ValidationError(f"{where}: {text!r} has a zone (%...), which the API does not accept")
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise ValidationError(f"{where}: {text!r} is not a valid CIDR ({exc})") from None


def _check_peer(peer: NetworkPolicyPeer, where: str) -> None:
    if peer.pod_selector is None and peer.namespace_selector is None and peer.ip_block is None:
        raise ValidationError(f"{where}: must specify podSelector, namespaceSelector or ipBlock")
    validate_selector(peer.pod_selector, f"{where}.podSelector")
    validate_selector(peer.namespace_selector, f"{where}.namespaceSelector")
    if peer.ip_block is not None:
        if peer.pod_selector is not None or peer.namespace_selector is not None:
            raise ValidationError(f"{where}: ipBlock may not be combined with selectors")
        net = parse_cidr(peer.ip_block.cidr, f"{where}.ipBlock.cidr")
        for j, exc in enumerate(peer.ip_block.except_):
            sub = parse_cidr(exc, f"{where}.ipBlock.except[{j}]")
            if sub.version != net.version or not sub.subnet_of(net):  # type: ignore[arg-type]
                raise ValidationError(
                    f"{where}.ipBlock.except[{j}]: {exc!r} is not inside cidr {net}"
                )


def _check_port(port: NetworkPolicyPort, where: str) -> None:
    if port.protocol is not None and port.protocol not in PROTOCOLS:
        raise ValidationError(f"{where}.protocol: {port.protocol!r} is not TCP, UDP or SCTP")
    if isinstance(port.port, int):
        if not 1 <= port.port <= 65535:
            raise ValidationError(f"{where}.port: {port.port} is not in 1-65535")
        if port.end_port is not None and not port.port <= port.end_port <= 65535:
            raise ValidationError(
                f"{where}.endPort: {port.end_port} must be >= port {port.port} and <= 65535"
            )
    elif isinstance(port.port, str):
        if not _PORT_NAME.match(port.port) or not re.search("[a-z]", port.port):
            raise ValidationError(f"{where}.port: {port.port!r} is not a valid port name")
        if port.end_port is not None:
            raise ValidationError(f"{where}.endPort: may not be set with a named port")
    elif port.end_port is not None:
        raise ValidationError(f"{where}.endPort: may not be set without port")


def check_network_policy(np: NetworkPolicy) -> None:
    try:
        validate_selector(np.spec.pod_selector, "spec.podSelector")
        for t in np.spec.policy_types or []:
            if t not in ("Ingress", "Egress"):
                raise ValidationError(f"spec.policyTypes: {t!r} is not Ingress or Egress")
        for i, irule in enumerate(np.spec.ingress or []):
            for j, peer in enumerate(irule.from_ or []):
                _check_peer(peer, f"spec.ingress[{i}].from[{j}]")
            for j, port in enumerate(irule.ports or []):
                _check_port(port, f"spec.ingress[{i}].ports[{j}]")
        for i, erule in enumerate(np.spec.egress or []):
            for j, peer in enumerate(erule.to or []):
                _check_peer(peer, f"spec.egress[{i}].to[{j}]")
            for j, port in enumerate(erule.ports or []):
                _check_port(port, f"spec.egress[{i}].ports[{j}]")
    except SelectorError as exc:
        raise ValidationError(str(exc)) from None


# Admin policies (policy.networking.k8s.io): the CRDs' schema and CEL rules, for the fields ktui reads.
_ADMIN_ACTIONS = {
    "AdminNetworkPolicy": ("Allow", "Deny", "Pass"),
    "BaselineAdminNetworkPolicy": ("Allow", "Deny"),
    "ClusterNetworkPolicy": ("Accept", "Deny", "Pass"),
}


def _check_port_number(port: int, where: str) -> None:
    if not 1 <= port <= 65535:
        raise ValidationError(f"{where}: {port} is not in 1-65535")


def _check_range(start: int, end: int, where: str) -> None:
    _check_port_number(start, f"{where}.start")
    _check_port_number(end, f"{where}.end")
    if start > end:
        raise ValidationError(f"{where}: start {start} is greater than end {end}")


def _check_protocol(protocol: str, where: str) -> None:
    if protocol and protocol not in PROTOCOLS:  # empty means TCP, as the API defaults it
        raise ValidationError(f"{where}.protocol: {protocol!r} is not TCP, UDP or SCTP")


def _check_admin_port(port: AdminPort, where: str) -> None:
    fields = [f for f in (port.port_number, port.port_range, port.named_port) if f is not None]
    if len(fields) != 1:
        raise ValidationError(f"{where}: exactly one of portNumber, portRange, namedPort must be set")
    if port.port_number is not None:
        _check_protocol(port.port_number.protocol, f"{where}.portNumber")
        _check_port_number(port.port_number.port, f"{where}.portNumber.port")
    elif port.port_range is not None:
        _check_protocol(port.port_range.protocol, f"{where}.portRange")
        _check_range(port.port_range.start, port.port_range.end, f"{where}.portRange")
    elif not port.named_port:
        raise ValidationError(f"{where}.namedPort: must not be empty")


def _check_cnp_protocol(entry: CNPProtocol, where: str) -> None:
    fields = [f for f in (entry.tcp, entry.udp, entry.sctp, entry.destination_named_port) if f is not None]
    if len(fields) != 1:
        raise ValidationError(f"{where}: exactly one of tcp, udp, sctp, destinationNamedPort must be set")
    for proto in (entry.tcp, entry.udp, entry.sctp):
        match = proto.destination_port if proto is not None else None
        if match is None:
            continue
        if (match.number is None) == (match.range is None):
            raise ValidationError(f"{where}.destinationPort: exactly one of number, range must be set")
        if match.number is not None:
            _check_port_number(match.number, f"{where}.destinationPort.number")
        elif match.range is not None:
            _check_range(match.range.start, match.range.end, f"{where}.destinationPort.range")


def _check_admin_peer(peer: AdminPeer, where: str, egress: bool) -> None:
    set_fields = [name for name, value in (("namespaces", peer.namespaces), ("pods", peer.pods),
                                           ("nodes", peer.nodes), ("networks", peer.networks))
                  if value is not None]
    if len(set_fields) != 1:
        raise ValidationError(f"{where}: exactly one of namespaces, pods{', nodes, networks' if egress else ''}"
                              f" must be set (found {', '.join(set_fields) or 'none'})")
    if not egress and set_fields[0] in ("nodes", "networks"):
        raise ValidationError(f"{where}.{set_fields[0]}: only egress peers may use it")
    validate_selector(peer.namespaces, f"{where}.namespaces")
    validate_selector(peer.nodes, f"{where}.nodes")
    if peer.pods is not None:
        validate_selector(peer.pods.namespace_selector, f"{where}.pods.namespaceSelector")
        validate_selector(peer.pods.pod_selector, f"{where}.pods.podSelector")
    if peer.networks is not None:
        if not peer.networks:
            raise ValidationError(f"{where}.networks: must list at least one CIDR")
        for j, cidr in enumerate(peer.networks):
            parse_cidr(cidr, f"{where}.networks[{j}]")


def _check_admin_rule(rule: AdminRule, where: str, egress: bool, kind: str) -> None:
    if rule.action not in _ADMIN_ACTIONS[kind]:
        raise ValidationError(f"{where}.action: {rule.action!r} is not one of {', '.join(_ADMIN_ACTIONS[kind])}"
                              f" (allowed in a {kind})")
    if len(rule.name) > 100:
        raise ValidationError(f"{where}.name: longer than 100 characters")
    peers, key = (rule.to, "to") if egress else (rule.from_, "from")
    if not peers:
        raise ValidationError(f"{where}.{key}: must list at least one peer")
    for j, peer in enumerate(peers):
        _check_admin_peer(peer, f"{where}.{key}[{j}]", egress)
    if rule.ports is not None:
        if not rule.ports:
            raise ValidationError(f"{where}.ports: must list at least one port when set")
        for j, port in enumerate(rule.ports):
            _check_admin_port(port, f"{where}.ports[{j}]")
    if rule.protocols is not None:
        if kind != "ClusterNetworkPolicy":
            raise ValidationError(f"{where}.protocols: only a ClusterNetworkPolicy may use it (use ports)")
        if rule.ports is not None:
            raise ValidationError(f"{where}: ports and protocols may not both be set")
        if not rule.protocols:
            raise ValidationError(f"{where}.protocols: must list at least one entry when set")
        for j, entry in enumerate(rule.protocols):
            _check_cnp_protocol(entry, f"{where}.protocols[{j}]")


def check_admin_policy(policy: AnyAdminPolicy) -> None:
    """ANP: priority 0-1000, Allow/Deny/Pass. BANP: named `default`, Allow/Deny. CNP: tier, Accept/Deny/Pass."""
    kind, spec = policy.kind, policy.spec
    try:
        if kind == "BaselineAdminNetworkPolicy":
            if policy.metadata.name != "default":
                raise ValidationError("metadata.name: the cluster's only BaselineAdminNetworkPolicy must be named"
                                      " 'default'")
        elif spec.priority is None:
            raise ValidationError("spec.priority: required (0-1000)")
        elif not 0 <= spec.priority <= 1000:
            raise ValidationError(f"spec.priority: {spec.priority} is not in 0-1000")
        if kind == "ClusterNetworkPolicy" and spec.tier not in ("Admin", "Baseline"):
            raise ValidationError(f"spec.tier: {spec.tier!r} is not Admin or Baseline")
        subject = spec.subject
        if (subject.namespaces is None) == (subject.pods is None):
            raise ValidationError("spec.subject: exactly one of namespaces, pods must be set")
        validate_selector(subject.namespaces, "spec.subject.namespaces")
        if subject.pods is not None:
            validate_selector(subject.pods.namespace_selector, "spec.subject.pods.namespaceSelector")
            validate_selector(subject.pods.pod_selector, "spec.subject.pods.podSelector")
        for i, rule in enumerate(spec.ingress or []):
            _check_admin_rule(rule, f"spec.ingress[{i}]", False, kind)
        for i, rule in enumerate(spec.egress or []):
            _check_admin_rule(rule, f"spec.egress[{i}]", True, kind)
    except SelectorError as exc:
        raise ValidationError(str(exc)) from None


def _refusing(check: Callable[[Any], None]) -> Callable[[Any], None]:
    def run(obj: Any) -> None:
        try:
            check(obj)
        except validate_gateway.Refused as exc:
            raise ValidationError(str(exc)) from None
    return run


VALIDATORS: dict[str, Callable[[Any], None]] = {
    "Gateway": _refusing(validate_gateway.check_gateway),
    "ListenerSet": _refusing(validate_gateway.check_listener_set),
    "Service": _refusing(validate_gateway.check_service),
    "NetworkPolicy": check_network_policy,
    "AdminNetworkPolicy": check_admin_policy,
    "BaselineAdminNetworkPolicy": check_admin_policy,
    "ClusterNetworkPolicy": check_admin_policy,
}
