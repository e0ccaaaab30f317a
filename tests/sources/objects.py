"""Small API objects for the source tests, and a mixed set covering every served kind."""

from __future__ import annotations

from typing import Any

from ktui.apiserver import ApiServer

Obj = dict[str, Any]
GW = "gateway.networking.k8s.io"


def namespace(name: str, **labels: str) -> Obj:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def pod(name: str, ns: str = "shop", ip: str = "10.244.1.10", ready: bool = True, **labels: str) -> Obj:
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels or {"app": name},
                     "annotations": {"kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z"}},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27",
                                 "ports": [{"name": "http", "containerPort": 8080}]}],
                 "nodeName": "node-1"},
        "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                   "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]},
    }


def service(name: str, ns: str = "shop", selector: dict[str, str] | None = None) -> Obj:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
            "spec": {"selector": selector or {"app": name}, "clusterIP": "10.96.1.1",
                     "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}


def endpointslice(service_name: str, ns: str = "shop", ips: tuple[str, ...] = ("10.244.1.10",)) -> Obj:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"{service_name}-abcde", "namespace": ns,
                         "labels": {"kubernetes.io/service-name": service_name}},
            "addressType": "IPv4",
            "endpoints": [{"addresses": [ip], "conditions": {"ready": True}} for ip in ips],
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}


def deployment(name: str, ns: str = "shop", replicas: int = 2) -> Obj:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def policy(name: str, ns: str = "shop", app: str = "web", cidr: str = "10.0.0.0/8") -> Obj:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"podSelector": {"matchLabels": {"app": app}}, "policyTypes": ["Ingress", "Egress"],
                     "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "api"}}}],
                                  "ports": [{"port": 8080}]}],
                     "egress": [{"to": [{"ipBlock": {"cidr": cidr}}]}]}}


def ingress(name: str, ns: str = "shop", host: str = "shop.example.com") -> Obj:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name, "namespace": ns},
            "spec": {"ingressClassName": "nginx", "tls": [{"hosts": [host], "secretName": f"{name}-tls"}],
                     "rules": [{"host": host, "http": {"paths": [
                         {"path": "/", "pathType": "Prefix",
                          "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}


def ingress_class(name: str = "nginx") -> Obj:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": {"name": name, "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
            "spec": {"controller": "k8s.io/ingress-nginx"}}


def secret(name: str, ns: str = "shop", hosts: str = "shop.example.com") -> Obj:
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"name": name, "namespace": ns, "annotations": {"cert-manager.io/alt-names": hosts}},
            "data": {"tls.crt": "VE9QLVNFQ1JFVC1DRVJU", "tls.key": "VE9QLVNFQ1JFVC1LRVk="}}


def gateway_class(name: str = "envoy") -> Obj:
    return {"apiVersion": f"{GW}/v1", "kind": "GatewayClass", "metadata": {"name": name},
            "spec": {"controllerName": "gateway.envoyproxy.io/gatewayclass-controller"}}


def gateway(name: str = "public", ns: str = "infra") -> Obj:
    return {"apiVersion": f"{GW}/v1", "kind": "Gateway", "metadata": {"name": name, "namespace": ns},
            "spec": {"gatewayClassName": "envoy", "listeners": [
                {"name": "http", "port": 80, "protocol": "HTTP", "hostname": "*.example.com",
                 "allowedRoutes": {"namespaces": {"from": "All"}}}]}}


def http_route(name: str, ns: str = "shop", host: str = "api.example.com") -> Obj:
    return {"apiVersion": f"{GW}/v1", "kind": "HTTPRoute", "metadata": {"name": name, "namespace": ns},
            "spec": {"parentRefs": [{"name": "public", "namespace": "infra"}], "hostnames": [host],
                     "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]}}


def reference_grant(name: str = "from-shop", ns: str = "infra") -> Obj:
    return {"apiVersion": f"{GW}/v1beta1", "kind": "ReferenceGrant", "metadata": {"name": name, "namespace": ns},
            "spec": {"from": [{"group": GW, "kind": "HTTPRoute", "namespace": "shop"}],
                     "to": [{"group": "", "kind": "Service"}]}}


def mixed() -> list[Obj]:
    """A bit of everything, in two namespaces (plus a Gateway namespace)."""
    objs = [namespace("shop", team="storefront"), namespace("other"), namespace("infra"),
            ingress_class(), gateway_class(), gateway(), reference_grant()]
    for ns in ("shop", "other"):
        for i, app in enumerate(("web", "api", "db")):
            objs.append(pod(f"{app}-1", ns, ip=f"10.244.{1 if ns == 'shop' else 2}.{10 + i}", app=app))
            objs.append(service(app, ns))
            objs.append(endpointslice(app, ns, (f"10.244.{1 if ns == 'shop' else 2}.{10 + i}",)))
            objs.append(deployment(app, ns))
        objs += [policy("web", ns), ingress("shop", ns), secret("shop-tls", ns), http_route("api", ns)]
    return objs


def seed(server: ApiServer, objs: list[Obj] | None = None) -> None:
    server.apply_all(mixed() if objs is None else objs)
