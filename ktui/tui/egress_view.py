"""A namespace's egress as destinations: for each place its pods may open connections to (the
internet, a CIDR, another namespace, pods of its own), the ports, the workloads behind it and
the rule that opens it. Addresses are shown as written (CIDRs with their excepts), never as
a.b.c.d-e.f.g.h ranges.

Read off the compiled NetworkPolicies the posture index already used (which pods each policy
selects comes from the posture, so nothing is evaluated again). Admin and baseline tiers are
not broken down here (their rules are in the pod screen): a destination list for them is the
policy engine's to provide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ktui.analysis.core.owners import display_workload, workload_label
from ktui.analysis.policy.egress import EgressClass
from ktui.render.words import describe_port
from ktui.tui.bridge import Bridge

INTERNET = ("0.0.0.0/0", "::/0")


@dataclass(slots=True)
class Destination:
    kind: str  # internet | cidr | namespace | pods | anywhere | open
    target: str  # "0.0.0.0/0", "10.0.0.0/8 except 10.1.0.0/16", "namespace payments", ...
    ports: set[str] = field(default_factory=set)
    workloads: set[str] = field(default_factory=set)
    rules: set[str] = field(default_factory=set)

    @property
    def order(self) -> tuple[int, str]:
        return ({"open": 0, "anywhere": 1, "internet": 2, "cidr": 3, "namespace": 4, "pods": 5, "tier": 6}.get(
            self.kind, 9),
                self.target)

    def port_text(self) -> str:
        return "all ports" if not self.ports or "all ports" in self.ports else ", ".join(sorted(self.ports))


def _ports(rule: object) -> set[str]:
    ports = getattr(rule, "ports", None)
    if not ports:
        return {"all ports"}
    return {describe_port(p) for p in ports}


def _peer_targets(bridge: Bridge, peer: object, ns: str) -> list[tuple[str, str]]:
    block = getattr(peer, "block", None)
    if block is not None:
        target = block.cidr + (f" except {', '.join(block.excepts)}" if block.excepts else "")
        return [("internet" if block.cidr in INTERNET else "cidr", target)]
    nsel, psel = getattr(peer, "namespace_selector", None), getattr(peer, "pod_selector", None)
    pods = "" if psel is None or psel.is_empty() else f" pods {psel.describe()}"
    if nsel is None:
        return [("pods", f"namespace {ns}{pods or ' (all pods)'}")]
    names = [n for n in sorted(bridge.state.namespace_names()) if nsel.matches(bridge.state.namespace_labels(n))]
    if nsel.is_empty():
        return [("namespace", f"every namespace{pods}")]
    if not names:
        return [("namespace", f"namespaces {nsel.describe()} (none in view){pods}")]
    return [("namespace", f"namespace {n}{pods}") for n in names]


def egress_destinations(bridge: Bridge, namespace: str) -> list[Destination]:
    np = bridge.namespace(namespace)
    if np is None:
        return []
    found: dict[tuple[str, str], Destination] = {}

    def add(kind: str, target: str, ports: set[str], workload: str, rule: str) -> None:
        d = found.setdefault((kind, target), Destination(kind, target))
        d.ports |= ports
        d.workloads.add(workload)
        d.rules.add(rule)

    policies = {}
    for cp in bridge.engine.policies_in(namespace):  # posture names them "NetworkPolicy ns/name"
        policies[cp.ref] = policies[f"NetworkPolicy {cp.ref}"] = cp
    for pod in np.pods:
        workload = workload_label(display_workload(bridge.state, pod.subject))
        if pod.egress.cls is EgressClass.OPEN:
            add("open", "anywhere (no egress policy selects these pods)", {"all ports"}, workload, "-")
            continue
        for ref in pod.egress.policies:
            cp = policies.get(ref)
            if cp is None:  # another tier (admin, Calico, Cilium): its rules are on the pod screen
                add("tier", f"as {ref} allows (rules on the pod screen)", {"see rules"}, workload, ref)
                continue
            for rule in cp.egress_rules:
                where = f"{cp.name} egress[{rule.index}]"
                if rule.peers is None:
                    add("anywhere", "anywhere", _ports(rule), workload, where)
                    continue
                for peer in rule.peers:
                    for kind, target in _peer_targets(bridge, peer, namespace):
                        add(kind, target, _ports(rule), workload, where)
    return sorted(found.values(), key=lambda d: d.order)
