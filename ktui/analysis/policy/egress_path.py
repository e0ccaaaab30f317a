"""Which address a pod's traffic leaves the cluster with, where the cluster declares it.

Egress allowlists at a firewall depend on this, so it is shown next to the egress class:
- CiliumEgressGatewayPolicy (Cilium "Egress Gateway"): pods matched by spec.selectors, going to
  spec.destinationCIDRs minus excludedCIDRs, leave through the gateway node(s) picked by
  egressGateway.nodeSelector, with egressIP (or the node's interface address);
- Calico egress gateways (annotations `egress.projectcalico.org/selector` and
  `.../namespaceSelector` on the namespace; pod annotations are not read): the selected gateway
  pods' IPs;
- Calico IPPool natOutgoing (Calico "IP pool"): traffic of pods with an address in the pool to
  destinations outside every IP pool is SNATed to the node's address.
A pod with none of these leaves with its own address. Pure: reads the state, returns data.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ktui.analysis.core.subjects import Subject, cluster_subjects
from ktui.analysis.policy.cilium_rules import endpoint_labels, normalize
from ktui.model.calico_selector import CalicoSelectorError, parse_selector
from ktui.model.selectors import LabelSelector
from ktui.store import ClusterState

CALICO_EGW_SELECTOR = "egress.projectcalico.org/selector"
CALICO_EGW_NS_SELECTOR = "egress.projectcalico.org/namespaceSelector"


@dataclass(frozen=True, slots=True)
class EgressPath:
    """One way a pod's traffic leaves: how, through what, with which address, to where."""

    how: str  # "egress-gateway" (Cilium), "calico-egress-gateway", "nat-outgoing", "pod-ip"
    via: str  # the object that declares it, e.g. "CiliumEgressGatewayPolicy egw-a", "IPPool default"
    egress_ips: tuple[str, ...] = ()  # the source address the outside sees ("" when it is the node's)
    gateway_nodes: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ("0.0.0.0/0",)  # CIDRs this path applies to
    excluded: tuple[str, ...] = ()

    def describe(self) -> str:
        where = ", ".join(self.destinations) + (f" except {', '.join(self.excluded)}" if self.excluded else "")
        if self.how == "pod-ip":
            return "leaves with its own pod address"
        if self.how == "nat-outgoing":
            return f"to {where}: SNAT to the node's address ({self.via})"
        ips = ", ".join(self.egress_ips) or "the gateway node's address"
        nodes = f" on {', '.join(self.gateway_nodes)}" if self.gateway_nodes else ""
        return f"to {where}: through {self.via}{nodes} as {ips}"

    def to_json(self) -> dict[str, object]:
        return {"how": self.how, "via": self.via, "egressIPs": list(self.egress_ips),
                "gatewayNodes": list(self.gateway_nodes), "destinations": list(self.destinations),
                "excluded": list(self.excluded), "text": self.describe()}


POD_IP = EgressPath("pod-ip", "", destinations=())
_EVERYWHERE = ("0.0.0.0/0", "::/0")


def _nodes(state: ClusterState, selector: LabelSelector | None) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for node in state.objects("Node"):
        if selector is None or selector.matches(node.metadata.labels):
            out.append((node.metadata.name, tuple(a.address for a in node.status.addresses)))
    return out


def _cilium_paths(state: ClusterState, s: Subject) -> list[EgressPath]:
    out = []
    labels = endpoint_labels(s, state.namespace_labels(s.namespace))
    ns_labels = state.namespace_labels(s.namespace)
    for pol in state.objects("CiliumEgressGatewayPolicy"):
        spec = pol.spec
        hit = False
        for sel in spec.selectors:
            pod_ok = sel.pod_selector is None or normalize(sel.pod_selector).matches(labels)
            ns_ok = sel.namespace_selector is None or normalize(sel.namespace_selector).matches(ns_labels)
            hit = hit or (pod_ok and ns_ok and (sel.pod_selector is not None or sel.namespace_selector is not None))
        if not hit:
            continue
        gateways = [g for g in (spec.egress_gateway, *(spec.egress_gateways or [])) if g is not None]
        nodes: list[str] = []
        ips: list[str] = []
        for gw in gateways:
            nodes += [name for name, _ in _nodes(state, gw.node_selector)]
            if gw.egress_ip:
                ips.append(gw.egress_ip)
        out.append(EgressPath("egress-gateway", f"CiliumEgressGatewayPolicy {pol.metadata.name}", tuple(ips),
                              tuple(sorted(set(nodes))), tuple(spec.destination_cidrs), tuple(spec.excluded_cidrs)))
    return out


def _calico_gateway(state: ClusterState, s: Subject) -> list[EgressPath]:
    ns_obj = state.get("Namespace", "", s.namespace)
    notes: Mapping[str, str] = ns_obj.metadata.annotations if ns_obj is not None else {}
    text = notes.get(CALICO_EGW_SELECTOR)
    if not text:
        return []
    try:
        gw_sel = parse_selector(text)
        ns_sel = parse_selector(notes.get(CALICO_EGW_NS_SELECTOR, "")) if notes.get(CALICO_EGW_NS_SELECTOR) else None
    except CalicoSelectorError:
        return []
    ips: list[str] = []
    for ns in state.namespace_names():
        if ns_sel is None and ns != s.namespace:
            continue
        if ns_sel is not None and not ns_sel.matches({**state.namespace_labels(ns), "projectcalico.org/name": ns}):
            continue
        for p in state.pods(ns):
            if gw_sel.matches(p.metadata.labels):
                ips.extend(p.ips())
    return [EgressPath("calico-egress-gateway", f"egress gateway ({text})", tuple(sorted(ips)))]


def _pools(state: ClusterState) -> list[tuple[str, ipaddress.IPv4Network | ipaddress.IPv6Network, bool]]:
    out = []
    for pool in state.objects("IPPool"):
        if pool.spec.disabled:
            continue
        try:
            out.append((pool.metadata.name, ipaddress.ip_network(pool.spec.cidr, strict=False), pool.spec.nat_outgoing))
        except ValueError:
            continue
    return out


def _nat_paths(state: ClusterState, s: Subject) -> list[EgressPath]:
    pools = _pools(state)
    if not pools:
        return []
    mine = [p for p in pools if any(ip in p[1] for ip in s.ips)]
    if not s.ips:
        v4 = [p for p in pools if p[1].version == 4]
        mine = v4 if len(v4) == 1 else []  # a template: the only IPv4 pool is where it gets its address
    out = []
    for name, net, nat in mine:
        if nat:
            others = tuple(str(p[1]) for p in pools if p[1].version == net.version)
            universe = "0.0.0.0/0" if net.version == 4 else "::/0"
            out.append(EgressPath("nat-outgoing", f"IPPool {name} ({net})", (), (), (universe,), others))
    return out


def declares_egress_paths(state: ClusterState) -> bool:
    """The cluster says how some traffic leaves (an IPPool, an egress gateway policy or a Calico
    egress gateway annotation): only then is the path worth showing, "its own address" included."""
    if state.count("IPPool") or state.count("CiliumEgressGatewayPolicy"):
        return True
    return any(CALICO_EGW_SELECTOR in ns.metadata.annotations for ns in state.objects("Namespace"))


def egress_paths_of(state: ClusterState, subject: Subject,
                    memo: dict[str, list[EgressPath]] | None = None) -> list[EgressPath]:
    """How `subject`'s traffic leaves the cluster: declared gateways first, then NAT, else its own IP.
    `memo`: Calico gateways per namespace (they depend on the namespace alone), kept by the caller
    while the state holds, so a namespace's pods do not each scan every gateway pod."""
    if memo is None:
        calico = _calico_gateway(state, subject)
    else:
        if subject.namespace not in memo:
            memo[subject.namespace] = _calico_gateway(state, subject)
        calico = memo[subject.namespace]
    found = _cilium_paths(state, subject) + calico + _nat_paths(state, subject)
    if not any(d in _EVERYWHERE for p in found for d in p.destinations):
        found.append(POD_IP)  # what no path covers (a gateway to one CIDR) leaves with the pod's address
    return found


def egress_paths(state: ClusterState, subjects: Iterable[Subject] | None = None) -> dict[str, list[EgressPath]]:
    """Per workload (`ns/name[Kind]`), the paths of its pods (one entry per distinct path)."""
    out: dict[str, list[EgressPath]] = {}
    memo: dict[str, list[EgressPath]] = {}
    for s in subjects if subjects is not None else cluster_subjects(state):
        paths = out.setdefault(str(s.workload), [])
        for p in egress_paths_of(state, s, memo):
            if p not in paths:
                paths.append(p)
    return out
