"""Exposed entries from Ingress, Services and Gateway API, on the corpus and small cases."""

from __future__ import annotations

from ktui.analysis.exposure.entries import Exposure, exposures, exposures_by_namespace
from ktui.analysis.exposure.hostnames import ANY_HOST
from ktui.analysis.exposure.ingress import resolve_ingress_class
from ktui.store import ClusterState
from tests.exposure.helpers import build, corpus_docs, drop, find, yaml_docs

ING = "ingress-examples/ingress-nginx__"
BOUTIQUE = "online-boutique/"


def by_host(entries: list[Exposure]) -> dict[tuple[str, str], Exposure]:
    return {(e.host, e.path): e for e in entries}


def test_online_boutique_with_its_gateway_variant() -> None:
    docs = drop(corpus_docs(BOUTIQUE + "app.yaml"), "Service", "frontend-external")
    state = build(docs, corpus_docs(BOUTIQUE + "gateway-istio.yaml"))
    (e,) = exposures(state)
    assert (e.namespace, e.host, e.port, e.path, e.path_type, e.protocol) == ("boutique", ANY_HOST, 80, "/",
                                                                              "PathPrefix", "HTTP")
    assert e.route == "HTTPRoute boutique/frontend-route"
    assert e.listener == "Gateway boutique/istio-gateway listener http"
    assert e.klass is not None and (e.klass.name, e.klass.exists) == ("istio", False)
    (b,) = e.backends
    assert (b.name, b.port, b.target_port, b.pods_from) == ("frontend", "80", 8080, "templates")
    assert [str(p) for p in b.pods] == ["Deployment boutique/frontend"]
    assert not b.endpoints.known  # manifests: no EndpointSlices


def test_online_boutique_load_balancer_without_status_is_pending() -> None:
    state = build(corpus_docs(BOUTIQUE + "app.yaml"))
    (e,) = exposures(state)
    assert (e.source, e.host, e.port, e.addresses) == ("Service boutique/frontend-external", "<pending>", 80, ())
    assert e.backends[0].target_port == 8080


def test_ingress_class_resolution() -> None:
    cls = corpus_docs(ING + "user-guide__k8s-122-migration__ingressclass.yaml")  # nginx, default
    legacy = corpus_docs(ING + "user-guide__basic-usage.legacy-v1beta1.yaml")
    state = build(cls, legacy)
    a = resolve_ingress_class(state, state.get("Ingress", "default", "ingress-myservicea"))
    b = resolve_ingress_class(state, state.get("Ingress", "default", "ingress-myserviceb"))
    assert (a.name, a.how, a.controller, a.problem) == ("nginx", "spec.ingressClassName", "k8s.io/ingress-nginx", "")
    assert (b.name, b.controller) == ("nginx", "k8s.io/ingress-nginx")
    assert b.how.startswith("annotation kubernetes.io/ingress.class")
    # without any class on the Ingress, the default IngressClass applies
    bare = yaml_docs("""
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bare}
spec: {defaultBackend: {service: {name: x, port: {number: 80}}}}
""")
    got = resolve_ingress_class(build(cls, bare), build(cls, bare).get("Ingress", "default", "bare"))
    assert (got.name, got.how) == ("nginx", "default IngressClass")
    second = yaml_docs("""
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
spec: {controller: traefik.io/ingress-controller}
""")
    state = build(cls, second, bare)
    got = resolve_ingress_class(state, state.get("Ingress", "default", "bare"))
    assert got.name == "" and "several default IngressClasses (nginx, traefik)" in got.problem
    state = build(bare)
    got = resolve_ingress_class(state, state.get("Ingress", "default", "bare"))
    assert got.name == "" and "no default IngressClass" in got.problem


def test_ingress_class_that_does_not_exist() -> None:
    state = build(corpus_docs(ING + "examples__tls-termination__ingress.yaml"))
    e = exposures(state)[0]
    assert e.klass is not None and (e.klass.name, e.klass.exists) == ("nginx", False)
    assert e.klass.problem == "IngressClass nginx not found"


def test_legacy_v1beta1_ingress_backends_are_converted() -> None:
    state = build(corpus_docs(ING + "user-guide__basic-usage.legacy-v1beta1.yaml"))
    got = {(e.host, e.backends[0].name, e.backends[0].port, e.path_type) for e in exposures(state)}
    assert got == {("myservicea.foo.org", "myservicea", "80", "ImplementationSpecific"),
                   ("myserviceb.foo.org", "myserviceb", "80", "ImplementationSpecific")}


def test_tls_entry_without_hosts_covers_the_catch_all_rule() -> None:
    state = build(corpus_docs(ING + "examples__static-ip__nginx-ingress.yaml", ING + "examples__http-svc.yaml"))
    (e,) = exposures(state)
    assert (e.host, e.tls, e.port, e.protocol) == (ANY_HOST, True, 443, "HTTPS")
    assert [(c.name, c.reason) for c in e.certs] == [("tls-secret", "InvalidCertificateRef")]
    assert e.backends[0].target_port == 8080 and e.backends[0].pods_from == "templates"


def test_multi_tls_hosts_get_their_own_secret() -> None:
    state = build(corpus_docs(ING + "examples__multi-tls__multi-tls.yaml"))
    entries = by_host(exposures(state))
    assert [c.name for c in entries[("foo.bar.com", "/")].certs] == ["foobar"]
    assert [c.name for c in entries[("bar.baz.com", "/")].certs] == ["barbaz"]
    # the ReplicationController templates stand in for pods
    assert [str(p) for p in entries[("bar.baz.com", "/")].backends[0].pods] == ["ReplicationController default/nginx"]


def test_default_backend_only_ingress_with_legacy_gce_class() -> None:
    state = build(corpus_docs(BOUTIQUE + "ingress-gke-https-frontend-domain.yaml", BOUTIQUE + "app.yaml"))
    (e,) = [e for e in exposures(state) if e.family == "Ingress"]
    assert (e.host, e.default_backend, e.rule) == (ANY_HOST, True, "spec.defaultBackend")
    assert e.klass is not None and e.klass.name == "gce" and e.klass.how.startswith("annotation")
    assert e.backends[0].name == "frontend"


def test_resource_backend_is_not_followed() -> None:
    state = build("""
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: static}
spec:
  rules:
  - host: assets.example.com
    http:
      paths:
      - path: /icons
        pathType: Exact
        backend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: icon-assets}}
""")
    (e,) = exposures(state)
    (b,) = e.backends
    assert (b.kind, b.name, b.exists) == ("StorageBucket", "icon-assets", False)
    assert "resource backend" in b.problem


def test_canary_ingresses_share_a_host() -> None:
    state = build(corpus_docs(ING + "examples__canary.yaml"))
    entries = exposures(state)
    assert sorted(e.source for e in entries) == ["Ingress default/canary", "Ingress default/production"]
    canary = next(e for e in entries if e.source.endswith("canary"))
    assert "nginx.ingress.kubernetes.io/canary-weight=50" in canary.notes


def test_regex_paths_are_marked() -> None:
    state = build(corpus_docs(ING + "user-guide__ingress-path-matching.yaml"))
    # use-regex (or rewrite-target) on one Ingress of test.com makes every path of the host a regex
    assert {e.path: e.regex for e in exposures(state)} == {
        "/foo/.*": True, "/foo/bar": True, "/foo/bar/": True, "/foo/bar/(.+)": True, "/foo/bar/bar": True,
        "/foo/bar/[A-Z0-9]{3}": True}
    other = yaml_docs("""
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: plain}
spec:
  ingressClassName: nginx
  rules: [{host: other.com, http: {paths: [{path: /foo, pathType: Prefix,
           backend: {service: {name: s, port: {number: 80}}}}]}}]
""")
    state = build(corpus_docs(ING + "user-guide__ingress-path-matching.yaml"), other)
    assert {e.host: e.regex for e in exposures(state)}["other.com"] is False
    traefik = yaml_docs("""
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: traefik.io/ingress-controller}
""")
    state = build(corpus_docs(ING + "user-guide__ingress-path-matching.yaml"), traefik)
    assert not any(e.regex for e in exposures(state))  # the annotations are ingress-nginx's only


def test_load_balancer_node_port_and_external_ips() -> None:
    state = build(corpus_docs(ING + "examples__static-ip__static-ip-svc.yaml"), """
apiVersion: v1
kind: Service
metadata: {name: np, namespace: web}
spec:
  type: NodePort
  selector: {app: np}
  ports: [{port: 80, nodePort: 30080}]
  externalIPs: [198.51.100.7]
---
apiVersion: v1
kind: Node
metadata: {name: n1}
status: {addresses: [{type: InternalIP, address: 10.1.0.1}, {type: ExternalIP, address: 203.0.113.5}]}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
status: {addresses: [{type: InternalIP, address: 10.1.0.2}]}
""")
    entries = exposures_by_namespace(state)
    lb = entries["default"]
    assert {(e.host, e.port, e.address_source) for e in lb} == {
        ("104.154.109.191", 80, "loadBalancerIP (requested)"), ("104.154.109.191", 443, "loadBalancerIP (requested)")}
    web = {(e.host, e.port): e for e in entries["web"]}
    assert web[("<every node>", 30080)].addresses == ("203.0.113.5", "10.1.0.2")
    assert web[("198.51.100.7", 80)].backends[0].name == "np"


def test_gateway_listener_without_routes_is_an_entry_with_its_problem() -> None:
    state = build(corpus_docs("gateway-api-examples/standard__tls-basic.yaml"))
    entries = exposures(state)
    assert entries and all(e.problem == "no route attached to this listener" for e in entries)
    assert all(e.tls and not e.backends for e in entries)


def test_refused_routes_only_with_include_unattached() -> None:
    docs = corpus_docs("gateway-api-examples/standard__http-route-attachment__gateway-namespaces.yaml",
                       "gateway-api-examples/standard__http-route-attachment__httproute.yaml")
    find(docs, "HTTPRoute", "my-route")["spec"]["parentRefs"][0]["name"] = "prod-gateway"
    state: ClusterState = build(docs)
    assert all(e.attached for e in exposures(state))
    refused = [e for e in exposures(state, include_unattached=True) if not e.attached]
    assert len(refused) == 1 and "NotAllowedByListeners" in refused[0].problem
    assert refused[0].namespace == "gateway-api-example-ns2"


def test_namespace_filter() -> None:
    docs = drop(corpus_docs(BOUTIQUE + "app.yaml"), "Service", "frontend-external")
    state = build(docs, corpus_docs(BOUTIQUE + "gateway-istio.yaml"), corpus_docs(ING + "examples__canary.yaml"))
    assert {e.namespace for e in exposures(state, "boutique")} == {"boutique"}
    assert len(exposures(state, "default")) == 2
