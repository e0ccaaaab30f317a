"""Gateway API to exposed entries: each listener, the routes attached to it, their rules.

Attachment comes from routes.py (the spec's rules), so an entry exists only where a conformant
controller would route traffic; a listener with no route attached is still an entry (it accepts
connections and answers 404 or resets), and routes refused by their parent are kept apart
(attached=False) for triage. ListenerSets add their listeners to their Gateway when the Gateway's
allowedListeners admits them.
"""

from __future__ import annotations

from collections import defaultdict

from ktui.analysis.exposure.backends import Backend, BackendResolver
from ktui.analysis.exposure.entries import ClassInfo, Exposure
from ktui.analysis.exposure.hostnames import ANY_HOST, effective_hostnames
from ktui.analysis.exposure.refgrants import check_certificate_refs
from ktui.analysis.exposure.routecheck import check_backend_ref
from ktui.analysis.exposure.routes import (
    HOSTNAME_KINDS,
    Attachment,
    ParentStatus,
    RouteStatus,
    listenerset_allowed,
    route_statuses,
)
from ktui.model.gateway import Gateway, GatewayClass, Listener, Route, RouteRule
from ktui.store import ClusterState

TLS_PROTOCOLS = ("HTTPS", "TLS")


def gateway_class(state: ClusterState, gw: Gateway) -> ClassInfo:
    name = gw.spec.gateway_class_name
    gc: GatewayClass | None = state.get("GatewayClass", "", name)
    if gc is None:
        return ClassInfo("GatewayClass", name, "", False, "spec.gatewayClassName", f"GatewayClass {name} not found")
    problem = "" if gc.spec.controller_name else f"GatewayClass {name} names no controller"
    for c in gc.status.conditions:
        if c.type == "Accepted" and c.status == "False":
            problem = f"GatewayClass {name} not accepted by its controller ({c.reason})"
    return ClassInfo("GatewayClass", name, gc.spec.controller_name, True, "spec.gatewayClassName", problem)


def gateway_addresses(gw: Gateway) -> tuple[tuple[str, ...], str]:
    status = tuple(a.value for a in gw.status.addresses if a.value)
    if status:
        return status, "status"
    spec = tuple(a.value for a in gw.spec.addresses if a.value)
    return spec, ("spec (requested)" if spec else "")


def _listeners(state: ClusterState, gw: Gateway) -> list[tuple[str, str, str, Listener]]:
    """(owner kind, owner ns, owner name, listener): the Gateway's, then admitted ListenerSets'."""
    meta = gw.metadata
    out = [("Gateway", meta.namespace, meta.name, lis) for lis in gw.spec.listeners]
    for ls in sorted(state.objects("ListenerSet"), key=lambda o: (o.metadata.namespace, o.metadata.name)):
        pref = ls.spec.parent_ref
        target = (pref.namespace or ls.metadata.namespace, pref.name)
        if target != (meta.namespace, meta.name) or pref.kind != "Gateway":
            continue
        if listenerset_allowed(state, gw, ls.metadata.namespace):
            out.extend(("ListenerSet", ls.metadata.namespace, ls.metadata.name, lis) for lis in ls.spec.listeners)
    return out


def _rule_paths(route: Route, rule: RouteRule) -> list[tuple[str, str]]:
    """(path, type) pairs a rule matches; L4 routes match no path."""
    if route.kind in ("TLSRoute", "TCPRoute", "UDPRoute"):
        return [("", "")]
    if route.kind == "GRPCRoute":
        out = []
        for m in rule.matches or []:
            method = m.method if not isinstance(m.method, str) else None
            svc = (method.service if method else None) or "*"
            name = (method.method if method else None) or "*"
            out.append((f"/{svc}/{name}", "gRPC"))
        return list(dict.fromkeys(out)) or [("/", "gRPC")]
    paths = [(m.path.value, m.path.type) if m.path is not None else ("/", "PathPrefix") for m in rule.matches]
    return list(dict.fromkeys(paths)) or [("/", "PathPrefix")]


def _redirect(rule: RouteRule) -> str:
    for f in rule.filters:
        r = f.request_redirect
        if f.type == "RequestRedirect" and r is not None:
            parts = [f"scheme {r.scheme}" if r.scheme else "", f"host {r.hostname}" if r.hostname else "",
                     f"port {r.port}" if r.port else "", f"status {r.status_code}" if r.status_code else ""]
            return "redirect (" + (", ".join(p for p in parts if p) or "same URL") + ")"
    return ""


def rule_backends(state: ClusterState, resolver: BackendResolver, route: Route, i: int) -> tuple[Backend, ...]:
    out = []
    for j, ref in enumerate(route.spec.rules[i].backend_refs):
        check = check_backend_ref(state, route, ref, f"spec.rules[{i}].backendRefs[{j}]", i)
        if check.reason in ("InvalidKind", "RefNotPermitted"):
            out.append(Backend(check.namespace, check.name, "" if ref.port is None else str(ref.port),
                               kind=check.kind, group=check.group, problem=check.message,
                               ref_reason=check.reason, weight=ref.weight))
        else:
            b = resolver.resolve(check.namespace, check.name, ref.port, ref.weight)
            out.append(b if not check.reason or b.problem else
                       Backend(b.namespace, b.name, b.port, problem=check.message, ref_reason=check.reason))
    return tuple(out)


def _route_entries(state: ClusterState, resolver: BackendResolver, gw: Gateway, klass: ClassInfo,
                   owner: tuple[str, str, str], lis: Listener, rs: RouteStatus, hosts: tuple[str, ...],
                   problem: str = "") -> list[Exposure]:
    """Entries of one route on one listener: hostname x rule x path."""
    route = rs.route
    addrs, how = gateway_addresses(gw)
    tls = lis.protocol in TLS_PROTOCOLS
    mode = (lis.tls.mode if lis.tls is not None else "Terminate") if tls else ""
    certs = check_certificate_refs(state, owner[0], owner[1], lis)
    out = []
    for host in hosts:
        for i, rule in enumerate(route.spec.rules):
            backends = rule_backends(state, resolver, route, i)
            redirect = _redirect(rule)
            for path, ptype in _rule_paths(route, rule):
                out.append(Exposure(
                    rs.namespace, f"Gateway {gw.metadata.namespace}/{gw.metadata.name}", host, lis.port, lis.protocol,
                    path, ptype, tls, mode, certs, addrs, how, klass, f"{rs.kind} spec.rules[{i}]",
                    route=f"{rs.kind} {rs.namespace}/{rs.name}",
                    listener=f"{owner[0]} {owner[1]}/{owner[2]} listener {lis.name}",
                    backends=backends, attached=not problem, problem=problem, redirect=redirect,
                ))
    return out


def _refused_entries(state: ClusterState, resolver: BackendResolver, rs: RouteStatus,
                     p: ParentStatus) -> list[Exposure]:
    """A route its parent did not accept, on the listeners it aimed at, with the reason."""
    problem = f"{rs.kind} {rs.namespace}/{rs.name} not accepted by {p.ref}: {p.accepted.reason}: {p.accepted.message}"
    route_hosts = tuple(rs.route.spec.hostnames) if rs.kind in HOSTNAME_KINDS else ()
    gw: Gateway | None = state.get("Gateway", p.ref.namespace, p.ref.name) if p.ref.kind == "Gateway" else None
    listeners = [] if gw is None else [
        lis for lis in gw.spec.listeners
        if (not p.ref.section_name or lis.name == p.ref.section_name) and (p.ref.port is None or lis.port == p.ref.port)
    ]
    if gw is None or not listeners:
        addrs, how = gateway_addresses(gw) if gw is not None else ((), "")
        klass = gateway_class(state, gw) if gw is not None else None
        return [Exposure(rs.namespace, f"{p.ref.kind} {p.ref.namespace}/{p.ref.name}", host, p.ref.port, "",
                         addresses=addrs, address_source=how, klass=klass,
                         route=f"{rs.kind} {rs.namespace}/{rs.name}", attached=False, problem=problem)
                for host in (route_hosts or (ANY_HOST,))]
    klass = gateway_class(state, gw)
    owner = ("Gateway", gw.metadata.namespace, gw.metadata.name)
    out = []
    for lis in listeners:
        hosts = effective_hostnames(None, route_hosts) if route_hosts else (lis.hostname or ANY_HOST,)
        out.extend(_route_entries(state, resolver, gw, klass, owner, lis, rs, hosts, problem))
    return out


def gateway_exposures(state: ClusterState, resolver: BackendResolver, include_unattached: bool = False,
                      statuses: list[RouteStatus] | None = None) -> list[Exposure]:
    """Entries of every Gateway listener; refused routes too (attached=False) when asked."""
    if statuses is None:
        statuses = route_statuses(state)
    attached: dict[tuple[str, str, str, str], list[tuple[RouteStatus, Attachment]]] = defaultdict(list)
    refused: list[tuple[RouteStatus, ParentStatus]] = []
    for rs in statuses:
        for p in rs.parents:
            if p.accepted.ok:
                for a in p.attachments:
                    attached[(a.owner_kind, a.owner_namespace, a.owner_name, a.listener_name)].append((rs, a))
            elif p.ref.kind in ("Gateway", "ListenerSet"):
                refused.append((rs, p))
    out: list[Exposure] = []
    for gw in state.objects("Gateway"):
        klass = gateway_class(state, gw)
        addrs, how = gateway_addresses(gw)
        for kind, ns, name, lis in _listeners(state, gw):
            label = f"{kind} {ns}/{name}"
            routes = attached.get((kind, ns, name, lis.name), [])
            for rs, a in routes:
                out.extend(_route_entries(state, resolver, gw, klass, (kind, ns, name), lis, rs, a.hostnames))
            if not routes:
                tls = lis.protocol in TLS_PROTOCOLS
                out.append(Exposure(
                    ns, f"Gateway {gw.metadata.namespace}/{gw.metadata.name}", lis.hostname or ANY_HOST, lis.port,
                    lis.protocol, "", "", tls, (lis.tls.mode if lis.tls else "Terminate") if tls else "",
                    check_certificate_refs(state, kind, ns, lis), addrs, how, klass, "",
                    listener=f"{label} listener {lis.name}", problem="no route attached to this listener",
                ))
    if include_unattached:
        for rs, p in refused:
            out.extend(_refused_entries(state, resolver, rs, p))
    return out
