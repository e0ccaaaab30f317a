"""The triage chain: a healthy live-like baseline, then every link broken on its own.

Ingress baseline: the ingress-nginx TLS termination example (foo.bar.com -> http-svc:80) with its
http-svc backend and the nginx IngressClass from the corpus, plus what a live cluster adds:
the Ingress address, a ready pod and EndpointSlice, the controller pod, the TLS Secret.
Gateway baseline: the Gateway API basic-http example with the same additions.
"""

from __future__ import annotations

import copy
from typing import Any

from ktui.analysis.exposure.triage import Chain, Triage, parse_target, triage
from tests.exposure.helpers import (
    build,
    corpus_docs,
    drop,
    endpoint_slice,
    find,
    namespace,
    pod,
    secret,
    yaml_docs,
)

ING = "ingress-examples/ingress-nginx__"
ORDER = ("class", "address", "match", "service", "port", "selector", "endpoints", "netpol", "tls")


def ingress_baseline() -> list[dict[str, Any]]:
    docs = corpus_docs(ING + "examples__http-svc.yaml", ING + "examples__tls-termination__ingress.yaml",
                       ING + "user-guide__k8s-122-migration__ingressclass.yaml")
    find(docs, "Ingress", "nginx-test")["status"] = {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}
    docs += [
        namespace("default"), namespace("ingress-nginx"),
        pod("default", "http-svc-7d9f-abcde", {"app": "http-svc"}, "10.0.0.5", (8080,), owner="http-svc-7d9f"),
        endpoint_slice("default", "http-svc", "http", 8080, ["10.0.0.5"]),
        pod("ingress-nginx", "ingress-nginx-controller-1", {"app.kubernetes.io/name": "ingress-nginx"}, "10.0.1.2",
            (80, 443)),
        secret("default", "tls-secret", "foo.bar.com"),
    ]
    return docs


def only_chain(t: Triage) -> Chain:
    assert len(t.chains) == 1, [c.entry.source for c in t.chains]
    return t.chains[0]


def statuses(c: Chain) -> dict[str, str]:
    return {lk.name: lk.status for lk in c.links}


def not_ok(c: Chain) -> dict[str, str]:
    return {lk.name: lk.status for lk in c.links if lk.status != "ok"}


def link(c: Chain, name: str) -> Any:
    return next(lk for lk in c.links if lk.name == name)


def run(docs: list[dict[str, Any]], target: str = "foo.bar.com/") -> Chain:
    return only_chain(triage(build(docs), target))


def test_parse_target() -> None:
    assert parse_target("Foo.Bar.com/x/y?q=1") == ("foo.bar.com", "/x/y")
    assert parse_target("https://foo.bar.com:8443") == ("foo.bar.com", "/")


def test_ingress_baseline_is_healthy_link_by_link() -> None:
    c = run(ingress_baseline(), "foo.bar.com/anything")
    assert [lk.name for lk in c.links] == list(ORDER)
    assert not_ok(c) == {}
    assert link(c, "netpol").reason.startswith("allowed from the controller (pods labelled app.kubernetes.io/name=")
    assert link(c, "tls").obj == "Secret default/tls-secret"


def test_class_missing() -> None:
    c = run(drop(ingress_baseline(), "IngressClass", "nginx"))
    assert not_ok(c) == {"class": "fail"}
    assert link(c, "class").reason == "IngressClass nginx not found"


def test_address_missing() -> None:
    docs = ingress_baseline()
    del find(docs, "Ingress", "nginx-test")["status"]
    c = run(docs)
    assert not_ok(c) == {"address": "fail"}


def test_no_rule_matches_the_host_or_path() -> None:
    state = build(ingress_baseline())
    assert not triage(state, "other.example.com/").found
    docs = ingress_baseline()
    find(docs, "Ingress", "nginx-test")["spec"]["rules"][0]["http"]["paths"][0].update(path="/api", pathType="Exact")
    state = build(docs)
    assert not triage(state, "foo.bar.com/api/v1").found
    assert not_ok(only_chain(triage(state, "foo.bar.com/api"))) == {}


def test_service_missing() -> None:
    c = run(drop(ingress_baseline(), "Service", "http-svc"))
    assert not_ok(c) == {"service": "fail"}
    assert [lk.name for lk in c.links] == ["class", "address", "match", "service", "tls"]


def test_port_missing_by_number_and_by_name() -> None:
    docs = ingress_baseline()
    find(docs, "Ingress", "nginx-test")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] = {
        "number": 8080}
    c = run(docs)
    assert not_ok(c) == {"port": "fail"}
    assert "has no port 8080 (ports: 80/http)" in link(c, "port").reason
    find(docs, "Ingress", "nginx-test")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] = {
        "name": "http"}
    assert not_ok(run(docs)) == {}


def test_named_target_port_missing_on_the_pods() -> None:
    docs = ingress_baseline()
    find(docs, "Service", "http-svc")["spec"]["ports"][0]["targetPort"] = "web"
    assert not_ok(run(docs)) == {"port": "fail"}


def test_selector_picks_no_pods() -> None:
    docs = ingress_baseline()
    find(docs, "Service", "http-svc")["spec"]["selector"] = {"app": "nothing"}
    c = run(docs)
    assert not_ok(c) == {"selector": "fail"}
    assert "netpol" not in statuses(c)


def test_no_ready_endpoints() -> None:
    docs = ingress_baseline()
    docs = [*drop(docs, "EndpointSlice", "http-svc-abcde"),
            endpoint_slice("default", "http-svc", "http", 8080, ["10.0.0.5"], ready=False)]
    c = run(docs)
    assert not_ok(c) == {"endpoints": "fail"}
    assert link(c, "endpoints").reason == "0 ready endpoints (1 not ready)"


def test_endpoints_unknown_in_manifests_without_endpoint_slices() -> None:
    docs = drop(drop(ingress_baseline(), "EndpointSlice", "http-svc-abcde"), "Pod", "http-svc-7d9f-abcde")
    c = run(docs)
    assert not_ok(c) == {"endpoints": "warn"}
    assert "unknown" in link(c, "endpoints").reason
    assert "(from the template)" in link(c, "selector").reason


DENY_ALL = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: default}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""
FROM_CONTROLLER = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-ingress-nginx, namespace: default}
spec:
  podSelector: {matchLabels: {app: http-svc}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
    ports: [{port: 8080}]
"""


def test_network_policy_blocks_the_controller() -> None:
    c = run(ingress_baseline() + yaml_docs(DENY_ALL))
    assert not_ok(c) == {"netpol": "fail"}
    assert link(c, "netpol").obj == "NetworkPolicy default/deny-all"
    c = run(ingress_baseline() + yaml_docs(DENY_ALL) + yaml_docs(FROM_CONTROLLER))
    assert not_ok(c) == {}
    wrong_port = FROM_CONTROLLER.replace("port: 8080", "port: 80")
    assert not_ok(run(ingress_baseline() + yaml_docs(DENY_ALL) + yaml_docs(wrong_port))) == {"netpol": "fail"}


def test_network_policy_when_the_controller_pods_are_not_found() -> None:
    base = drop(ingress_baseline(), "Pod", "ingress-nginx-controller-1")
    c = run(base + yaml_docs(FROM_CONTROLLER))
    # an unknown pod elsewhere is denied, but a rule admits the port: it may be the controller's
    assert not_ok(c) == {"netpol": "warn"}
    assert "controller's pods were not found" in link(c, "netpol").reason
    assert not_ok(run(base + yaml_docs(DENY_ALL))) == {"netpol": "fail"}  # nothing admits the port at all
    assert not_ok(run(base)) == {}


def test_tls_secret_missing_or_not_covering_the_host() -> None:
    c = run(drop(ingress_baseline(), "Secret", "tls-secret"))
    assert not_ok(c) == {"tls": "fail"}
    docs = [*drop(ingress_baseline(), "Secret", "tls-secret"), secret("default", "tls-secret", "other.example.com")]
    c = run(docs)
    assert not_ok(c) == {"tls": "fail"}
    assert "do not cover foo.bar.com" in link(c, "tls").reason
    docs = [*drop(ingress_baseline(), "Secret", "tls-secret"), secret("default", "tls-secret")]
    assert not_ok(run(docs)) == {}  # names unknown without cert-manager annotations: not a failure


def test_canary_shows_both_chains() -> None:
    t = triage(build(corpus_docs(ING + "examples__canary.yaml")), "echo.prod.mydomain.com/")
    assert sorted(c.entry.source for c in t.chains) == ["Ingress default/canary", "Ingress default/production"]


def test_longest_path_and_exact_precedence() -> None:
    state = build(corpus_docs(ING + "user-guide__ingress-path-matching.yaml"))
    # As the ingress-nginx page warns: use-regex on one Ingress of test.com makes every path of the
    # host a case-insensitive regex, tried longest first, so /foo/bar/bar goes to [A-Z0-9]{3}.
    chains = triage(state, "test.com/foo/bar/bar").chains
    assert [c.entry.path for c in chains] == ["/foo/bar/[A-Z0-9]{3}"]
    # and "/foo/bar/" (a regex now) no longer matches /foo/bar: "/foo/bar" does
    t = triage(state, "test.com/foo/bar")
    assert [c.entry.backends[0].name for c in t.chains] == ["service1"]
    exact = yaml_docs("""
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: e}
spec:
  ingressClassName: nginx
  rules:
  - host: a.io
    http:
      paths:
      - {path: /x, pathType: Prefix, backend: {service: {name: p, port: {number: 80}}}}
      - {path: /x, pathType: Exact, backend: {service: {name: e, port: {number: 80}}}}
""")
    t = triage(build(exact), "a.io/x")
    assert [c.entry.backends[0].name for c in t.chains] == ["e"]
    assert [c.entry.backends[0].name for c in triage(build(exact), "a.io/x/y").chains] == ["p"]


def test_precise_host_beats_wildcard_host() -> None:
    docs = yaml_docs("""
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: w}
spec:
  ingressClassName: nginx
  rules:
  - host: "*.shop.io"
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: wild, port: {number: 80}}}}]}
  - host: cart.shop.io
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: cart, port: {number: 80}}}}]}
""")
    state = build(docs)
    assert [c.entry.backends[0].name for c in triage(state, "cart.shop.io/").chains] == ["cart"]
    assert [c.entry.backends[0].name for c in triage(state, "www.shop.io/").chains] == ["wild"]
    assert not triage(state, "a.b.shop.io/").found  # Ingress wildcards cover one label


def gateway_baseline() -> list[dict[str, Any]]:
    docs = corpus_docs("gateway-api-examples/standard__basic-http.yaml")
    find(docs, "Gateway", "my-gateway")["status"] = {"addresses": [{"type": "IPAddress", "value": "192.0.2.8"}]}
    docs += yaml_docs("""
apiVersion: v1
kind: Service
metadata: {name: my-service1, namespace: default}
spec: {selector: {app: one}, ports: [{name: http, port: 8080, targetPort: 8080}]}
""")
    docs += [
        pod("default", "one-1", {"app": "one"}, "10.0.2.1", (8080,)),
        endpoint_slice("default", "my-service1", "http", 8080, ["10.0.2.1"]),
        pod("default", "my-gateway-dp", {"gateway.networking.k8s.io/gateway-name": "my-gateway"}, "10.0.2.9"),
    ]
    return docs


def test_gateway_baseline_is_healthy() -> None:
    c = run(gateway_baseline(), "foo.com/bar/baz")
    assert [lk.name for lk in c.links] == list(ORDER[:-1])
    assert not_ok(c) == {}
    assert "gateway.networking.k8s.io/gateway-name=my-gateway" in link(c, "netpol").reason


def test_gateway_class_missing() -> None:
    c = run(drop(gateway_baseline(), "GatewayClass", "example"), "foo.com/bar")
    assert not_ok(c) == {"class": "fail"}


def test_gateway_route_refused_fails_the_match_link() -> None:
    docs = gateway_baseline()
    route = find(docs, "HTTPRoute", "http-app-1")
    route["spec"]["parentRefs"][0]["sectionName"] = "https"
    t = triage(build(docs), "foo.com/bar")
    # one chain: the refused route; the listener left with no route is no entry for the host
    refused = only_chain(t)
    assert refused.entry.route
    assert not_ok(refused) == {"match": "fail"}
    assert "NoMatchingParent" in link(refused, "match").reason
    fenced = copy.deepcopy(gateway_baseline())
    find(fenced, "Gateway", "my-gateway")["spec"]["listeners"][0]["allowedRoutes"] = {
        "namespaces": {"from": "Selector", "selector": {"matchLabels": {"team": "edge"}}}}
    refused = next(c for c in triage(build(fenced), "foo.com/bar").chains if c.entry.route)
    assert not_ok(refused) == {"match": "fail"}
    assert "NotAllowedByListeners" in link(refused, "match").reason


def test_gateway_backend_in_another_namespace_without_grant() -> None:
    docs = gateway_baseline()
    ref = find(docs, "HTTPRoute", "http-app-1")["spec"]["rules"][0]["backendRefs"][0]
    ref["namespace"] = "other"
    c = run(docs, "foo.com/bar")
    assert not_ok(c) == {"service": "fail"}
    assert link(c, "service").reason.startswith("RefNotPermitted")


def test_gateway_host_mismatch_is_not_found() -> None:
    state = build(gateway_baseline())
    assert not triage(state, "bar.com/bar").found
    assert not triage(state, "foo.com/elsewhere").found


def test_load_balancer_service_from_anywhere() -> None:
    docs = corpus_docs("online-boutique/app.yaml") + yaml_docs("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: boutique}
spec: {podSelector: {}, policyTypes: [Ingress]}
""")
    state = build(docs)
    assert not triage(state, "frontend-external/").found  # the LB has no address yet
    svc = find(docs, "Service", "frontend-external")
    svc["status"] = {"loadBalancer": {"ingress": [{"ip": "198.51.100.20"}]}}
    c = only_chain(triage(build(docs), "198.51.100.20/"))
    assert statuses(c)["netpol"] == "fail" and "from any external address" in link(c, "netpol").reason
    assert "class" not in statuses(c)


def test_redirect_rule_needs_no_backend() -> None:
    names = ("gateway", "foo-route", "tls-redirect-route")
    state = build(corpus_docs(*(f"gateway-api-examples/standard__simple-http-https__{n}.yaml" for n in names)))
    chains = {c.entry.port: c for c in triage(state, "foo.example.com/orders/1").chains}
    assert sorted(chains) == [80, 443]
    redirect = chains[80]
    assert link(redirect, "service").status == "ok"
    assert link(redirect, "service").reason == "the rule answers with a redirect (scheme https, port 443)"
    assert chains[443].entry.path == "/orders"  # the longest PathPrefix of the route wins
    assert link(chains[443], "service").reason == "Service default/foo-orders-app not found"
