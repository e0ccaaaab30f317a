"""On-demand analysis questions the screens ask (one pod, one query), answered from the bridge.

The screens never evaluate policy themselves; they call these, which call ktui.analysis.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ktui.analysis.core.portset import PortSpecError, parse_port_spec
from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.policy import Explanation, Peer, Verdict
from ktui.tui.bridge import Bridge


class QueryError(ValueError):
    """A query the user typed that cannot be answered; the message says why, in one line."""


def subject(bridge: Bridge, namespace: str, name: str) -> Subject | None:
    posture = bridge.namespace(namespace)
    for pod in posture.pods if posture is not None else ():
        if pod.subject.name == name:
            return pod.subject
    return bridge.analysis.subject(f"{namespace}/{name}", namespace)


def explanation(bridge: Bridge, s: Subject) -> Explanation:
    return bridge.analysis.explain(s)


@dataclass(frozen=True, slots=True)
class DnsCheck:
    """Can the pod reach cluster DNS, and the verdicts that say why (one per DNS pod and proto)."""

    ok: bool
    verdicts: tuple[Verdict, ...]
    dns_pods: int


def dns_check(bridge: Bridge, s: Subject) -> DnsCheck:
    """The policy package's DNS answer (the one behind the egress class's DNS flag), for the screen."""
    analysis = bridge.analysis
    check = analysis.dns(s)
    return DnsCheck(check.ok, check.verdicts, len(analysis.dns_pods))


def parse_peer(bridge: Bridge, text: str, default_ns: str) -> Peer:
    text = text.strip()
    if not text:
        raise QueryError("give a destination: NS/POD, a workload or an IP address")
    try:
        return ExternalRange.of_ip(ipaddress.ip_address(text))
    except ValueError:
        pass
    found = bridge.analysis.subject(text, default_ns)
    if found is None:
        raise QueryError(f"no pod or workload {text!r} (use NS/NAME or an IP address)")
    return found


def can_reach(bridge: Bridge, src: Subject, dst_text: str, port_text: str) -> Verdict:
    """`dst_text` is NS/POD, a workload or an IP; `port_text` is PORT[/PROTO]."""
    dst = parse_peer(bridge, dst_text, src.namespace)
    try:
        port, proto = parse_port_spec(port_text.strip() or "443/TCP")
    except PortSpecError as exc:
        raise QueryError(f"port {port_text!r}: {exc}") from None
    return bridge.analysis.can_reach(src, dst, port, proto)
