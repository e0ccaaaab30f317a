"""Issue 11's wrong answers, each fixed where it is computed: a route-less wildcard listener is
no entry for a host, cross-namespace exposure is attributed to the backend's namespace, TLS has
its own ok/warn/fail/unknown, and EX003 names what exposes the Service and for which host."""

from __future__ import annotations

from ktui.analysis.exposure.entries import exposures, exposures_by_namespace
from ktui.analysis.exposure.tls import tls_state
from ktui.analysis.exposure.triage import triage
from ktui.analysis.findings.checks import findings
from tests.exposure.helpers import build, namespace, secret

GATEWAY = """
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: envoy}
spec: {controllerName: example.com/gateway}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: gw}
spec:
  gatewayClassName: envoy
  listeners:
  - {name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}
  - name: https
    port: 443
    protocol: HTTPS
    hostname: "*.example.com"
    allowedRoutes: {namespaces: {from: All}}
    tls: {certificateRefs: [{name: wildcard}]}
status: {addresses: [{value: 203.0.113.20}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: gw, sectionName: https}]
  hostnames: [api.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /pay}}]
    backendRefs: [{name: payments-api, namespace: payments, port: 8443}]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: shop-routes, namespace: payments}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
  to: [{group: "", kind: Service}]
---
apiVersion: v1
kind: Service
metadata: {name: payments-api, namespace: payments}
spec:
  selector: {app: payments-api}
  ports: [{name: https, port: 8443, targetPort: 8443}]
"""


def state(*extra: dict[str, object]):  # type: ignore[no-untyped-def]
    return build(GATEWAY, [namespace("gw"), namespace("shop"), namespace("payments"), *extra])


def test_a_listener_without_routes_is_no_entry_for_a_host() -> None:
    s = state(secret("gw", "wildcard", "*.example.com"))
    nowhere = triage(s, "nothere.example.com", live=True)
    assert not nowhere.found, [c.entry.source for c in nowhere.chains]
    api = triage(s, "api.example.com/pay", live=True)
    assert [c.entry.route for c in api.chains] == ["HTTPRoute shop/api"]
    # the listener is still an entry of the Gateway (it answers 404), a warning, not a failure
    assert any(e.listener_only and e.port == 80 for e in exposures(s))


def test_cross_namespace_exposure_is_seen_where_the_backend_lives() -> None:
    s = state()
    in_payments = exposures(s, "payments")
    assert [(e.host, e.route) for e in in_payments] == [("api.example.com", "HTTPRoute shop/api")]
    grouped = exposures_by_namespace(s)
    assert grouped["payments"] == grouped["shop"]
    assert triage(s, "api.example.com/pay", namespace="payments", live=True).found


def _api_entry(s):  # type: ignore[no-untyped-def]
    return next(e for e in exposures(s) if e.route == "HTTPRoute shop/api")


def test_tls_ok_when_the_secret_covers_the_host() -> None:
    s = state(secret("gw", "wildcard", "*.example.com"))
    assert tls_state(s, _api_entry(s), live=True).status == "ok"


def test_tls_fails_when_the_secret_is_missing_on_a_live_cluster() -> None:
    s = state(secret("gw", "unrelated"))
    st = tls_state(s, _api_entry(s), live=True)
    assert (st.status, st.obj) == ("fail", "Secret gw/wildcard")
    assert "not found" in st.reason


def test_tls_fails_when_the_certificate_does_not_cover_the_host() -> None:
    s = state(secret("gw", "wildcard", "www.example.org"))
    st = tls_state(s, _api_entry(s), live=True)
    assert st.status == "fail" and "do not cover api.example.com" in st.reason
    chain = triage(s, "api.example.com/pay", live=True).chains[0]
    assert next(lk for lk in chain.links if lk.name == "tls").status == "fail"


def test_tls_unknown_when_secrets_cannot_be_read() -> None:
    s = state()
    s.set_unseen("Secret", "forbidden (403)")
    st = tls_state(s, _api_entry(s), live=True)
    assert st.status == "unknown" and "forbidden" in st.reason
    chain = triage(s, "api.example.com/pay", live=True).chains[0]
    assert next(lk for lk in chain.links if lk.name == "tls").status == "warn"


def test_ex003_names_the_route_and_the_host() -> None:
    s = state(secret("gw", "wildcard", "*.example.com"))
    ex003 = [f for f in findings(s, complete=True) if f.code == "KTUI-EX003"]
    assert len(ex003) == 1, ex003
    assert "HTTPRoute shop/api (api.example.com)" in ex003[0].message
    assert ex003[0].severity.value in ("high", "HIGH")


def test_one_hand_written_endpointslice_does_not_make_every_other_service_broken() -> None:
    """From manifests (no pods), a Service without slices has unknown endpoints, not 0 ready."""
    from tests.exposure.helpers import endpoint_slice

    s = state(secret("gw", "wildcard", "*.example.com"), endpoint_slice("gw", "other", "http", 80, ["10.0.0.9"]))
    e = _api_entry(s)
    assert not e.backends[0].endpoints.known
    chain = triage(s, "api.example.com/pay").chains[0]
    assert next(lk for lk in chain.links if lk.name == "endpoints").status == "warn"


def test_ktui_triage_does_not_fail_a_host_on_a_listener_without_routes(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """`ktui triage nothere.example.com` exited 1 with "no route attached" from the *.example.com:80
    listener; now no entry answers it (exit 2), and the routed host has no such link."""
    from ktui.cli import main

    path = tmp_path / "gw.yaml"
    path.write_text(GATEWAY)
    code = main(["--manifests", str(path), "triage", "nothere.example.com"])
    out, err = capsys.readouterr()
    assert code == 2 and "no route attached" not in out + err
    main(["--manifests", str(path), "triage", "api.example.com/pay"])
    out, _ = capsys.readouterr()
    assert "no route attached" not in out and "HTTPRoute shop/api" in out
