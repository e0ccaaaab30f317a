"""Route conditions per Gateway API reason, on small scenarios shaped like the conformance tests."""

from __future__ import annotations

from ktui.analysis.exposure.routes import ParentStatus, RouteStatus, listener_statuses, route_status, route_statuses
from ktui.store import ClusterState
from tests.exposure.helpers import build

BASE = """
apiVersion: v1
kind: Namespace
metadata: {name: infra}
---
apiVersion: v1
kind: Namespace
metadata: {name: apps, labels: {access: "yes"}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: same, namespace: infra}
spec:
  gatewayClassName: acme
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: all, namespace: infra}
spec:
  gatewayClassName: acme
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
  - {name: web, port: 8080, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: selected, namespace: infra}
spec:
  gatewayClassName: acme
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {access: "yes"}}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: tls-only, namespace: infra}
spec:
  gatewayClassName: acme
  listeners:
  - {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough},
     allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: hosts, namespace: infra}
spec:
  gatewayClassName: acme
  listeners:
  - {name: specific, port: 80, protocol: HTTP, hostname: very.specific.com}
  - {name: wild, port: 80, protocol: HTTP, hostname: "*.wildcard.io"}
  - {name: foo-wild, port: 80, protocol: HTTP, hostname: "*.foo.example.com"}
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: infra}
spec: {selector: {app: svc}, ports: [{port: 8080, targetPort: 3000}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {selector: {app: web}, ports: [{name: http, port: 8080, targetPort: 3000}]}
"""


def route(name: str, ns: str, parents: str, hostnames: str = "", backends: str = "[{name: svc, port: 8080}]",
          kind: str = "HTTPRoute", extra_rule: str = "") -> str:
    hosts = f"\n  hostnames: {hostnames}" if hostnames else ""
    return f"""
apiVersion: gateway.networking.k8s.io/v1
kind: {kind}
metadata: {{name: {name}, namespace: {ns}}}
spec:
  parentRefs: {parents}{hosts}
  rules:
  - backendRefs: {backends}{extra_rule}
"""


def status_of(state: ClusterState, kind: str, ns: str, name: str) -> RouteStatus:
    return route_status(state, state.get(kind, ns, name))


def parent(state: ClusterState, ns: str, name: str, kind: str = "HTTPRoute", index: int = 0) -> ParentStatus:
    return status_of(state, kind, ns, name).parents[index]


def reasons(p: ParentStatus) -> tuple[tuple[str, str], tuple[str, str]]:
    return (p.accepted.status, p.accepted.reason), (p.resolved_refs.status, p.resolved_refs.reason)


ACCEPTED = (("True", "Accepted"), ("True", "ResolvedRefs"))


def test_same_namespace_route_is_accepted_with_resolved_refs() -> None:
    state = build(BASE, route("r", "infra", "[{name: same}]"))
    p = parent(state, "infra", "r")
    assert reasons(p) == ACCEPTED
    assert [a.listener_name for a in p.attachments] == ["http"]
    assert p.ref.to_json() == {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "infra",
                               "name": "same", "sectionName": None, "port": None}


def test_route_from_another_namespace_is_not_allowed_by_a_same_namespace_listener() -> None:
    state = build(BASE, route("r", "apps", "[{name: same, namespace: infra}]", backends="[{name: web, port: 8080}]"))
    # ResolvedRefs stays True: the refs resolve whatever the parent says (conformance expects this).
    assert reasons(parent(state, "apps", "r")) == (("False", "NotAllowedByListeners"), ("True", "ResolvedRefs"))


def test_from_all_admits_any_namespace() -> None:
    state = build(BASE, route("r", "other", "[{name: all, namespace: infra}]", backends="[]"))
    p = parent(state, "other", "r")
    assert reasons(p) == ACCEPTED
    assert sorted(a.listener_name for a in p.attachments) == ["http", "web"]


def test_selector_admits_only_labelled_namespaces() -> None:
    state = build(
        BASE,
        route("in", "apps", "[{name: selected, namespace: infra}]", backends="[{name: web, port: 8080}]"),
        route("out", "other", "[{name: selected, namespace: infra}]", backends="[]"),
    )
    assert reasons(parent(state, "apps", "in")) == ACCEPTED
    assert parent(state, "other", "out").accepted.reason == "NotAllowedByListeners"


def test_selector_on_the_automatic_namespace_name_label() -> None:
    gw = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: by-name, namespace: infra}
spec:
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes:
      namespaces: {from: Selector, selector: {matchLabels: {kubernetes.io/metadata.name: apps}}}
"""
    state = build(BASE, gw, route("r", "apps", "[{name: by-name, namespace: infra}]", backends="[]"),
                  route("r", "other", "[{name: by-name, namespace: infra}]", backends="[]"))
    assert parent(state, "apps", "r").accepted.reason == "Accepted"
    assert parent(state, "other", "r").accepted.reason == "NotAllowedByListeners"


def test_httproute_on_a_tls_listener_is_not_allowed() -> None:
    state = build(BASE, route("r", "infra", "[{name: tls-only}]"))
    assert reasons(parent(state, "infra", "r")) == (("False", "NotAllowedByListeners"), ("True", "ResolvedRefs"))


def test_listed_kinds_restrict_the_protocol_defaults() -> None:
    gw = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: grpc-only, namespace: infra}
spec:
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{kind: GRPCRoute}]}}
"""
    state = build(BASE, gw, route("r", "infra", "[{name: grpc-only}]"),
                  route("g", "infra", "[{name: grpc-only}]", kind="GRPCRoute"))
    assert parent(state, "infra", "r").accepted.reason == "NotAllowedByListeners"
    assert parent(state, "infra", "g", kind="GRPCRoute").accepted.reason == "Accepted"


def test_tcp_and_udp_routes_follow_the_listener_protocol() -> None:
    gw = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: l4, namespace: infra}
spec:
  listeners:
  - {name: tcp, port: 9000, protocol: TCP}
"""
    state = build(BASE, gw, route("t", "infra", "[{name: l4}]", kind="TCPRoute"),
                  route("u", "infra", "[{name: l4}]", kind="UDPRoute"))
    assert reasons(parent(state, "infra", "t", kind="TCPRoute")) == ACCEPTED
    assert parent(state, "infra", "u", kind="UDPRoute").accepted.reason == "NotAllowedByListeners"


def test_hostname_intersection_with_wildcards() -> None:
    state = build(
        BASE,
        route("specific", "infra", "[{name: hosts}]", '[non.matching.com, "*.nonmatching.io", very.specific.com]'),
        route("under-wild", "infra", "[{name: hosts}]", "[foo.bar.wildcard.io]"),
        route("wild-on-specific", "infra", "[{name: hosts}]", '["*.specific.com"]'),
        route("wider-wild", "infra", "[{name: hosts}]", '["*.example.com"]'),
        route("none", "infra", "[{name: hosts}]", "[specific.but.wrong.com, wildcard.io]"),
    )
    by_name = {rs.name: rs.parents[0] for rs in route_statuses(state, "infra")}
    assert {a.listener_name: a.hostnames for a in by_name["specific"].attachments} == {
        "specific": ("very.specific.com",)}
    assert {a.listener_name: a.hostnames for a in by_name["under-wild"].attachments} == {
        "wild": ("foo.bar.wildcard.io",)}
    assert {a.listener_name: a.hostnames for a in by_name["wild-on-specific"].attachments} == {
        "specific": ("very.specific.com",)}
    assert {a.listener_name: a.hostnames for a in by_name["wider-wild"].attachments} == {
        "foo-wild": ("*.foo.example.com",)}
    assert reasons(by_name["none"]) == (("False", "NoMatchingListenerHostname"), ("True", "ResolvedRefs"))
    counts = {ls.name: ls.attached_routes for ls in
              listener_statuses(state, "Gateway", state.get("Gateway", "infra", "hosts"))}
    assert counts == {"specific": 2, "wild": 1, "foo-wild": 1}  # the refused route is not counted


def test_not_allowed_wins_over_hostnames_when_no_listener_admits_the_route() -> None:
    state = build(BASE, route("r", "apps", "[{name: hosts, namespace: infra}]", "[nothing.else.org]", backends="[]"))
    assert parent(state, "apps", "r").accepted.reason == "NotAllowedByListeners"


def test_section_name_or_port_that_matches_nothing() -> None:
    state = build(
        BASE,
        route("bad-section", "infra", "[{name: all, sectionName: nope}]"),
        route("bad-port", "infra", "[{name: all, port: 81}]"),
        route("section-port-mismatch", "infra", "[{name: all, sectionName: http, port: 8080}]"),
        route("by-port", "infra", "[{name: all, port: 8080}]"),
        route("by-section", "infra", "[{name: all, sectionName: web}]"),
    )
    for name in ("bad-section", "bad-port", "section-port-mismatch"):
        assert reasons(parent(state, "infra", name)) == (("False", "NoMatchingParent"), ("True", "ResolvedRefs")), name
    for name in ("by-port", "by-section"):
        p = parent(state, "infra", name)
        assert reasons(p) == ACCEPTED
        assert [a.listener_name for a in p.attachments] == ["web"]
    listeners = {ls.name: ls.attached_routes for ls in
                 listener_statuses(state, "Gateway", state.get("Gateway", "infra", "all"))}
    assert listeners == {"http": 0, "web": 2}


def test_parent_gateway_that_does_not_exist() -> None:
    state = build(BASE, route("r", "infra", "[{name: ghost}, {name: same}]"))
    rs = status_of(state, "HTTPRoute", "infra", "r")
    assert reasons(rs.parents[0]) == (("False", "NoMatchingParent"), ("True", "ResolvedRefs"))
    assert "ghost not found" in rs.parents[0].accepted.message
    assert reasons(rs.parents[1]) == ACCEPTED


def test_missing_backend_is_backend_not_found_and_route_stays_accepted() -> None:
    backends = "[{name: svc, port: 8080}, {name: gone, port: 80}]"
    state = build(BASE, route("r", "infra", "[{name: same}]", backends=backends))
    p = parent(state, "infra", "r")
    assert reasons(p) == (("True", "Accepted"), ("False", "BackendNotFound"))
    assert "backendRefs[1]" in p.resolved_refs.message


def test_backend_port_missing_on_the_service() -> None:
    state = build(BASE, route("r", "infra", "[{name: same}]", backends="[{name: svc, port: 9999}]"))
    assert parent(state, "infra", "r").resolved_refs.reason == "BackendNotFound"


def test_cross_namespace_backend_needs_a_reference_grant() -> None:
    r = route("r", "infra", "[{name: same}]", backends="[{name: web, namespace: apps, port: 8080}]")
    assert parent(build(BASE, r), "infra", "r").resolved_refs.reason == "RefNotPermitted"

    def grant(from_kind: str = "HTTPRoute", ns: str = "apps", to_name: str = "", from_ns: str = "infra") -> str:
        name = f", name: {to_name}" if to_name else ""
        return f"""
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {{name: g, namespace: {ns}}}
spec:
  from: [{{group: gateway.networking.k8s.io, kind: {from_kind}, namespace: {from_ns}}}]
  to: [{{group: "", kind: Service{name}}}]
"""
    assert reasons(parent(build(BASE, r, grant()), "infra", "r")) == ACCEPTED
    assert reasons(parent(build(BASE, r, grant(to_name="web")), "infra", "r")) == ACCEPTED
    for bad in (grant(from_kind="GRPCRoute"), grant(ns="infra"), grant(to_name="other"), grant(from_ns="other")):
        assert parent(build(BASE, r, bad), "infra", "r").resolved_refs.reason == "RefNotPermitted", bad


def test_unknown_backend_kind_is_invalid_kind_before_ref_not_permitted() -> None:
    backends = "[{group: unknown.example.com, kind: NonExistent, name: web, namespace: apps, port: 8080}]"
    state = build(BASE, route("r", "infra", "[{name: same}]", backends=backends))
    assert reasons(parent(state, "infra", "r")) == (("True", "Accepted"), ("False", "InvalidKind"))


def test_mirror_backend_is_a_reference_too() -> None:
    mirror = """
    filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: ghost, port: 80}}"""
    state = build(BASE, route("r", "infra", "[{name: same}]", extra_rule=mirror))
    assert parent(state, "infra", "r").resolved_refs.reason == "BackendNotFound"


def test_unsupported_path_type_in_every_rule_is_unsupported_value() -> None:
    bad = """
    matches: [{path: {type: Glob, value: /x}}]"""
    state = build(BASE, route("r", "infra", "[{name: same}]", extra_rule=bad))
    assert parent(state, "infra", "r").accepted.reason == "UnsupportedValue"
    good_and_bad = route("r2", "infra", "[{name: same}]", extra_rule=bad) + """  - backendRefs: []
"""
    assert parent(build(BASE, good_and_bad), "infra", "r2").accepted.reason == "Accepted"


def test_route_with_no_parent_refs_has_no_parents() -> None:
    state = build(BASE, route("r", "infra", "[]"))
    assert status_of(state, "HTTPRoute", "infra", "r").parents == ()


def test_conditions_ignore_status_written_in_the_object() -> None:
    r = route("r", "apps", "[{name: same, namespace: infra}]", backends="[]") + """status:
  parents:
  - parentRef: {name: same, namespace: infra}
    controllerName: acme.io/gw
    conditions: [{type: Accepted, status: "True", reason: Accepted}]
"""
    assert parent(build(BASE, r), "apps", "r").accepted.reason == "NotAllowedByListeners"


def test_v1alpha2_and_v1beta1_api_versions_are_read() -> None:
    v1 = "gateway.networking.k8s.io/v1"
    text = route("r", "infra", "[{name: same}]").replace(v1, v1 + "beta1")
    tls = route("t", "infra", "[{name: tls-only}]", kind="TLSRoute", backends="[{name: svc, port: 8080}]").replace(
        "gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1alpha2")
    state = build(BASE, text, tls)
    assert reasons(parent(state, "infra", "r")) == ACCEPTED
    assert reasons(parent(state, "infra", "t", kind="TLSRoute")) == ACCEPTED


def test_listener_certificate_refs_and_invalid_route_kinds() -> None:
    gw = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: secure, namespace: infra}
spec:
  listeners:
  - {name: own, port: 443, protocol: HTTPS, hostname: a.example.com,
     tls: {certificateRefs: [{name: a-cert}]}}
  - {name: foreign, port: 443, protocol: HTTPS, hostname: b.example.com,
     tls: {certificateRefs: [{name: b-cert, namespace: apps}]}}
  - {name: odd, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{kind: TCPRoute}, {kind: HTTPRoute}]}}
"""
    cert = """
apiVersion: v1
kind: Secret
metadata: {name: b-cert, namespace: apps}
type: kubernetes.io/tls
"""
    state = build(BASE, gw, cert)
    by_name = {ls.name: ls for ls in listener_statuses(state, "Gateway", state.get("Gateway", "infra", "secure"))}
    assert by_name["own"].resolved_refs.reason == "InvalidCertificateRef"  # Secret infra/a-cert is missing
    assert by_name["foreign"].resolved_refs.reason == "RefNotPermitted"
    assert by_name["odd"].resolved_refs.reason == "InvalidRouteKinds"
    assert by_name["odd"].supported_kinds == ("HTTPRoute",)


def test_mesh_route_on_a_service_parent() -> None:
    parents = '[{group: "", kind: Service, name: svc}, {group: "", kind: Service, name: nope}]'
    state = build(BASE, route("m", "infra", parents))
    rs = status_of(state, "HTTPRoute", "infra", "m")
    assert [p.accepted.reason for p in rs.parents] == ["Accepted", "NoMatchingParent"]
    assert rs.parents[0].ref.to_json()["group"] == ""
