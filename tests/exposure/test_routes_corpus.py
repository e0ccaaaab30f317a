"""Route conditions on the Gateway API project's own examples (shared corpus, one scenario at a time)."""

from __future__ import annotations

from ktui.analysis.exposure.routes import listener_statuses, route_statuses
from ktui.store import ClusterState
from tests.exposure.helpers import build, corpus_docs, find, yaml_docs

GW = "gateway-api-examples/"


def conditions(state: ClusterState) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(namespace, name) -> [(Accepted reason, ResolvedRefs reason) per parent]."""
    return {
        (rs.namespace, rs.name): [(p.accepted.reason, p.resolved_refs.reason) for p in rs.parents]
        for rs in route_statuses(state)
    }


def services(*refs: str) -> str:
    out = []
    for ref in refs:
        ns, name = ref.split("/")
        out.append(f"""---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec: {{selector: {{app: {name}}}, ports: [{{port: 8080}}]}}
""")
    return "".join(out)


CROSS_NS = [GW + f"standard__cross-namespace-routing__{n}.yaml"
            for n in ("0-namespaces", "gateway", "site-route", "store-route")]


def test_cross_namespace_routing_attaches_by_namespace_selector() -> None:
    state = build(corpus_docs(*CROSS_NS))
    got = conditions(state)
    assert got == {
        ("site-ns", "home"): [("Accepted", "BackendNotFound")],
        ("site-ns", "login"): [("Accepted", "BackendNotFound")],
        ("store-ns", "store"): [("Accepted", "BackendNotFound")],
    }
    gw = state.get("Gateway", "infra-ns", "shared-gateway")
    (listener,) = listener_statuses(state, "Gateway", gw)
    assert listener.attached_routes == 3
    assert listener.resolved_refs.reason == "InvalidCertificateRef"  # Secret foo-example-com is not in the corpus


def test_cross_namespace_routing_with_backends_and_a_namespace_without_access() -> None:
    stray = """
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: sneaky, namespace: no-external-access}
spec:
  parentRefs: [{name: shared-gateway, namespace: infra-ns}]
  rules: [{backendRefs: [{name: home, namespace: site-ns, port: 8080}]}]
"""
    svcs = services("site-ns/home", "site-ns/login-v1", "site-ns/login-v2", "store-ns/store")
    state = build(corpus_docs(*CROSS_NS), svcs, stray)
    got = conditions(state)
    assert got[("site-ns", "home")] == [("Accepted", "ResolvedRefs")]
    assert got[("site-ns", "login")] == [("Accepted", "ResolvedRefs")]
    assert got[("store-ns", "store")] == [("Accepted", "ResolvedRefs")]
    assert got[("no-external-access", "sneaky")] == [("NotAllowedByListeners", "RefNotPermitted")]
    # The hostname of the listener is what the routes (which name none) answer for.
    home = next(rs for rs in route_statuses(state) if rs.name == "home")
    assert home.parents[0].attachments[0].hostnames == ("foo.example.com",)


def test_http_route_attachment_strict_gateway_selects_the_route_namespace_by_name_label() -> None:
    docs = corpus_docs(GW + "standard__http-route-attachment__gateway-strict.yaml",
                       GW + "standard__http-route-attachment__httproute.yaml")
    state = build(docs, services("gateway-api-example-ns2/foo-svc"))
    assert conditions(state) == {("gateway-api-example-ns2", "my-route"): [("Accepted", "ResolvedRefs")]}


def test_http_route_attachment_to_a_gateway_wanting_a_label_the_namespace_lacks() -> None:
    docs = corpus_docs(GW + "standard__http-route-attachment__gateway-namespaces.yaml",
                       GW + "standard__http-route-attachment__httproute.yaml")
    find(docs, "HTTPRoute", "my-route")["spec"]["parentRefs"][0]["name"] = "prod-gateway"
    state = build(docs, services("gateway-api-example-ns2/foo-svc"))
    assert conditions(state) == {("gateway-api-example-ns2", "my-route"): [("NotAllowedByListeners", "ResolvedRefs")]}
    labelled = build(docs, services("gateway-api-example-ns2/foo-svc"), """
apiVersion: v1
kind: Namespace
metadata: {name: gateway-api-example-ns2, labels: {expose-apps: "true"}}
""")
    assert conditions(labelled) == {("gateway-api-example-ns2", "my-route"): [("Accepted", "ResolvedRefs")]}


def test_reference_grant_example_admits_httproutes_from_prod_only() -> None:
    routes = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: prod}
spec:
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: prod}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: backend, namespace: default, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: rpc, namespace: prod}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: backend, namespace: default, port: 8080}]}]
"""
    state = build(corpus_docs(GW + "standard__reference-grant.yaml"), routes, services("default/backend"))
    assert conditions(state) == {
        ("prod", "web"): [("Accepted", "ResolvedRefs")],
        ("prod", "rpc"): [("Accepted", "RefNotPermitted")],
    }
    without = build(routes, services("default/backend"))
    assert conditions(without)[("prod", "web")] == [("Accepted", "RefNotPermitted")]


def test_tls_certificate_in_another_namespace_needs_its_grant() -> None:
    docs = corpus_docs(GW + "standard__tls-cert-cross-namespace.yaml")
    cert = yaml_docs("""
apiVersion: v1
kind: Secret
metadata: {name: wildcard-example-com-cert, namespace: gateway-api-example-ns2}
type: kubernetes.io/tls
""")
    with_grant = build(docs, cert)
    gw = with_grant.get("Gateway", "gateway-api-example-ns1", "cross-namespace-tls-gateway")
    assert listener_statuses(with_grant, "Gateway", gw)[0].resolved_refs.reason == "ResolvedRefs"
    without = build([d for d in docs if d["kind"] != "ReferenceGrant"], cert)
    gw = without.get("Gateway", "gateway-api-example-ns1", "cross-namespace-tls-gateway")
    assert listener_statuses(without, "Gateway", gw)[0].resolved_refs.reason == "RefNotPermitted"


def test_listenerset_routes_attach_when_the_gateway_allows_the_listenerset() -> None:
    docs = corpus_docs(GW + "standard__listenerset__listenerset.yaml")
    route = """
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: first, namespace: team-1-ns}
spec:
  parentRefs: [{name: first-workload-listeners, kind: ListenerSet}]
  hostnames: [first.foo.com]
  rules: [{backendRefs: []}]
"""
    state = build(docs, route)
    (p,) = next(rs for rs in route_statuses(state) if rs.name == "first").parents
    assert (p.accepted.reason, [a.listener_name for a in p.attachments]) == ("Accepted", ["first"])
    # Without the namespace label the Gateway's allowedListeners selector no longer admits the set.
    for d in docs:
        if d["kind"] == "Namespace" and d["metadata"]["name"] == "team-1-ns":
            d["metadata"]["labels"] = {}
    refused = build(docs, route)
    (p,) = next(rs for rs in route_statuses(refused) if rs.name == "first").parents
    assert p.accepted.reason == "NoMatchingParent"
    assert "allowedListeners" in p.accepted.message


def test_simple_http_https_routes_attach_to_their_section() -> None:
    names = ("gateway", "foo-route", "bar-route", "tls-redirect-route")
    state = build(corpus_docs(*(GW + f"standard__simple-http-https__{n}.yaml" for n in names)))
    by_name = {rs.name: rs.parents for rs in route_statuses(state)}
    assert [a.listener_name for a in by_name["foo"][0].attachments] == ["https"]
    assert [a.listener_name for a in by_name["tls-redirect"][0].attachments] == ["http"]
    assert by_name["tls-redirect"][0].resolved_refs.reason == "ResolvedRefs"  # a redirect names no backend
    assert by_name["tls-redirect"][0].attachments[0].hostnames == ("foo.example.com", "bar.example.com")


def test_examples_with_their_own_gateway_attach_and_report_the_missing_backends() -> None:
    """Each file alone: routes that come with their Gateway attach; backends are not in the files."""
    from tests.exposure.helpers import REALISTIC

    got: dict[str, list[tuple[str, str, str]]] = {}
    for path in sorted((REALISTIC / "gateway-api-examples").glob("standard__*.yaml")):
        state = build(corpus_docs("gateway-api-examples/" + path.name))
        if state.count("Gateway"):
            for rs in route_statuses(state):
                for p in rs.parents:
                    assert [c.type for c in p.conditions()] == ["Accepted", "ResolvedRefs"]
                    got.setdefault(path.name, []).append((rs.name, p.accepted.reason, p.resolved_refs.reason))
    assert got["standard__basic-tcp.yaml"] == [("tcp-app-1", "Accepted", "BackendNotFound"),
                                               ("tcp-app-2", "Accepted", "BackendNotFound")]
    assert got["standard__basic-udp.yaml"] == [("udp-app-1", "Accepted", "BackendNotFound"),
                                               ("udp-app-2", "Accepted", "BackendNotFound")]
    assert got["standard__basic-grpc.yaml"] == [("grpc-app-1", "Accepted", "BackendNotFound")]
    # a CustomBackend (group acme.io) is not a Service: InvalidKind for a generic implementation
    assert got["standard__default-match-http.yaml"] == [("default-match-route", "Accepted", "InvalidKind")]
    # a redirect-only route resolves; its sibling names a Service that is not in the file
    assert got["standard__http-redirect.yaml"] == [("http-filter-1", "Accepted", "ResolvedRefs"),
                                                   ("http-filter-2", "Accepted", "BackendNotFound")]
