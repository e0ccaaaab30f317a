"""Gateway API route attachment, and the route conditions a conformant controller would write.

Computed from the objects, never read from their status: for each parentRef of each route,
Accepted (True Accepted; False NoMatchingParent, NotAllowedByListeners, NoMatchingListenerHostname,
UnsupportedValue) and ResolvedRefs (True ResolvedRefs; False InvalidKind, RefNotPermitted,
BackendNotFound). The order of the checks follows the API's definitions of the reasons:

1. the parent must exist (Gateway, ListenerSet, or a Service for mesh routes) -> NoMatchingParent;
2. sectionName and port select the relevant listeners (both must match) -> NoMatchingParent;
3. some relevant listener's allowedRoutes admits the route's namespace (Same/All/Selector) and kind
   (listed kinds, or the defaults of the listener protocol) -> NotAllowedByListeners;
4. some admitting listener's hostname intersects the route's hostnames -> NoMatchingListenerHostname;
5. at least one rule has only recognised enum values -> UnsupportedValue.

A parent that does not exist gets NoMatchingParent here; the spec allows a controller to write
nothing in that case, ktui says it anyway. ResolvedRefs does not depend on the parent (the
conformance tests expect ResolvedRefs True on routes that are not allowed): each backendRef,
RequestMirror and ExternalAuth services included, in order, is checked for kind (core Service)
-> InvalidKind, then for a ReferenceGrant when it crosses namespaces -> RefNotPermitted, then for
the Service and its port -> BackendNotFound; the first failure gives the reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ktui.analysis.exposure.hostnames import ANY_HOST, effective_hostnames
from ktui.analysis.exposure.refgrants import core_group, reference_allowed
from ktui.analysis.exposure.routecheck import backend_ref_checks, unsupported_values
from ktui.model.gateway import GATEWAY_GROUP, ROUTE_KINDS, Gateway, Listener, ParentReference, Route
from ktui.store import ClusterState

PROTOCOL_KINDS: dict[str, tuple[str, ...]] = {
    "HTTP": ("HTTPRoute", "GRPCRoute"),
    "HTTPS": ("HTTPRoute", "GRPCRoute"),
    "TLS": ("TLSRoute",),
    "TCP": ("TCPRoute",),
    "UDP": ("UDPRoute",),
}
HOSTNAME_KINDS = frozenset({"HTTPRoute", "GRPCRoute", "TLSRoute"})


@dataclass(frozen=True, slots=True)
class RouteCondition:
    type: str
    status: str  # "True" | "False"
    reason: str
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "True"

    def to_json(self) -> dict[str, str]:
        return {"type": self.type, "status": self.status, "reason": self.reason, "message": self.message}


def _cond(kind: str, ok: bool, reason: str, message: str = "") -> RouteCondition:
    return RouteCondition(kind, "True" if ok else "False", reason, message)


@dataclass(frozen=True, slots=True)
class ParentKey:
    """A parentRef with the API defaults filled in (group, kind, the route's namespace)."""

    group: str
    kind: str
    namespace: str
    name: str
    section_name: str | None = None
    port: int | None = None

    @classmethod
    def of(cls, ref: ParentReference, route_namespace: str) -> ParentKey:
        return cls(ref.group, ref.kind or "Gateway", ref.namespace or route_namespace, ref.name,
                   ref.section_name or None, ref.port)

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "kind": self.kind, "namespace": self.namespace, "name": self.name,
                "sectionName": self.section_name, "port": self.port}

    def __str__(self) -> str:
        text = f"{self.kind} {self.namespace}/{self.name}"
        if self.section_name:
            text += f" section {self.section_name}"
        if self.port is not None:
            text += f" port {self.port}"
        return text


@dataclass(frozen=True, slots=True)
class Attachment:
    """A listener that accepted a route, with the hostnames the route answers for there."""

    owner_kind: str  # "Gateway" or "ListenerSet"
    owner_namespace: str
    owner_name: str
    gateway: Gateway = field(compare=False, repr=False)  # the Gateway (a ListenerSet's parent)
    listener: Listener = field(compare=False, repr=False)
    hostnames: tuple[str, ...] = (ANY_HOST,)

    @property
    def listener_name(self) -> str:
        return self.listener.name


@dataclass(frozen=True, slots=True)
class ParentStatus:
    ref: ParentKey
    accepted: RouteCondition
    resolved_refs: RouteCondition
    attachments: tuple[Attachment, ...] = ()

    def conditions(self) -> tuple[RouteCondition, RouteCondition]:
        return (self.accepted, self.resolved_refs)

    def to_json(self) -> dict[str, Any]:
        return {"parentRef": self.ref.to_json(), "conditions": [c.to_json() for c in self.conditions()]}


@dataclass(frozen=True, slots=True)
class RouteStatus:
    """One route with, per parentRef, the conditions a conformant controller would write."""

    kind: str
    namespace: str
    name: str
    parents: tuple[ParentStatus, ...]
    route: Route = field(compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name,
                "parents": [p.to_json() for p in self.parents]}


@dataclass(frozen=True, slots=True)
class ListenerStatus:
    """A listener as a controller would report it: supported kinds, attached routes, refs."""

    owner_kind: str
    owner_namespace: str
    owner_name: str
    name: str
    port: int
    protocol: str
    hostname: str | None
    supported_kinds: tuple[str, ...]
    attached_routes: int
    resolved_refs: RouteCondition


def supported_kinds(listener: Listener) -> tuple[str, ...]:
    """Route kinds a listener takes: the listed ones its protocol can carry, else the defaults."""
    compatible = PROTOCOL_KINDS.get(listener.protocol, ())
    kinds = listener.allowed_routes.kinds
    if not kinds:
        return compatible
    return tuple(k.kind for k in kinds if core_group(k.group) == GATEWAY_GROUP and k.kind in compatible)


def namespace_allowed(state: ClusterState, listener: Listener, owner_namespace: str, route_namespace: str) -> bool:
    ns = listener.allowed_routes.namespaces
    if ns.from_ == "All":
        return True
    if ns.from_ == "Same":
        return route_namespace == owner_namespace
    if ns.from_ == "Selector":
        return ns.selector is not None and ns.selector.matches(state.namespace_labels(route_namespace))
    return False


def listenerset_allowed(state: ClusterState, gateway: Gateway, ls_namespace: str) -> bool:
    """Gateway spec.allowedListeners: from None (the default), Same, All or Selector."""
    allowed = gateway.spec.allowed_listeners
    if allowed is None:
        return False
    ns = allowed.namespaces
    if ns.from_ == "All":
        return True
    if ns.from_ == "Same":
        return ls_namespace == gateway.metadata.namespace
    if ns.from_ == "Selector":
        return ns.selector is not None and ns.selector.matches(state.namespace_labels(ls_namespace))
    return False


@dataclass(frozen=True, slots=True)
class _Parent:
    kind: str
    namespace: str
    name: str
    gateway: Gateway
    listeners: tuple[Listener, ...]


def _find_parent(state: ClusterState, key: ParentKey) -> _Parent | str:
    """The parent's listeners, or why there is no such parent."""
    if key.group == GATEWAY_GROUP and key.kind == "Gateway":
        gw: Gateway | None = state.get("Gateway", key.namespace, key.name)
        if gw is None:
            return f"Gateway {key.namespace}/{key.name} not found"
        return _Parent("Gateway", key.namespace, key.name, gw, tuple(gw.spec.listeners))
    if key.group == GATEWAY_GROUP and key.kind == "ListenerSet":
        ls = state.get("ListenerSet", key.namespace, key.name)
        if ls is None:
            return f"ListenerSet {key.namespace}/{key.name} not found"
        pref = ls.spec.parent_ref
        gw_ns = pref.namespace or key.namespace
        gw = state.get("Gateway", gw_ns, pref.name)
        if gw is None:
            return f"ListenerSet {key.namespace}/{key.name}: its Gateway {gw_ns}/{pref.name} not found"
        if not listenerset_allowed(state, gw, key.namespace):
            return (f"ListenerSet {key.namespace}/{key.name} is not allowed by Gateway "
                    f"{gw.metadata.namespace}/{gw.metadata.name} (spec.allowedListeners)")
        return _Parent("ListenerSet", key.namespace, key.name, gw, tuple(ls.spec.listeners))
    return f"parent kind {key.kind} (group {key.group or 'core'}) is not a Gateway or ListenerSet"


def _parent_status(state: ClusterState, route: Route, key: ParentKey, resolved: RouteCondition,
                   unsupported: str) -> ParentStatus:
    def rejected(reason: str, message: str) -> ParentStatus:
        return ParentStatus(key, _cond("Accepted", False, reason, message), resolved)

    if core_group(key.group) == "" and key.kind == "Service":  # a mesh (GAMMA) route: the mesh attaches it
        if state.get("Service", key.namespace, key.name) is None:
            return rejected("NoMatchingParent", f"Service {key.namespace}/{key.name} not found")
        return ParentStatus(key, _cond("Accepted", True, "Accepted", "mesh route on an existing Service"), resolved)
    parent = _find_parent(state, key)
    if isinstance(parent, str):
        return rejected("NoMatchingParent", parent)
    relevant = [
        lis for lis in parent.listeners
        if (key.section_name is None or lis.name == key.section_name) and (key.port is None or lis.port == key.port)
    ]
    if not relevant:
        want = " and ".join(
            w for w in (f"named {key.section_name}" if key.section_name else "",
                        f"on port {key.port}" if key.port is not None else "") if w
        )
        return rejected("NoMatchingParent", f"{parent.kind} {parent.namespace}/{parent.name} has no listener {want}")
    meta = route.metadata
    allowed = [
        lis for lis in relevant
        if route.kind in supported_kinds(lis) and namespace_allowed(state, lis, parent.namespace, meta.namespace)
    ]
    if not allowed:
        return rejected("NotAllowedByListeners", _not_allowed_message(state, route, parent, relevant))
    attachments = []
    for lis in allowed:
        hosts = effective_hostnames(lis.hostname, route.spec.hostnames) if route.kind in HOSTNAME_KINDS else (ANY_HOST,)
        if hosts:
            attachments.append(Attachment(parent.kind, parent.namespace, parent.name, parent.gateway, lis, hosts))
    if not attachments:
        names = ", ".join(f"{lis.name}={lis.hostname or '*'}" for lis in allowed)
        return rejected("NoMatchingListenerHostname",
                        f"hostnames {', '.join(route.spec.hostnames)} match no listener ({names})")
    if unsupported:
        return rejected("UnsupportedValue", unsupported)
    listeners = ", ".join(a.listener_name for a in attachments)
    return ParentStatus(key, _cond("Accepted", True, "Accepted", f"attached to listener(s) {listeners}"),
                        resolved, tuple(attachments))


def _not_allowed_message(state: ClusterState, route: Route, parent: _Parent, listeners: list[Listener]) -> str:
    parts = []
    for lis in listeners:
        if route.kind not in supported_kinds(lis):
            kinds = ", ".join(supported_kinds(lis)) or "none"
            parts.append(f"{lis.name} takes {kinds}")
        else:
            parts.append(f"{lis.name} allows routes from {lis.allowed_routes.namespaces.from_} namespaces")
    return f"{route.kind} from namespace {route.metadata.namespace}: " + "; ".join(parts)


def resolved_refs_condition(route: Route, state: ClusterState) -> RouteCondition:
    for check in backend_ref_checks(state, route):
        if check.reason:
            return _cond("ResolvedRefs", False, check.reason, check.message)
    return _cond("ResolvedRefs", True, "ResolvedRefs")


def route_status(state: ClusterState, route: Route) -> RouteStatus:
    resolved = resolved_refs_condition(route, state)
    unsupported = unsupported_values(route)
    meta = route.metadata
    parents = tuple(
        _parent_status(state, route, ParentKey.of(ref, meta.namespace), resolved, unsupported)
        for ref in route.spec.parent_refs
    )
    return RouteStatus(route.kind, meta.namespace, meta.name, parents, route)


def all_routes(state: ClusterState, namespace: str | None = None) -> Iterator[Route]:
    for kind in ROUTE_KINDS:
        yield from state.objects(kind, namespace)


def route_statuses(state: ClusterState, namespace: str | None = None) -> list[RouteStatus]:
    """Every route (of `namespace`, or all) with its parents' conditions, sorted."""
    out = [route_status(state, r) for r in all_routes(state, namespace)]
    out.sort(key=lambda s: (s.namespace, ROUTE_KINDS.index(s.kind), s.name))
    return out


def listener_statuses(
    state: ClusterState, owner_kind: str, owner: Any, statuses: list[RouteStatus] | None = None
) -> list[ListenerStatus]:
    """The listeners of a Gateway or ListenerSet with attachedRoutes: routes Accepted there."""
    from ktui.analysis.exposure.refgrants import check_certificate_refs

    ns, name = owner.metadata.namespace, owner.metadata.name
    if statuses is None:
        statuses = route_statuses(state)
    attached: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for rs in statuses:
        for p in rs.parents:
            for a in p.attachments:
                if (a.owner_kind, a.owner_namespace, a.owner_name) == (owner_kind, ns, name):
                    attached[a.listener_name].add((rs.kind, rs.namespace, rs.name))
    out = []
    for lis in owner.spec.listeners:
        kinds = supported_kinds(lis)
        listed = [k.kind for k in lis.allowed_routes.kinds]
        bad_kinds = [k for k in listed if k not in kinds]
        certs = [c for c in check_certificate_refs(state, owner_kind, ns, lis) if c.reason]
        if bad_kinds:
            cond = _cond("ResolvedRefs", False, "InvalidRouteKinds", f"unsupported kinds: {', '.join(bad_kinds)}")
        elif certs:
            cond = _cond("ResolvedRefs", False, certs[0].reason, certs[0].message)
        elif lis.protocol == "HTTPS" and (lis.tls is None or not lis.tls.certificate_refs):
            cond = _cond("ResolvedRefs", False, "InvalidCertificateRef", "HTTPS listener without certificateRefs")
        else:
            cond = _cond("ResolvedRefs", True, "ResolvedRefs")
        out.append(ListenerStatus(owner_kind, ns, name, lis.name, lis.port, lis.protocol, lis.hostname,
                                  kinds, len(attached.get(lis.name, ())), cond))
    return out


__all__ = [
    "HOSTNAME_KINDS",
    "PROTOCOL_KINDS",
    "Attachment",
    "ListenerStatus",
    "ParentKey",
    "ParentStatus",
    "RouteCondition",
    "RouteStatus",
    "all_routes",
    "listener_statuses",
    "listenerset_allowed",
    "namespace_allowed",
    "reference_allowed",
    "route_status",
    "route_statuses",
    "supported_kinds",
]
