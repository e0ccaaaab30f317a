"""Checks the API server would make before accepting an object, for the fields ktui evaluates.

An object that fails them could not exist in a cluster; from manifests it is reported (naming the
object and the field) and left out, and the rest loads.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

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


VALIDATORS: dict[str, Callable[[Any], None]] = {"NetworkPolicy": check_network_policy}
