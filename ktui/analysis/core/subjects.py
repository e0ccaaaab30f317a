"""The things policies are evaluated on: pods, workload templates, and external address ranges.

A Subject is a pod (or, from manifests, a workload's pod template) reduced to what NetworkPolicy
reads: namespace, labels, container ports and known IPs; `workload` names it the way the
connectivity list shows it (`ns/name[Kind]`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from ktui.model.core import WORKLOAD_KINDS, ContainerPort, Pod, Workload
from ktui.model.meta import controller_of
from ktui.store import ClusterState

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class WorkloadId:
    namespace: str
    name: str
    kind: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}[{self.kind}]"


@dataclass(frozen=True, slots=True, eq=False)
class Subject:
    namespace: str
    name: str
    labels: Mapping[str, str]
    ports: tuple[ContainerPort, ...]
    ips: tuple[IPAddress, ...]
    workload: WorkloadId
    host_network: bool = False

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True, order=True)
class ExternalRange:
    """A range of addresses outside the cluster, first to last inclusive."""

    version: int
    first: int
    last: int

    def __str__(self) -> str:
        cls = ipaddress.IPv4Address if self.version == 4 else ipaddress.IPv6Address
        return f"{cls(self.first)}-{cls(self.last)}[External]"

    @classmethod
    def of_ip(cls, ip: IPAddress) -> ExternalRange:
        return cls(ip.version, int(ip), int(ip))


def _ips(pod: Pod) -> tuple[IPAddress, ...]:
    out = []
    for text in pod.ips():
        try:
            out.append(ipaddress.ip_address(text))
        except ValueError:
            continue
    return tuple(out)


def pod_subject(pod: Pod) -> Subject:
    """A pod, named after its controller (a mirror pod's Node owner does not count)."""
    meta = pod.metadata
    ref = controller_of(meta)
    if ref is not None and ref.kind != "Node":
        workload = WorkloadId(meta.namespace, ref.name, ref.kind or "Pod")
    else:
        workload = WorkloadId(meta.namespace, meta.name, "Pod")
    return Subject(
        namespace=meta.namespace,
        name=meta.name,
        labels=meta.labels,
        ports=tuple(pod.spec.all_ports()),
        ips=_ips(pod),
        workload=workload,
        host_network=pod.spec.host_network,
    )


def template_subject(workload: Workload) -> Subject | None:
    template = workload.pod_template()
    if template is None:
        return None
    meta = workload.metadata
    return Subject(
        namespace=meta.namespace,
        name=meta.name,
        labels=template.metadata.labels,
        ports=tuple(template.spec.all_ports()),
        ips=(),
        workload=WorkloadId(meta.namespace, meta.name, workload.kind),
        host_network=template.spec.host_network,
    )


def _owned_workloads(state: ClusterState) -> set[tuple[str, str, str]]:
    """(ns, kind, name) of every workload that has pods, directly or through a chain of owners."""
    owners: dict[tuple[str, str, str], tuple[str, str, str]] = {}
    for kind in WORKLOAD_KINDS:
        for w in state.objects(kind):
            ref = controller_of(w.metadata)
            if ref is not None:
                owners[(w.metadata.namespace, kind, w.metadata.name)] = (
                    w.metadata.namespace,
                    ref.kind,
                    ref.name,
                )
    owned: set[tuple[str, str, str]] = set()
    for pod in state.pods():
        ref = controller_of(pod.metadata)
        key = (pod.metadata.namespace, ref.kind, ref.name) if ref is not None else None
        while key is not None and key not in owned:
            owned.add(key)
            key = owners.get(key)
    return owned


def is_running(pod: Pod) -> bool:
    """Pods that are gone or finished take no traffic and are left out."""
    return pod.status.phase not in ("Succeeded", "Failed") and pod.metadata.deletion_timestamp is None


def cluster_subjects(state: ClusterState) -> list[Subject]:
    """Every pod, plus the pod template of each top-level workload that has no pods in the state.

    So a live cluster is its pods, and rendered manifests are their workloads; a workload owned by
    another workload (a Deployment's ReplicaSet) never stands in for it. Finished pods (a Job's
    Succeeded pods) stay: their workload runs again with the same labels, as `kubectl get pods`
    still lists them; pods being deleted are gone.
    """
    subjects = [pod_subject(p) for p in state.pods() if p.metadata.deletion_timestamp is None]
    owned = _owned_workloads(state)
    for kind in WORKLOAD_KINDS:
        for w in state.objects(kind):
            meta = w.metadata
            if controller_of(meta) is not None or (meta.namespace, kind, meta.name) in owned:
                continue
            subject = template_subject(w)
            if subject is not None:
                subjects.append(subject)
    subjects.sort(key=lambda s: (s.namespace, s.name, s.workload.kind))
    return subjects
