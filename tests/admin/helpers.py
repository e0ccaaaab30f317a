"""Small builders for admin-policy test clusters, and the connectivity list as a dict."""

from __future__ import annotations

from typing import Any

from ktui.analysis.core.subjects import Subject, cluster_subjects
from ktui.analysis.policy.connectivity import connectivity
from ktui.analysis.policy.engine import NetpolEngine, Verdict
from ktui.store import ClusterState
from tests.conftest import state_from

V1A1 = "policy.networking.k8s.io/v1alpha1"
V1A2 = "policy.networking.k8s.io/v1alpha2"
Doc = dict[str, Any]


def ns(name: str, **labels: str) -> Doc:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def deploy(namespace: str, name: str, labels: dict[str, str] | None = None,
           ports: list[Doc] | None = None) -> Doc:
    """A Deployment whose template has the labels (default app=name) and container ports."""
    ports = ports if ports is not None else [{"containerPort": 80, "name": "http"}]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": namespace},
            "spec": {"template": {"metadata": {"labels": labels or {"app": name}},
                                  "spec": {"containers": [{"name": "c", "ports": ports}]}}}}


def pod(namespace: str, name: str, ip: str, labels: dict[str, str] | None = None) -> Doc:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace,
                                                          "labels": labels or {"app": name}},
            "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]},
            "status": {"podIP": ip}}


def node(name: str, ip: str, **labels: str) -> Doc:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels},
            "status": {"addresses": [{"type": "InternalIP", "address": ip}]}}


def in_ns(name: str) -> Doc:
    return {"matchLabels": {"kubernetes.io/metadata.name": name}}


def pods_peer(namespace: str, **labels: str) -> Doc:
    return {"pods": {"namespaceSelector": in_ns(namespace), "podSelector": {"matchLabels": labels}}}


def rule(action: str, peers: list[Doc], ports: list[Doc] | None = None, name: str = "", egress: bool = False) -> Doc:
    out: Doc = {"name": name or action.lower(), "action": action, ("to" if egress else "from"): peers}
    if ports is not None:
        out["ports"] = ports
    return out


def tcp(port: int, protocol: str = "TCP") -> Doc:
    return {"portNumber": {"protocol": protocol, "port": port}}


def anp(name: str, priority: int, subject: Doc, ingress: list[Doc] | None = None,
        egress: list[Doc] | None = None) -> Doc:
    spec: Doc = {"priority": priority, "subject": subject}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    return {"apiVersion": V1A1, "kind": "AdminNetworkPolicy", "metadata": {"name": name}, "spec": spec}


def banp(subject: Doc, ingress: list[Doc] | None = None, egress: list[Doc] | None = None,
         name: str = "default") -> Doc:
    spec: Doc = {"subject": subject}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    return {"apiVersion": V1A1, "kind": "BaselineAdminNetworkPolicy", "metadata": {"name": name}, "spec": spec}


def cnp(name: str, tier: str, priority: int, subject: Doc, ingress: list[Doc] | None = None,
        egress: list[Doc] | None = None) -> Doc:
    spec: Doc = {"tier": tier, "priority": priority, "subject": subject}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    return {"apiVersion": V1A2, "kind": "ClusterNetworkPolicy", "metadata": {"name": name}, "spec": spec}


def netpol(namespace: str, name: str, spec: Doc) -> Doc:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


ALL_NS: Doc = {"namespaces": {}}


def lines(docs: list[Doc]) -> list[str]:
    return [c.line() for c in connectivity(state_from(docs))]


def pairs(docs: list[Doc]) -> dict[tuple[str, str], str]:
    """(src, dst) -> connection text, for the pairs that have any."""
    return {(c.src, c.dst): c.conns.describe() for c in connectivity(state_from(docs))}


def subject(state: ClusterState, ref: str) -> Subject:
    namespace, _, name = ref.partition("/")
    for s in cluster_subjects(state):
        if (s.namespace, s.workload.name) == (namespace, name):
            return s
    raise AssertionError(f"no subject {ref}")


def verdict(docs: list[Doc], src: str, dst: str, port: int, protocol: str = "TCP") -> Verdict:
    state = state_from(docs)
    return NetpolEngine(state).can_reach(subject(state, src), subject(state, dst), port, protocol)
