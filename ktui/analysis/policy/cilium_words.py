"""Cilium rules in words: peers, ports and the L7 rules (HTTP, DNS, Kafka) that the port model
does not show. Renderers clean these strings before they reach a terminal."""

from __future__ import annotations

from ktui.analysis.policy.cilium_rules import (
    CIDRPeer,
    CiliumPeer,
    CiliumRule,
    EndpointPeer,
    EntityPeer,
    FQDNPeer,
    NodePeer,
    ServicePeer,
)
from ktui.model.cilium import L7Rules


def _peer_words(p: CiliumPeer) -> str:
    if isinstance(p, EndpointPeer):
        return f"endpoints {p.text}" + (f" in {p.namespace}" if p.namespace else "")
    if isinstance(p, EntityPeer):
        return f"entity {p.entity}"
    if isinstance(p, CIDRPeer):
        return p.text
    if isinstance(p, FQDNPeer):
        return f"{'names matching' if p.pattern else 'name'} {p.name} (DNS, not resolved by ktui)"
    if isinstance(p, ServicePeer):
        return f"service {p.namespace}/{p.name}" if p.name else f"services {p.selector} in {p.namespace}"
    if isinstance(p, NodePeer):
        return f"nodes {p.selector.describe()}"
    return p.what


def l7_words(rules: L7Rules | None) -> str:
    """HTTP / DNS / Kafka rules in words: they narrow requests on a port open at L4."""
    if rules is None:
        return ""
    parts = []
    for h in rules.http or []:
        what = " ".join(str(h.get(k, "")) for k in ("method", "path") if h.get(k))
        if h.get("host"):
            what += f" host {h['host']}"
        if h.get("headers"):
            what += f" headers {', '.join(map(str, h['headers']))}"
        parts.append(f"HTTP {what or 'any request'}")
    for d in rules.dns or []:
        parts.append(f"DNS {d.match_name or d.match_pattern}")
    for k in rules.kafka or []:
        parts.append("Kafka " + " ".join(f"{key}={val}" for key, val in sorted(k.items())))
    if rules.l7proto:
        parts.append(f"L7 {rules.l7proto}")
    return "; ".join(parts)


def rule_words(rule: CiliumRule) -> str:
    """`Deny from entity world on TCP 22`, `Allow to name api.example.com on TCP 443 [HTTP GET /]`."""
    if rule.matches_nothing:
        return f"{rule.action}: nothing (an empty rule: default deny only)"
    where = "from" if rule.direction == "ingress" else "to"
    peers = "; ".join(_peer_words(p) for p in rule.peers) if rule.peers is not None else "anywhere"
    text = f"{rule.action} {where} {peers}"
    if rule.icmp_only:
        return text + " (ICMP only: outside the port model)"
    if rule.ports is not None:
        ports = []
        for p in rule.ports:
            proto = "/".join(p.protocols) if len(p.protocols) < 3 else "any protocol"
            port = p.name if p.name is not None else (str(p.first) if p.first == p.last else
                                                      "all ports" if (p.first, p.last) == (1, 65535)
                                                      else f"{p.first}-{p.last}")
            l7 = l7_words(p.l7)
            ports.append(f"{proto} {port}" + (f" [{l7}]" if l7 else ""))
        text += " on " + ", ".join(ports)
    return text
