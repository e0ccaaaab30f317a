"""What the API server refuses in Gateways, ListenerSets and Services, for the fields ktui reads.

Facts (Gateway API CRDs, standard channel; Kubernetes Service validation):
- Gateway spec.listeners: 1 to 64 items; names unique ("Listener name must be unique within the
  Gateway"); the combination of port, protocol and hostname unique; port 1-65535; protocol a
  DNS-label-like word (HTTP, HTTPS, TLS, TCP, UDP) or a domain-prefixed implementation-specific
  one (`example.com/proto`); tls not allowed for HTTP, TCP, UDP; hostname not for TCP, UDP.
  A protocol the schema accepts but no core name nor domain-prefixed is accepted by the server and
  then refused by controllers (listener condition UnsupportedProtocol): a warning, not a refusal.
- Service spec.ports: port 1-65535, nodePort 0 (unset) or 1-65535 (the node-port range is a
  cluster setting), targetPort 1-65535 or a port name, protocol TCP/UDP/SCTP, (port, protocol)
  pairs unique; externalIPs plain IP addresses, loadBalancerSourceRanges CIDRs (no zone).

A Gateway with 1,000 same-named listeners fanned out quadratically downstream; refused here, it
never reaches the analysis.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from ktui.model.core import Service
from ktui.model.gateway import Gateway, Listener, ListenerSet

MAX_LISTENERS = 64
CORE_PROTOCOLS = ("HTTP", "HTTPS", "TLS", "TCP", "UDP")
_PROTOCOL = re.compile(r"^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$"
                       r"|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/[A-Za-z0-9]+$")
_PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")


class Refused(ValueError):
    """Raised as validate.ValidationError by the caller; kept here to avoid an import cycle."""


def _listeners(listeners: list[Listener], where: str) -> None:
    if len(listeners) > MAX_LISTENERS:
        raise Refused(f"{where}: {len(listeners)} listeners, more than the {MAX_LISTENERS} the API allows")
    names: dict[str, int] = {}
    combos: dict[tuple[int, str, str | None], int] = {}
    for i, listener in enumerate(listeners):
        at = f"{where}[{i}]"
        if listener.name in names:
            raise Refused(f"{at}.name: {listener.name!r} repeats {where}[{names[listener.name]}] "
                          "(listener names must be unique within the Gateway)")
        names[listener.name] = i
        if not 1 <= listener.port <= 65535:
            raise Refused(f"{at}.port: {listener.port} is not in 1-65535")
        if len(listener.protocol) > 255 or not _PROTOCOL.match(listener.protocol):
            raise Refused(f"{at}.protocol: {listener.protocol[:80]!r} is not a protocol name")
        if listener.tls is not None and listener.protocol in ("HTTP", "TCP", "UDP"):
            raise Refused(f"{at}.tls: not allowed for protocol {listener.protocol}")
        if listener.hostname and listener.protocol in ("TCP", "UDP"):
            raise Refused(f"{at}.hostname: not allowed for protocol {listener.protocol}")
        combo = (listener.port, listener.protocol, listener.hostname or None)
        if combo in combos:
            raise Refused(f"{at}: port, protocol and hostname repeat {where}[{combos[combo]}] "
                          "(the combination must be unique for each listener)")
        combos[combo] = i


def check_gateway(gw: Gateway) -> None:
    _listeners(gw.spec.listeners, "spec.listeners")


def check_listener_set(ls: ListenerSet) -> None:
    _listeners(ls.spec.listeners, "spec.listeners")


def unsupported_protocols(obj: Any) -> list[str]:
    """Warnings for listeners whose protocol the schema accepts but no controller would serve."""
    spec = getattr(obj, "spec", None)
    out = []
    for i, listener in enumerate(getattr(spec, "listeners", None) or []):
        if listener.protocol not in CORE_PROTOCOLS and "/" not in listener.protocol:
            out.append(f"spec.listeners[{i}].protocol: {listener.protocol!r} is not one of "
                       f"{', '.join(CORE_PROTOCOLS)} (nor domain-prefixed): controllers report it as "
                       "UnsupportedProtocol")
    return out


def object_warnings(kind: str, obj: Any) -> list[str]:
    """What the server accepts but no controller would act on (reported, the object loads)."""
    return unsupported_protocols(obj) if kind in ("Gateway", "ListenerSet") else []


def _plain_ip(text: str, where: str) -> None:
    if "%" in text:
        raise Refused(f"{where}: {text!r} has a zone (%...), which the API does not accept")
    try:
        ipaddress.ip_address(text)
    except ValueError:
        raise Refused(f"{where}: {text!r} is not an IP address") from None


def check_service(svc: Service) -> None:
    seen: dict[tuple[int, str], int] = {}
    for i, port in enumerate(svc.spec.ports):
        at = f"spec.ports[{i}]"
        if not 1 <= port.port <= 65535:
            raise Refused(f"{at}.port: {port.port} is not in 1-65535")
        if port.node_port is not None and port.node_port != 0 and not 1 <= port.node_port <= 65535:
            raise Refused(f"{at}.nodePort: {port.node_port} is not in 1-65535")
        if port.protocol not in ("TCP", "UDP", "SCTP"):
            raise Refused(f"{at}.protocol: {port.protocol[:40]!r} is not TCP, UDP or SCTP")
        target = port.target_port
        if isinstance(target, int) and target != 0 and not 1 <= target <= 65535:
            raise Refused(f"{at}.targetPort: {target} is not in 1-65535")
        if isinstance(target, str) and not target.isdigit() and not _PORT_NAME.match(target):
            raise Refused(f"{at}.targetPort: {target[:40]!r} is not a port number or name")
        key = (port.port, port.protocol)
        if key in seen:
            raise Refused(f"{at}: port {port.port}/{port.protocol} repeats spec.ports[{seen[key]}]")
        seen[key] = i
    for i, ip in enumerate(svc.spec.external_ips):
        _plain_ip(ip, f"spec.externalIPs[{i}]")
    for i, cidr in enumerate(svc.spec.load_balancer_source_ranges):
        if "%" in cidr:
            raise Refused(f"spec.loadBalancerSourceRanges[{i}]: {cidr!r} has a zone (%...), which the API "
                          "does not accept")
