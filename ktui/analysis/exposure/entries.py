"""What is exposed, through what, to which pods: exposed entries per namespace.

An entry is (host or address, port, path, protocol, TLS?) -> the rule or route that carries it ->
backend Service ports -> endpoints -> pods. Entries come from Ingress rules and default backends,
Services of type LoadBalancer and NodePort and with externalIPs, and Gateway listeners with the
routes attached to them (attachment per the Gateway API spec, see routes.py). Entries are what
`ktui hosts` lists, the TUI shows and the triage chain walks; findings read them too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from ktui.analysis.core.subjects import PodCache
from ktui.analysis.exposure.backends import Backend, BackendResolver
from ktui.analysis.exposure.refgrants import CertCheck
from ktui.model.core import Node, Service
from ktui.store import ClusterState


@dataclass(frozen=True, slots=True)
class ClassInfo:
    """The IngressClass or GatewayClass behind an entry, and how it was found."""

    kind: str  # "IngressClass" or "GatewayClass"
    name: str  # "" when there is none
    controller: str = ""  # the class's controller name; "" when unknown
    exists: bool = False
    how: str = ""  # spec.ingressClassName, default IngressClass, annotation ..., spec.gatewayClassName
    problem: str = ""  # e.g. several default IngressClasses; a class not accepted

    def label(self) -> str:
        return f"{self.kind} {self.name}" if self.name else f"(no {self.kind})"


@dataclass(frozen=True, slots=True)
class Exposure:
    """One exposed entry and the chain behind it.

    `attached` is False for a route that names a parent but was not accepted there (kept so that
    triage can say why a host is not served); `problem` then holds the reason.
    """

    namespace: str
    source: str  # "Ingress ns/name", "Service ns/name", "Gateway ns/name"
    host: str  # a hostname, ANY_HOST, an address, or "<pending>"
    port: int | None
    protocol: str  # HTTP, HTTPS, TLS, TCP, UDP, SCTP
    path: str = ""  # "" for L4 entries
    path_type: str = ""  # Exact, Prefix, ImplementationSpecific, PathPrefix, RegularExpression, gRPC
    tls: bool = False
    tls_mode: str = ""  # Terminate or Passthrough
    certs: tuple[CertCheck, ...] = ()
    addresses: tuple[str, ...] = ()
    address_source: str = ""  # status, spec (requested), loadBalancerIP (requested), nodes
    klass: ClassInfo | None = None
    rule: str = ""  # where in the source: spec.rules[0].http.paths[1], listener http, spec.ports[0]
    route: str = ""  # "HTTPRoute ns/name" for Gateway entries
    listener: str = ""  # "Gateway ns/name listener http" for Gateway entries
    backends: tuple[Backend, ...] = ()
    attached: bool = True
    problem: str = ""
    regex: bool = False  # the path is a regular expression (ingress-nginx use-regex / rewrite-target)
    default_backend: bool = False  # an Ingress defaultBackend: what no rule matches
    redirect: str = ""  # a route rule that answers with a redirect (RequestRedirect), not a backend
    notes: tuple[str, ...] = field(default=())

    @property
    def family(self) -> str:
        return self.source.split(" ", 1)[0]

    @property
    def listener_only(self) -> bool:
        """A Gateway listener with no route attached: it accepts connections but routes no
        host anywhere, so it is an entry of the Gateway, never an answer for a given host."""
        return self.family == "Gateway" and not self.route and self.attached

    @property
    def namespaces(self) -> tuple[str, ...]:
        """Where the entry is news: its own namespace (the Ingress, route or Service), then every
        backend's (a route in shop can make payments-api public: `:ns payments` must say so)."""
        out = [self.namespace]
        for b in self.backends:
            if b.namespace and b.namespace not in out:
                out.append(b.namespace)
        return tuple(out)


def node_addresses(state: ClusterState) -> tuple[str, ...]:
    """Addresses a NodePort answers on: every node's ExternalIP, else its InternalIP."""
    out: list[str] = []
    for node in sorted(state.objects("Node"), key=lambda n: n.metadata.name):
        assert isinstance(node, Node)
        ext = [a.address for a in node.status.addresses if a.type == "ExternalIP"]
        out.extend(ext or [a.address for a in node.status.addresses if a.type == "InternalIP"])
    return tuple(out)


def service_exposures(svc: Service, resolver: BackendResolver, nodes: tuple[str, ...]) -> list[Exposure]:
    """LoadBalancer ports, NodePorts and externalIPs of one Service; the backend is the Service."""
    meta, spec = svc.metadata, svc.spec
    src = f"Service {meta.namespace}/{meta.name}"
    out: list[Exposure] = []
    if spec.type == "LoadBalancer":
        addrs = tuple(i.ip or i.hostname for i in svc.status.load_balancer.ingress if i.ip or i.hostname)
        how = "status"
        if not addrs and spec.load_balancer_ip:
            addrs, how = (spec.load_balancer_ip,), "loadBalancerIP (requested)"
        ranges = spec.load_balancer_source_ranges
        notes = ("source ranges: " + ", ".join(ranges),) if ranges else ()
        for i, p in enumerate(spec.ports):
            out.append(Exposure(
                meta.namespace, src, addrs[0] if addrs else "<pending>", p.port, p.protocol,
                addresses=addrs, address_source=how if addrs else "", rule=f"spec.ports[{i}] (LoadBalancer)",
                backends=(resolver.resolve(meta.namespace, meta.name, p.port),), notes=notes,
            ))
    if spec.type in ("NodePort", "LoadBalancer"):
        for i, p in enumerate(spec.ports):
            if p.node_port is None or (spec.type == "LoadBalancer" and not nodes):
                continue
            out.append(Exposure(
                meta.namespace, src, "<every node>", p.node_port, p.protocol, addresses=nodes,
                address_source="nodes" if nodes else "", rule=f"spec.ports[{i}].nodePort",
                backends=(resolver.resolve(meta.namespace, meta.name, p.port),),
            ))
    for ip in spec.external_ips:
        for i, p in enumerate(spec.ports):
            out.append(Exposure(
                meta.namespace, src, ip, p.port, p.protocol, addresses=(ip,), address_source="spec.externalIPs",
                rule=f"spec.externalIPs, spec.ports[{i}]",
                backends=(resolver.resolve(meta.namespace, meta.name, p.port),),
            ))
    return out


def exposures(
    state: ClusterState, namespace: str | None = None, include_unattached: bool = False,
    subjects: PodCache | None = None,
) -> list[Exposure]:
    """Every exposed entry (of `namespace`, or all), sorted by namespace, host, port and path.

    With include_unattached, Gateway routes that name a parent but are not accepted there are
    included too (attached=False, with the reason), which is what triage needs.
    `subjects`: the pods' Subjects made already (PolicyEngine.pod_subjects), reused.
    """
    from ktui.analysis.exposure.gateway import gateway_exposures
    from ktui.analysis.exposure.ingress import ingress_exposures

    resolver = BackendResolver(state, subjects)
    out: list[Exposure] = []
    for ing in state.objects("Ingress", namespace):
        out.extend(ingress_exposures(state, ing, resolver))
    nodes = node_addresses(state)
    for svc in state.objects("Service", namespace):
        out.extend(service_exposures(svc, resolver, nodes))
    out = host_wide_regex(out)
    out.extend(gateway_exposures(state, resolver, include_unattached))
    if namespace is not None:
        out = [e for e in out if namespace in e.namespaces]
    out.sort(key=lambda e: (e.namespace, e.host, e.port or 0, e.path, e.source, e.rule))
    return out


def host_wide_regex(entries: list[Exposure]) -> list[Exposure]:
    """ingress-nginx: a regex annotation on any Ingress of a host makes every path of that host
    (same class) a regex, whichever Ingress defines it; Exact paths stay exact."""
    regex_hosts = {(e.klass.name if e.klass else "", e.host) for e in entries if e.regex}
    return [
        replace(e, regex=True)
        if (e.klass.name if e.klass else "", e.host) in regex_hosts and not e.default_backend
        and e.path_type != "Exact" and e.family == "Ingress" else e
        for e in entries
    ]


def exposures_by_namespace(
    state: ClusterState, namespace: str | None = None, include_unattached: bool = False
) -> dict[str, list[Exposure]]:
    """Entries per namespace they concern: their own and their backends' (see Exposure.namespaces)."""
    grouped: dict[str, list[Exposure]] = defaultdict(list)
    for e in exposures(state, namespace, include_unattached):
        for ns in e.namespaces:
            if namespace is None or ns == namespace:
                grouped[ns].append(e)
    return dict(grouped)
