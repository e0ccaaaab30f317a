"""EX001-EX009: a positive and a negative case for each exposure finding."""

from __future__ import annotations

from ktui.analysis.findings.catalogue import Severity
from tests.check.kit import (
    codes,
    deployment,
    gateway,
    httproute,
    ingress,
    ingress_class,
    namespace,
    of,
    pod,
    reference_grant,
    run,
    secret,
    service,
)

APP = [deployment("web"), service("web"), ingress_class("nginx", default=True)]


# ---------------------------------------------------------------- EX001 / EX002
def test_ex001_ingress_backend_missing():
    found = of(run([*APP, ingress("site", service_name="wbe")]), "KTUI-EX001")
    assert len(found) == 1 and "shop/wbe does not exist" in found[0].message
    assert found[0].severity is Severity.HIGH


def test_ex001_not_when_present_or_namespace_not_in_the_manifests():
    assert "KTUI-EX001" not in codes(run([*APP, ingress("site")]))
    assert "KTUI-EX001" not in codes(run([ingress_class("nginx", default=True), ingress("site", ns="empty")]))


def test_ex001_route_backend_missing():
    docs = [*APP, gateway(), httproute(backend="wbe")]
    found = of(run(docs), "KTUI-EX001")
    assert [str(f.object) for f in found] == ["HTTPRoute shop/route"] and "BackendNotFound" in found[0].message


def test_ex002_service_port_missing_number_and_name():
    by_number = of(run([*APP, ingress("site", port=8080)]), "KTUI-EX002")
    by_name = of(run([*APP, ingress("site", port="https")]), "KTUI-EX002")
    assert "no port 8080" in by_number[0].message and "no port https" in by_name[0].message


def test_ex002_not_when_the_port_exists():
    named = [deployment("web"), service("web", ports=[(80, 8080, "http")]), ingress_class("nginx", default=True),
             ingress("site", port="http")]
    assert "KTUI-EX002" not in codes(run(named))
    assert "KTUI-EX002" not in codes(run([*APP, gateway(), httproute(port=80)]))


def test_ex002_route_backend_port():
    found = of(run([*APP, gateway(), httproute(port=8443)]), "KTUI-EX002")
    assert len(found) == 1 and "no port 8443" in found[0].message


def test_ex002_named_target_port_no_pod_declares():
    bad = [deployment("web", ports=[("web", 8080)]), service("web", ports=[(80, "http")])]
    good = [deployment("web", ports=[("http", 8080)]), service("web", ports=[(80, "http")])]
    found = of(run(bad), "KTUI-EX002")
    assert [(str(f.object), f.detail) for f in found] == [("Service shop/web", "targetPort http")]
    assert "KTUI-EX002" not in codes(run(good))


# ---------------------------------------------------------------- EX003
def test_ex003_selector_matches_nothing_exposed_is_high():
    docs = [deployment("web"), service("web-lb", selector={"app": "wbe"}, type_="LoadBalancer")]
    found = of(run(docs), "KTUI-EX003")
    assert len(found) == 1 and found[0].severity is Severity.HIGH and "matches no pod" in found[0].message


def test_ex003_internal_service_is_medium_and_scaled_to_zero_counts():
    docs = [deployment("web", replicas=0), service("web")]
    found = of(run(docs), "KTUI-EX003")
    assert len(found) == 1 and found[0].severity is Severity.MEDIUM and "scaled to 0" in found[0].message


def test_ex003_not_when_a_workload_backs_it():
    assert "KTUI-EX003" not in codes(run([deployment("web", replicas=2), service("web")]))


def test_ex003_live_reads_endpoint_slices():
    def slice_(ready: bool) -> dict:
        return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
                "metadata": {"name": "web-x", "namespace": "shop", "labels": {"kubernetes.io/service-name": "web"}},
                "endpoints": [{"addresses": ["10.0.0.5"], "conditions": {"ready": ready}}],
                "ports": [{"port": 8080}]}

    base = [pod("web", ip="10.0.0.5"), service("web")]
    assert "KTUI-EX003" in codes(run([*base, slice_(False)], complete=True))
    assert "KTUI-EX003" not in codes(run([*base, slice_(True)], complete=True))


# ---------------------------------------------------------------- EX004
def test_ex004_ingress_tls_secret_missing():
    manifests = of(run([*APP, ingress("site", tls_secret="site-tls")]), "KTUI-EX004")
    live = of(run([*APP, ingress("site", tls_secret="site-tls")], complete=True), "KTUI-EX004")
    assert manifests[0].severity is Severity.MEDIUM and live[0].severity is Severity.HIGH


def test_ex004_not_when_present_or_issued_by_cert_manager():
    assert "KTUI-EX004" not in codes(run([*APP, secret("site-tls"), ingress("site", tls_secret="site-tls")]))
    managed = ingress("site", tls_secret="site-tls", annotations={"cert-manager.io/cluster-issuer": "le"})
    assert "KTUI-EX004" not in codes(run([*APP, managed]))


def test_ex004_gateway_certificate_missing():
    https = [{"name": "https", "port": 443, "protocol": "HTTPS", "hostname": "shop.example.com",
              "tls": {"certificateRefs": [{"name": "shop-cert"}]}}]
    assert "KTUI-EX004" in codes(run([gateway(listeners=https)]))
    assert "KTUI-EX004" not in codes(run([gateway(listeners=https), secret("shop-cert", ns="infra")]))


# ---------------------------------------------------------------- EX005 / EX006
def test_ex005_class_not_found_among_installed_classes():
    found = of(run([*APP, ingress("site", cls="nginx-internal")]), "KTUI-EX005")
    assert len(found) == 1 and found[0].severity is Severity.HIGH


def test_ex005_info_only_when_no_class_is_in_the_manifests():
    found = of(run([deployment("web"), service("web"), ingress("site", cls="nginx")]), "KTUI-EX005")
    assert found[0].severity is Severity.INFO
    assert "KTUI-EX005" not in codes(run([*APP, ingress("site", cls="nginx")]))


def test_ex006_no_class_and_no_default():
    docs = [deployment("web"), service("web"), ingress_class("nginx"), ingress("site", cls=None)]
    found = of(run(docs), "KTUI-EX006")
    assert len(found) == 1 and found[0].severity is Severity.HIGH


def test_ex006_several_defaults():
    docs = [deployment("web"), service("web"), ingress_class("a", default=True), ingress_class("b", default=True),
            ingress("site", cls=None)]
    assert "2 IngressClasses are marked default" in of(run(docs), "KTUI-EX006")[0].message


def test_ex006_not_with_one_default_or_the_legacy_annotation():
    assert "KTUI-EX006" not in codes(run([*APP, ingress("site", cls=None)]))
    legacy = ingress("site", cls=None, annotations={"kubernetes.io/ingress.class": "gce"})
    assert "KTUI-EX006" not in codes(run([deployment("web"), service("web"), ingress_class("x"), legacy]))


# ---------------------------------------------------------------- EX007 / EX008
def test_ex007_route_not_accepted_reasons():
    same_only = gateway(listeners=[{"name": "http", "port": 80, "protocol": "HTTP"}])
    wrong_section = httproute(parent={"name": "gw", "namespace": "infra", "sectionName": "https"})
    host = gateway(listeners=[{"name": "http", "port": 80, "protocol": "HTTP", "hostname": "a.example.com",
                               "allowedRoutes": {"namespaces": {"from": "All"}}}])
    cases = [
        ([same_only, httproute()], "NotAllowedByListeners"),
        ([gateway(), wrong_section], "NoMatchingParent"),
        ([host, httproute(hostnames=["b.example.com"])], "NoMatchingListenerHostname"),
    ]
    for docs, reason in cases:
        found = of(run([*APP, *docs]), "KTUI-EX007")
        assert len(found) == 1 and reason in found[0].message, reason


def test_ex007_not_for_accepted_routes_or_gateways_outside_the_manifests():
    assert "KTUI-EX007" not in codes(run([*APP, gateway(), httproute()]))
    assert "KTUI-EX007" not in codes(run([*APP, httproute()]))  # no Gateway in view at all


def test_ex008_cross_namespace_backend_without_grant():
    docs = [namespace("shop"), deployment("web", ns="backend"), service("web", ns="backend"), gateway(),
            httproute(backend="web", backend_ns="backend")]
    found = of(run(docs), "KTUI-EX008")
    assert len(found) == 1 and "RefNotPermitted" in found[0].message
    granted = [*docs, reference_grant("backend", "HTTPRoute", "shop")]
    assert "KTUI-EX008" not in codes(run(granted))


def test_ex008_gateway_certificate_in_another_namespace():
    https = [{"name": "https", "port": 443, "protocol": "HTTPS",
              "tls": {"certificateRefs": [{"name": "cert", "namespace": "certs"}]}}]
    docs = [gateway(listeners=https), secret("cert", ns="certs")]
    assert "KTUI-EX008" in codes(run(docs))
    assert "KTUI-EX008" not in codes(run([*docs, reference_grant("certs", "Gateway", "infra", "Secret")]))


# ---------------------------------------------------------------- EX009
def test_ex009_retired_ingress_nginx_class_and_controller():
    docs = [ingress_class("nginx", controller="k8s.io/ingress-nginx"),
            deployment("ingress-nginx-controller", ns="ingress-nginx",
                       labels={"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"})]
    found = of(run(docs), "KTUI-EX009")
    assert sorted(str(f.object) for f in found) == [
        "Deployment ingress-nginx/ingress-nginx-controller", "IngressClass nginx"]


def test_ex009_controller_by_its_chart_name():
    docs = [deployment("ingress-nginx-controller", ns="ingress", labels={"app": "edge"})]
    found = of(run(docs), "KTUI-EX009")
    assert [str(f.object) for f in found] == ["Deployment ingress/ingress-nginx-controller"]
    assert "workload name ingress-nginx-controller" in found[0].message


def test_ex009_not_for_other_nginx_controllers():
    docs = [ingress_class("nginx", controller="nginx.org/ingress-controller"),
            deployment("nginx-ingress", ns="nginx", labels={"app.kubernetes.io/name": "nginx-ingress"})]
    assert "KTUI-EX009" not in codes(run(docs))


def test_ex009_controller_by_its_image():
    dep = deployment("edge", ns="edge", labels={"app": "edge"})
    dep["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.k8s.io/ingress-nginx/controller:v1.12.1"
    found = of(run([dep]), "KTUI-EX009")
    assert [str(f.object) for f in found] == ["Deployment edge/edge"]
    assert "image ingress-nginx/controller" in found[0].message and "label" not in found[0].message
    dep["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx/nginx-ingress:4.0"
    assert "KTUI-EX009" not in codes(run([dep]))
