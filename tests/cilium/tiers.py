"""Shared by tests/cilium and tests/calico: documents, an engine with every family's tiers, and the
connectivity list by its pair-by-pair definition."""

from __future__ import annotations

from typing import Any

from ktui.analysis.core.portset import PortSet
from ktui.analysis.core.subjects import Subject, cluster_subjects
from ktui.analysis.policy.calico import calico_tiers
from ktui.analysis.policy.cilium import cilium_tiers
from ktui.analysis.policy.connectivity import ConnectivityBuilder
from ktui.analysis.policy.engine import PolicyEngine
from ktui.analysis.policy.registry import TIER_FACTORIES
from ktui.store import ClusterState
from tests.conftest import state_from

Doc = dict[str, Any]
assert calico_tiers in TIER_FACTORIES and cilium_tiers in TIER_FACTORIES  # registered: the engine sees them
CNP = "cilium.io/v2"
CALICO = "projectcalico.org/v3"


def engine(docs: list[Doc]) -> PolicyEngine:
    return PolicyEngine(state_from(docs))


def ns(name: str, **labels: str) -> Doc:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def pod(namespace: str, name: str, ip: str = "", labels: dict[str, str] | None = None,
        ports: list[Doc] | None = None, sa: str = "", host_network: bool = False) -> Doc:
    spec: Doc = {"containers": [{"name": "c", "ports": ports if ports is not None else [
        {"containerPort": 80, "name": "http"}]}]}
    if sa:
        spec["serviceAccountName"] = sa
    if host_network:
        spec["hostNetwork"] = True
    out: Doc = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": namespace, "labels": labels or {"app": name}},
                "spec": spec}
    if ip:
        out["status"] = {"podIP": ip}
    return out


def cnp(namespace: str, name: str, spec: Doc, clusterwide: bool = False) -> Doc:
    meta: Doc = {"name": name} if clusterwide else {"name": name, "namespace": namespace}
    return {"apiVersion": CNP, "kind": "CiliumClusterwideNetworkPolicy" if clusterwide else "CiliumNetworkPolicy",
            "metadata": meta, "spec": spec}


def calico(kind: str, name: str, spec: Doc, namespace: str = "") -> Doc:
    meta: Doc = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": CALICO, "kind": kind, "metadata": meta, "spec": spec}


def knp(namespace: str, name: str, spec: Doc) -> Doc:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def subject(e: PolicyEngine, namespace: str, name: str) -> Subject:
    for s in cluster_subjects(e.state):
        if s.namespace == namespace and s.name == name:
            return s
    raise KeyError(f"{namespace}/{name}")


def reach(e: PolicyEngine, src: str, dst: str, port: int, proto: str = "TCP") -> bool:
    """`ns/name` of two pods (or an IP for an address) -> allowed?"""
    import ipaddress

    from ktui.analysis.core.subjects import ExternalRange

    def peer(text: str) -> Subject | ExternalRange:
        if "/" in text:
            ns_, name = text.split("/")
            return subject(e, ns_, name)
        return ExternalRange.of_ip(ipaddress.ip_address(text))
    return e.can_reach(peer(src), peer(dst), port, proto).allowed


def fast(state: ClusterState, e: PolicyEngine) -> dict[tuple[str, str], PortSet]:
    return {(c.src, c.dst): c.conns for c in ConnectivityBuilder(state, e).build()}
