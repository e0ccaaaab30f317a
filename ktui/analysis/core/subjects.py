"""The things policies are evaluated on: pods, workload templates, and external address ranges.

A Subject is a pod (or, from manifests, a workload's pod template) reduced to what NetworkPolicy
reads: namespace, labels, container ports and known IPs; `workload` names it the way the
connectivity list shows it (`ns/name[Kind]`).
"""

from __future__ import annotations

import ipaddress
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from ktui.model.core import WORKLOAD_KINDS, ContainerPort, Pod, Workload
from ktui.model.meta import controller_of
from ktui.store import ClusterState

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# The last labels made into a label set, and the workload named after the last controller: the
# pods of one workload share their labels dict and owner reference (sources/compact.py) and come
# one after another, so most subjects reuse both instead of hashing the labels again (5 us a pod)
_LAST_LABELS: tuple[object, frozenset[tuple[str, str]]] = (None, frozenset())


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
    # Calico selects and matches peers by it (serviceAccountSelector, serviceAccounts): pods alike
    # in labels but not in service account are told apart wherever answers are shared
    service_account: str = "default"
    # the labels as one hashable value, made once: every answer shared by pods alike is keyed by it
    label_set: frozenset[tuple[str, str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        global _LAST_LABELS
        last = _LAST_LABELS  # one read: threads may make subjects at once
        if last[0] is self.labels:
            object.__setattr__(self, "label_set", last[1])
            return
        label_set = frozenset(self.labels.items())
        object.__setattr__(self, "label_set", label_set)
        _LAST_LABELS = (self.labels, label_set)

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


def _ipv4(text: str) -> ipaddress.IPv4Address | None:
    """A dotted quad as ipaddress reads it (four ASCII decimal parts up to 255, no leading zero),
    twice as fast; None for anything else (ipaddress then decides)."""
    parts = text.split(".")
    if len(parts) != 4:
        return None
    value = 0
    for part in parts:
        if not (part.isascii() and part.isdigit()) or len(part) > 3 or (part[0] == "0" and len(part) > 1):
            return None
        n = int(part)
        if n > 255:
            return None
        value = value << 8 | n
    return ipaddress.IPv4Address(value)


def _ips(pod: Pod) -> tuple[IPAddress, ...]:
    out: list[IPAddress] = []
    for text in pod.ips():
        found = _ipv4(text) if isinstance(text, str) else None
        if found is not None:
            out.append(found)
            continue
        try:
            out.append(ipaddress.ip_address(text))
        except ValueError:
            continue
    return tuple(out)


_LAST_OWNER: tuple[object, WorkloadId] = (None, WorkloadId("", "", ""))


def pod_subject(pod: Pod) -> Subject:
    """A pod, named after its controller (a mirror pod's Node owner does not count)."""
    global _LAST_OWNER
    meta = pod.metadata
    ref = controller_of(meta)
    if ref is not None and ref.kind != "Node":
        last = _LAST_OWNER
        if last[0] is ref and last[1].namespace == meta.namespace:
            workload = last[1]
        else:
            workload = WorkloadId(meta.namespace, ref.name, ref.kind or "Pod")
            _LAST_OWNER = (ref, workload)
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
        service_account=pod.spec.service_account_name or "default",
    )


def same_subject(old: Pod, new: Pod) -> bool:
    """Two versions of a pod give equal Subjects: nothing `pod_subject` reads differs (compared
    field by field in C; a readiness flip or a status update is cheap to tell from a move)."""
    a, b = old.metadata, new.metadata
    return (a.name == b.name and a.namespace == b.namespace and a.labels == b.labels
            and a.owner_references == b.owner_references and old.spec == new.spec
            and old.status.pod_ips == new.status.pod_ips and old.status.pod_ip == new.status.pod_ip)


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
        service_account=template.spec.service_account_name or "default",
    )


FINISHED_PHASES = frozenset({"Succeeded", "Failed"})


def is_subject_pod(pod: Pod) -> bool:
    """The one rule for which pods count, in every view (docs/decisions.md, "Subjects").

    A pod that finished (Succeeded, Failed) or is being deleted takes no traffic and holds no IP
    an enforcing CNI would match, so it is not a subject; its workload stands in for it instead.
    """
    return pod.status.phase not in FINISHED_PHASES and pod.metadata.deletion_timestamp is None


is_running = is_subject_pod  # the name the exposure code reads it by (endpoints of running pods)


PodCache = dict[tuple[str, str], tuple[object, Subject]]


def _subjects_in(state: ClusterState, namespace: str, cache: PodCache | None,
                 pods_seen: PodCache) -> list[Subject]:
    subjects: list[Subject] = []
    owners: dict[tuple[str, str], tuple[str, str]] = {}
    for kind in WORKLOAD_KINDS:
        for w in state.objects(kind, namespace):
            ref = controller_of(w.metadata)
            if ref is not None:
                owners[(kind, w.metadata.name)] = (ref.kind, ref.name)
    owned: set[tuple[str, str]] = set()
    for p in state.pods(namespace):
        if not is_subject_pod(p):
            continue
        hit = cache.get((namespace, p.metadata.name)) if cache is not None else None
        if hit is None:
            hit = (p, pod_subject(p))
        elif hit[0] is not p:  # a readiness flip leaves it equal: the same Subject goes on (caches by it hold)
            hit = (p, hit[1] if same_subject(cast(Pod, hit[0]), p) else pod_subject(p))
        pods_seen[(namespace, p.metadata.name)] = hit
        subjects.append(hit[1])
        ref = controller_of(p.metadata)
        key = (ref.kind, ref.name) if ref is not None else None
        while key is not None and key not in owned:
            owned.add(key)
            key = owners.get(key)
    for kind in WORKLOAD_KINDS:
        for w in state.objects(kind, namespace):
            if controller_of(w.metadata) is not None or (kind, w.metadata.name) in owned:
                continue
            subject = template_subject(w)
            if subject is not None:
                subjects.append(subject)
    subjects.sort(key=lambda s: (s.name, s.workload.kind))
    return subjects


def namespace_subjects(state: ClusterState, namespace: str,
                       cache: dict[tuple[str, str], tuple[object, Subject]] | None = None) -> list[Subject]:
    """The subjects of one namespace (owner chains never cross namespaces), sorted by name.

    Its pods that are subjects (`is_subject_pod`), plus the pod template of each top-level
    workload with no such pod, directly or through a chain of owners: a live cluster is its pods,
    rendered manifests are their workloads, a Deployment scaled to zero (or a CronJob between
    runs) still shows what it would allow. A workload owned by another never stands in for it.
    With `cache`, a pod whose object is unchanged (the same immutable struct) keeps its Subject
    across versions (the cache is filled with this version's pods). The answer is memoized while
    the namespace's objects are unchanged (its namespace_version: nothing outside it counts), so
    every caller holds the same Subject objects; the list is a copy.
    """
    per_ns = _MEMO.get(state)
    if per_ns is None:
        per_ns = _MEMO[state] = {}
    version = state.namespace_version(namespace)
    hit = per_ns.get(namespace)
    if hit is None or hit[0] != version:
        pods: PodCache = {}
        hit = per_ns[namespace] = (version, _subjects_in(state, namespace, cache, pods), pods)
    if cache is not None:
        cache.update(hit[2])
    return list(hit[1])


# per state: namespace -> (its namespace_version, subjects, their pods); weak, so a dropped state
# goes with it
_MEMO: weakref.WeakKeyDictionary[ClusterState, dict[str, tuple[int, list[Subject], PodCache]]] = (
    weakref.WeakKeyDictionary())


def subject_namespaces(state: ClusterState) -> list[str]:
    """Every namespace that holds a pod or a workload (a manifest may name one without its object)."""
    names = {p.metadata.namespace for p in state.pods()}
    for kind in WORKLOAD_KINDS:
        names.update(w.metadata.namespace for w in state.objects(kind))
    return sorted(names)


def cluster_subjects(state: ClusterState) -> list[Subject]:
    """`namespace_subjects` of every namespace, sorted by (namespace, name, kind)."""
    return [s for ns in subject_namespaces(state) for s in namespace_subjects(state, ns)]
