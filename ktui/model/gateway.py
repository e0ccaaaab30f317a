"""gateway.networking.k8s.io: GatewayClass, Gateway, ListenerSet, the route kinds, ReferenceGrant.

One Route struct serves HTTPRoute, GRPCRoute, TLSRoute, TCPRoute and UDPRoute (v1, v1beta1,
v1alpha2, v1alpha3): they share parentRefs, hostnames and rules with backendRefs; `kind` tells
them apart.
"""

from __future__ import annotations

import msgspec

from ktui.model.meta import Condition, ObjectMeta
from ktui.model.selectors import LabelSelector

GATEWAY_GROUP = "gateway.networking.k8s.io"
ROUTE_KINDS = ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute")


class ParametersReference(msgspec.Struct, frozen=True, gc=False):
    group: str = ""
    kind: str = ""
    name: str = ""
    namespace: str | None = None


class GatewayClassSpec(msgspec.Struct, frozen=True, rename="camel", gc=False):
    controller_name: str = ""
    parameters_ref: ParametersReference | None = None


class GatewayClassStatus(msgspec.Struct, frozen=True, gc=False):
    conditions: list[Condition] = msgspec.field(default_factory=list)


class GatewayClass(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: GatewayClassSpec = msgspec.field(default_factory=GatewayClassSpec)
    status: GatewayClassStatus = msgspec.field(default_factory=GatewayClassStatus)
    kind: str = "GatewayClass"


class SecretObjectReference(msgspec.Struct, frozen=True, gc=False):
    name: str = ""
    group: str = ""
    kind: str = "Secret"
    namespace: str | None = None


class GatewayTLSConfig(msgspec.Struct, frozen=True, rename="camel", gc=False):
    mode: str = "Terminate"
    certificate_refs: list[SecretObjectReference] = msgspec.field(default_factory=list)


class RouteNamespaces(msgspec.Struct, frozen=True, gc=False):
    from_: str = msgspec.field(default="Same", name="from")
    selector: LabelSelector | None = None


class RouteGroupKind(msgspec.Struct, frozen=True, gc=False):
    kind: str = ""
    group: str = GATEWAY_GROUP


class AllowedRoutes(msgspec.Struct, frozen=True, gc=False):
    namespaces: RouteNamespaces = msgspec.field(default_factory=RouteNamespaces)
    kinds: list[RouteGroupKind] = msgspec.field(default_factory=list)


class Listener(msgspec.Struct, frozen=True, rename="camel", gc=False):
    name: str = ""
    port: int = 0
    protocol: str = ""
    hostname: str | None = None
    tls: GatewayTLSConfig | None = None
    allowed_routes: AllowedRoutes = msgspec.field(default_factory=AllowedRoutes)


class GatewayAddress(msgspec.Struct, frozen=True, gc=False):
    value: str = ""
    type: str = "IPAddress"


class ListenerStatus(msgspec.Struct, frozen=True, rename="camel", gc=False):
    name: str = ""
    attached_routes: int = 0
    conditions: list[Condition] = msgspec.field(default_factory=list)


class GatewayStatus(msgspec.Struct, frozen=True, gc=False):
    addresses: list[GatewayAddress] = msgspec.field(default_factory=list)
    conditions: list[Condition] = msgspec.field(default_factory=list)
    listeners: list[ListenerStatus] = msgspec.field(default_factory=list)


class ListenerNamespaces(msgspec.Struct, frozen=True, gc=False):
    """Which namespaces may attach ListenerSets to a Gateway; the API default is None (none)."""

    from_: str = msgspec.field(default="None", name="from")
    selector: LabelSelector | None = None


class AllowedListeners(msgspec.Struct, frozen=True, gc=False):
    namespaces: ListenerNamespaces = msgspec.field(default_factory=ListenerNamespaces)


class GatewaySpec(msgspec.Struct, frozen=True, rename="camel", gc=False):
    gateway_class_name: str = ""
    listeners: list[Listener] = msgspec.field(default_factory=list)
    addresses: list[GatewayAddress] = msgspec.field(default_factory=list)
    allowed_listeners: AllowedListeners | None = None


class Gateway(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: GatewaySpec = msgspec.field(default_factory=GatewaySpec)
    status: GatewayStatus = msgspec.field(default_factory=GatewayStatus)
    kind: str = "Gateway"


class ParentReference(msgspec.Struct, frozen=True, rename="camel", gc=False):
    name: str = ""
    group: str = GATEWAY_GROUP
    kind: str = "Gateway"
    namespace: str | None = None
    section_name: str | None = None
    port: int | None = None


class ListenerSetSpec(msgspec.Struct, frozen=True, rename="camel", gc=False):
    parent_ref: ParentReference = msgspec.field(default_factory=ParentReference)
    listeners: list[Listener] = msgspec.field(default_factory=list)


class ListenerSet(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: ListenerSetSpec = msgspec.field(default_factory=ListenerSetSpec)
    kind: str = "ListenerSet"


class BackendRef(msgspec.Struct, frozen=True, gc=False):
    name: str = ""
    group: str = ""
    kind: str = "Service"
    namespace: str | None = None
    port: int | None = None
    weight: int = 1


class PathMatch(msgspec.Struct, frozen=True, gc=False):
    type: str = "PathPrefix"
    value: str = "/"


class NameValueMatch(msgspec.Struct, frozen=True, gc=False):
    name: str = ""
    value: str = ""
    type: str = "Exact"


class GRPCMethodMatch(msgspec.Struct, frozen=True, gc=False):
    service: str | None = None
    method: str | None = None
    type: str = "Exact"


class RouteMatch(msgspec.Struct, frozen=True, rename="camel", gc=False):
    """An HTTPRoute or GRPCRoute match; `method` is a string for HTTP, an object for gRPC."""

    path: PathMatch | None = None
    headers: list[NameValueMatch] = msgspec.field(default_factory=list)
    query_params: list[NameValueMatch] = msgspec.field(default_factory=list)
    method: str | GRPCMethodMatch | None = None


class RequestMirror(msgspec.Struct, frozen=True, rename="camel", gc=False):
    backend_ref: BackendRef = msgspec.field(default_factory=BackendRef)


class RequestRedirect(msgspec.Struct, frozen=True, rename="camel", gc=False):
    scheme: str | None = None
    hostname: str | None = None
    port: int | None = None
    status_code: int | None = None


class ExternalAuth(msgspec.Struct, frozen=True, rename="camel", gc=False):
    """HTTPRoute ExternalAuth filter: only the auth service it calls matters here."""

    protocol: str = ""
    backend_ref: BackendRef = msgspec.field(default_factory=BackendRef)


class RouteFilter(msgspec.Struct, frozen=True, rename="camel", gc=False):
    type: str = ""
    request_mirror: RequestMirror | None = None
    request_redirect: RequestRedirect | None = None
    external_auth: ExternalAuth | None = None


class RouteBackendRef(BackendRef, frozen=True, gc=False):
    filters: list[RouteFilter] = msgspec.field(default_factory=list)


class RouteRule(msgspec.Struct, frozen=True, rename="camel", gc=False):
    name: str | None = None
    matches: list[RouteMatch] = msgspec.field(default_factory=list)
    filters: list[RouteFilter] = msgspec.field(default_factory=list)
    backend_refs: list[RouteBackendRef] = msgspec.field(default_factory=list)


class RouteParentStatus(msgspec.Struct, frozen=True, rename="camel", gc=False):
    parent_ref: ParentReference = msgspec.field(default_factory=ParentReference)
    controller_name: str = ""
    conditions: list[Condition] = msgspec.field(default_factory=list)


class RouteStatus(msgspec.Struct, frozen=True, gc=False):
    parents: list[RouteParentStatus] = msgspec.field(default_factory=list)


class RouteSpec(msgspec.Struct, frozen=True, rename="camel", gc=False):
    parent_refs: list[ParentReference] = msgspec.field(default_factory=list)
    hostnames: list[str] = msgspec.field(default_factory=list)
    rules: list[RouteRule] = msgspec.field(default_factory=list)


class Route(msgspec.Struct, frozen=True, gc=False):
    kind: str = "HTTPRoute"
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: RouteSpec = msgspec.field(default_factory=RouteSpec)
    status: RouteStatus = msgspec.field(default_factory=RouteStatus)


class ReferenceGrantFrom(msgspec.Struct, frozen=True, gc=False):
    group: str = ""
    kind: str = ""
    namespace: str = ""


class ReferenceGrantTo(msgspec.Struct, frozen=True, gc=False):
    group: str = ""
    kind: str = ""
    name: str | None = None


class ReferenceGrantSpec(msgspec.Struct, frozen=True, gc=False):
    from_: list[ReferenceGrantFrom] = msgspec.field(default_factory=list, name="from")
    to: list[ReferenceGrantTo] = msgspec.field(default_factory=list)


class ReferenceGrant(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: ReferenceGrantSpec = msgspec.field(default_factory=ReferenceGrantSpec)
    kind: str = "ReferenceGrant"
