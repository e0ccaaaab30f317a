"""Small manifest builders for the findings tests: each returns the dict a YAML document would hold."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ktui.analysis.findings.catalogue import Finding
from ktui.analysis.findings.checks import findings
from tests.conftest import state_from

Doc = dict[str, Any]


def namespace(name: str, **labels: str) -> Doc:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def _container(ports: Iterable[tuple[str, int] | tuple[str, int, str]], name: str = "app") -> Doc:
    out = []
    for p in ports:
        entry: Doc = {"name": p[0], "containerPort": p[1]}
        if len(p) > 2:
            entry["protocol"] = p[2]  # type: ignore[misc]
        out.append(entry)
    return {"name": name, "image": "x", "ports": out}


def deployment(name: str, ns: str = "shop", labels: dict[str, str] | None = None,
               ports: Iterable[tuple[str, int] | tuple[str, int, str]] = (), replicas: int | None = None,
               host_network: bool = False, containers: list[Doc] | None = None, kind: str = "Deployment") -> Doc:
    labels = labels or {"app": name}
    spec: Doc = {"selector": {"matchLabels": labels}, "template": {
        "metadata": {"labels": labels},
        "spec": {"containers": containers or [_container(ports)], "hostNetwork": host_network},
    }}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": ns}, "spec": spec}


def pod(name: str, ns: str = "shop", labels: dict[str, str] | None = None, ip: str | None = None,
        ready: bool = True, ports: Iterable[tuple[str, int] | tuple[str, int, str]] = (),
        containers: list[Doc] | None = None, owner: tuple[str, str] | None = None,
        service_account: str | None = None, host_network: bool = False) -> Doc:
    meta: Doc = {"name": name, "namespace": ns, "labels": labels or {"app": name}}
    if owner:
        meta["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "controller": True, "apiVersion": "v1",
                                    "uid": "u"}]
    status: Doc = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    if ip:
        status["podIP"] = ip
    spec: Doc = {"containers": containers or [_container(ports)]}
    if service_account:
        spec["serviceAccountName"] = service_account
    if host_network:
        spec["hostNetwork"] = True
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def service(name: str, ns: str = "shop", selector: dict[str, str] | None = None,
            ports: Iterable[tuple[int, int | str] | tuple[int, int | str, str]] = ((80, 8080),),
            type_: str = "ClusterIP", etp: str | None = None) -> Doc:
    sports = []
    for p in ports:
        entry: Doc = {"port": p[0], "targetPort": p[1]}
        if len(p) > 2:
            entry["name"] = p[2]  # type: ignore[misc]
        sports.append(entry)
    spec: Doc = {"type": type_, "selector": selector if selector is not None else {"app": name}, "ports": sports}
    if etp:
        spec["externalTrafficPolicy"] = etp
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns}, "spec": spec}


def netpol(name: str, ns: str = "shop", selector: dict[str, str] | None = None,
           ingress: list[Doc] | None = None, egress: list[Doc] | None = None,
           types: list[str] | None = None) -> Doc:
    spec: Doc = {"podSelector": {"matchLabels": selector} if selector else {}}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    if types is not None:
        spec["policyTypes"] = types
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": ns}, "spec": spec}


DNS_EGRESS = {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}


def ingress(name: str, ns: str = "shop", service_name: str = "web", port: int | str = 80,
            host: str = "shop.example.com", cls: str | None = "nginx", tls_secret: str | None = None,
            annotations: dict[str, str] | None = None) -> Doc:
    port_ref = {"number": port} if isinstance(port, int) else {"name": port}
    spec: Doc = {"rules": [{"host": host, "http": {"paths": [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": service_name, "port": port_ref}}}]}}]}
    if cls:
        spec["ingressClassName"] = cls
    if tls_secret:
        spec["tls"] = [{"hosts": [host], "secretName": tls_secret}]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": ns, "annotations": annotations or {}}, "spec": spec}


def ingress_class(name: str, controller: str = "k8s.io/example", default: bool = False) -> Doc:
    ann = {"ingressclass.kubernetes.io/is-default-class": "true"} if default else {}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": {"name": name, "annotations": ann}, "spec": {"controller": controller}}


def secret(name: str, ns: str = "shop") -> Doc:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns},
            "type": "kubernetes.io/tls"}


GW = "gateway.networking.k8s.io/v1"


def gateway(name: str = "gw", ns: str = "infra", listeners: list[Doc] | None = None) -> Doc:
    listeners = listeners or [{"name": "http", "port": 80, "protocol": "HTTP",
                               "allowedRoutes": {"namespaces": {"from": "All"}}}]
    return {"apiVersion": GW, "kind": "Gateway", "metadata": {"name": name, "namespace": ns},
            "spec": {"gatewayClassName": "example", "listeners": listeners}}


def httproute(name: str = "route", ns: str = "shop", parent: Doc | None = None, backend: str = "web",
              backend_ns: str | None = None, port: int | None = 80, hostnames: list[str] | None = None) -> Doc:
    ref: Doc = {"name": backend}
    if port is not None:
        ref["port"] = port
    if backend_ns:
        ref["namespace"] = backend_ns
    spec: Doc = {"parentRefs": [parent or {"name": "gw", "namespace": "infra"}], "rules": [{"backendRefs": [ref]}]}
    if hostnames:
        spec["hostnames"] = hostnames
    return {"apiVersion": GW, "kind": "HTTPRoute", "metadata": {"name": name, "namespace": ns}, "spec": spec}


def reference_grant(ns: str, from_kind: str, from_ns: str, to_kind: str = "Service", name: str = "grant") -> Doc:
    return {"apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "ReferenceGrant",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"from": [{"group": "gateway.networking.k8s.io", "kind": from_kind, "namespace": from_ns}],
                     "to": [{"group": "", "kind": to_kind}]}}


def daemonset(name: str, ns: str = "kube-system", containers: Iterable[str] = ("main",),
              labels: dict[str, str] | None = None) -> Doc:
    return deployment(name, ns, labels or {"k8s-app": name},
                      containers=[{"name": c, "image": "x"} for c in containers], kind="DaemonSet")


def run(docs: list[Doc], complete: bool = False, **kw: Any) -> list[Finding]:
    return findings(state_from(docs), complete=complete, **kw)


def of(found: list[Finding], code: str) -> list[Finding]:
    return [f for f in found if f.code == code]


def codes(found: list[Finding]) -> set[str]:
    return {f.code for f in found}
