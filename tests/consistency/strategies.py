"""Generated clusters for the consistency suite: the policy strategies of tests/analysis plus what
the other views read (Services, Ingresses, finished and host-network pods, cluster DNS)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.analysis.strategies import NAMESPACES, clusters


@st.composite
def services(draw: st.DrawFn, index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["ClusterIP", "LoadBalancer", "NodePort"]))
    port: dict[str, Any] = {"port": 80, "targetPort": draw(st.sampled_from([8080, "http", "missing"]))}
    spec: dict[str, Any] = {"type": kind, "ports": [port]}
    if draw(st.booleans()):
        spec["selector"] = {"app": draw(st.sampled_from(["x", "y"]))}
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": f"s{index}", "namespace": draw(st.sampled_from(NAMESPACES))}, "spec": spec}


@st.composite
def ingresses(draw: st.DrawFn, index: int) -> dict[str, Any]:
    backend = {"service": {"name": f"s{draw(st.integers(0, 2))}", "port": {"number": 80}}}
    spec: dict[str, Any] = {"rules": [{"host": f"h{index}.example.com", "http": {"paths": [
        {"path": "/", "pathType": "Prefix", "backend": backend}]}}]}
    if draw(st.booleans()):
        spec["ingressClassName"] = "nginx"
    if draw(st.booleans()):
        spec["tls"] = [{"hosts": [f"h{index}.example.com"], "secretName": "tls"}]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": f"i{index}", "namespace": draw(st.sampled_from(NAMESPACES))}, "spec": spec}


KUBE_DNS = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "coredns-1", "namespace": "kube-system",
                                                     "labels": {"k8s-app": "kube-dns"}},
     "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 53, "protocol": "UDP", "name": "dns"}]}]},
     "status": {"podIP": "10.1.9.9", "phase": "Running"}},
]


def _finish(doc: dict[str, Any], phase: str | None, host_network: bool) -> dict[str, Any]:
    if doc["kind"] != "Pod":
        return doc
    doc = {**doc, "spec": {**doc["spec"], "hostNetwork": host_network},
           "status": {**doc.get("status", {}), **({"phase": phase} if phase else {})}}
    return doc


@st.composite
def full_clusters(draw: st.DrawFn) -> list[dict[str, Any]]:
    docs = draw(clusters())
    phases = st.sampled_from([None, "Running", "Running", "Succeeded", "Failed", "Pending"])
    docs = [_finish(d, draw(phases), draw(st.booleans()) and draw(st.booleans())) for d in docs]
    docs += [draw(services(i)) for i in range(draw(st.integers(0, 3)))]
    docs += [draw(ingresses(i)) for i in range(draw(st.integers(0, 2)))]
    if draw(st.booleans()):
        docs += KUBE_DNS
    return docs
