"""Policy rules in plain words, the same for the CLI and the TUI: NetworkPolicy, the admin tiers,
and a generic line for any other family's rules (action and index)."""

from __future__ import annotations

from ktui.analysis.policy.admin_rules import AdminPeerSpec, AdminPortSpec, AdminRuleSpec, CompiledAdminPolicy
from ktui.analysis.policy.explain import PolicyInfo
from ktui.analysis.policy.networkpolicy import CompiledPeer, CompiledPolicy, CompiledPort, CompiledRule
from ktui.model.selectors import EMPTY_SELECTOR, LabelSelector
from ktui.render.safe import clean

DENY = "Deny"  # RuleRef.action / TierRule.action of a denying rule


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


# Admin policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy)


def _scope(sel: LabelSelector, every: str, some: str) -> str:
    return every if sel.is_empty() else f"{some} {_sel(sel)}"


def describe_admin_peer(peer: AdminPeerSpec) -> str:
    if peer.kind == "networks":
        return "addresses in " + ", ".join(clean(b.cidr) for b in peer.blocks)
    if peer.kind == "nodes":
        return _scope(peer.node_selector or EMPTY_SELECTOR, "every node", "nodes")
    where = _scope(peer.namespace_selector or EMPTY_SELECTOR, "all namespaces", "namespaces")
    if peer.pod_selector is None or peer.pod_selector.is_empty():
        return f"all pods in {where}"
    return f"pods {_sel(peer.pod_selector)} in {where}"


def describe_admin_port(port: AdminPortSpec) -> str:
    if port.name is not None:
        return f"the port named {clean(port.name)}"
    if (port.first, port.last) == (1, 65535):
        return f"any {port.protocol} port"
    if port.first == port.last:
        return f"{port.protocol} {port.first}"
    return f"{port.protocol} {port.first}-{port.last}"


def describe_admin_rule(rule: AdminRuleSpec) -> str:
    """`Deny to addresses in 8.8.8.8/32, on UDP 53`: the action as written, then peers and ports."""
    verb = "from" if rule.direction == "ingress" else "to"
    peers = " or ".join(describe_admin_peer(p) for p in rule.peers)
    ports = "any port" if rule.ports is None else ", ".join(describe_admin_port(p) for p in rule.ports)
    return f"{clean(rule.written)} {verb} {peers}, on {ports}"


def describe_admin_policy_direction(cp: CompiledAdminPolicy, direction: str) -> list[str]:
    """One line per rule, in order (the first rule matching a connection's port decides it)."""
    out = []
    for r in cp.rules(direction):
        name = f' "{clean(r.name)}"' if r.name else ""
        out.append(f"rule {r.index}{name}: {describe_admin_rule(r)}")
    return out


def describe_admin_policy(cp: CompiledAdminPolicy) -> str:
    """`AdminNetworkPolicy/name (priority 10)`; the BANP has no priority."""
    if cp.kind == "BaselineAdminNetworkPolicy":
        return clean(cp.ref)
    tier = f"{clean(cp.label)} tier, " if cp.kind == "ClusterNetworkPolicy" else ""
    return f"{clean(cp.ref)} ({tier}priority {cp.priority})"


# Any family


def policy_rule_items(info: PolicyInfo, direction: str) -> list[tuple[str, str]]:
    """One (line, action) per rule of a selecting policy, whatever its family: the action is the
    rule's own (Allow, Deny, Pass, Log), and Deny for a NetworkPolicy with no rules that way
    (it denies all), so screens colour by what a rule does, never by its words."""
    compiled = info.compiled
    rules = getattr(compiled, "rules", None)
    found = tuple(rules(direction)) if callable(rules) else ()
    actions = [str(getattr(r, "action", "")) for r in found]
    if isinstance(compiled, CompiledPolicy):
        texts = describe_policy_direction(compiled, direction)
        return list(zip(texts, actions or [DENY], strict=True))
    if isinstance(compiled, CompiledAdminPolicy):
        return list(zip(describe_admin_policy_direction(compiled, direction), actions, strict=True))
    return [(f"rule {getattr(r, 'index', i)}: "
             + clean(str(r.describe() if callable(getattr(r, "describe", None)) else getattr(r, "action", "?"))),
             action)
            for i, (r, action) in enumerate(zip(found, actions, strict=True))]


def describe_policy_rules(info: PolicyInfo, direction: str) -> list[str]:
    """One line per rule of a selecting policy, whatever its family."""
    return [text for text, _ in policy_rule_items(info, direction)]


def describe_policy_info(info: PolicyInfo) -> str:
    """`ns/name`, `AdminNetworkPolicy/name (priority 10)`, or `Kind ns/name` for other families."""
    if isinstance(info.compiled, CompiledPolicy):
        return clean(info.ref)
    if isinstance(info.compiled, CompiledAdminPolicy):
        return describe_admin_policy(info.compiled)
    where = f"{info.namespace}/{info.name}" if info.namespace else info.name
    text = f"{clean(info.kind)} {clean(where)}"
    return text + (f" (priority {info.priority})" if info.priority is not None else "")
