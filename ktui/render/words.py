"""NetworkPolicy rules in plain words, the same for the CLI and the TUI."""

from __future__ import annotations

from ktui.analysis.policyrules import CompiledPeer, CompiledPolicy, CompiledPort, CompiledRule
from ktui.model.selectors import LabelSelector
from ktui.render.safe import clean


def _sel(sel: LabelSelector) -> str:
    return clean(sel.describe())


def describe_peer(peer: CompiledPeer, policy_ns: str) -> str:
    if peer.block is not None:
        text = f"addresses in {clean(peer.block.cidr)}"
        if peer.block.excepts:
            text += " except " + ", ".join(clean(e) for e in peer.block.excepts)
        return text
    if peer.namespace_selector is None:
        where = f"namespace {clean(policy_ns)}"
    elif peer.namespace_selector.is_empty():
        where = "all namespaces"
    else:
        where = f"namespaces {_sel(peer.namespace_selector)}"
    if peer.pod_selector is None or peer.pod_selector.is_empty():
        return f"all pods in {where}"
    return f"pods {_sel(peer.pod_selector)} in {where}"


def describe_port(port: CompiledPort) -> str:
    if port.name is not None:
        return f"{port.protocol} port named {clean(port.name)}"
    if port.first is None:
        return f"any {port.protocol} port"
    if port.first == port.last:
        return f"{port.protocol} {port.first}"
    return f"{port.protocol} {port.first}-{port.last}"


def describe_rule(rule: CompiledRule, policy_ns: str) -> str:
    verb = "from" if rule.direction == "ingress" else "to"
    if rule.peers is None:
        peers = "anywhere (every pod and every address)"
    else:
        peers = " or ".join(describe_peer(p, policy_ns) for p in rule.peers)
    ports = "any port" if rule.ports is None else ", ".join(describe_port(p) for p in rule.ports)
    return f"allow {verb} {peers}, on {ports}"


def describe_policy_direction(cp: CompiledPolicy, direction: str) -> list[str]:
    """One line per rule, or the line saying the policy denies everything in that direction."""
    rules = cp.rules(direction)
    if not rules:
        return [f"no {direction} rules: denies all {direction}"]
    return [f"rule {r.index}: {describe_rule(r, cp.namespace)}" for r in rules]
