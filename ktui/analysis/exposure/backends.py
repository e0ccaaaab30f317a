"""A Service backend followed to its pods: Service, port, target port, selected pods, endpoints.

Every exposure ends at a Service port; what "healthy" means is the same whichever Ingress, route
or load balancer points there, so the chain is resolved once here. Endpoints come from
EndpointSlices (label kubernetes.io/service-name, ports mapped by Service port name); when the
state holds no EndpointSlice at all (manifests), endpoints are unknown and the pods are the ones
the selector would pick from workload templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ktui.analysis.core.subjects import PodCache, Subject, is_running, namespace_subjects, pod_subject
from ktui.model.core import Pod, Service, ServicePort
from ktui.model.selectors import LabelSelector
from ktui.store import ClusterState


@dataclass(frozen=True, slots=True)
class PodInfo:
    """One pod behind a Service, or a workload template standing in for its pods (manifests)."""

    namespace: str
    name: str
    kind: str  # "Pod", or the workload kind when this is a template
    ready: bool | None  # None: a template, readiness unknown
    subject: Subject = field(compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}" if self.kind == "Pod" else f"{self.kind} {self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Ready endpoints of one Service port, from its EndpointSlices."""

    known: bool
    ready: int = 0
    not_ready: int = 0
    slices: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Backend:
    """Where an exposed entry sends traffic, resolved as far as the objects allow.

    `problem` is the first broken link in words ("" when the Service and port resolve);
    `ref_reason` is the Gateway API reason when the reference itself is refused.
    """

    namespace: str
    name: str
    port: str  # as referenced: a number, a port name, or "" when none was given
    kind: str = "Service"
    group: str = ""
    exists: bool = False
    service_type: str = ""
    service_port: ServicePort | None = None
    target_port: int | str | None = None
    selector: Mapping[str, str] | None = None
    pods: tuple[PodInfo, ...] = ()
    pods_from: str = ""  # "pods", "templates" or ""
    endpoints: Endpoints = field(default_factory=lambda: Endpoints(False))
    problem: str = ""
    ref_reason: str = ""
    weight: int | None = None

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"

    def label(self) -> str:
        port = f":{self.port}" if self.port else ""
        return f"{self.namespace}/{self.name}{port}" if self.kind == "Service" else f"{self.ref}"

    def container_port(self, pod: PodInfo) -> int | None:
        """The port traffic reaches on `pod`: a numeric targetPort, or a name resolved there."""
        target = self.target_port
        if target is None and self.service_port is not None:
            target = self.service_port.port
        if isinstance(target, int):
            return target
        if isinstance(target, str):
            if target.isdigit():
                return int(target)
            proto = self.service_port.protocol if self.service_port is not None else "TCP"
            for cp in pod.subject.ports:
                if cp.name == target and cp.protocol == proto:
                    return cp.container_port
        return None


def find_service_port(svc: Service, port: int | str | None) -> ServicePort | None:
    """A Service port by number or by name; with no port given, the only port if there is one."""
    ports = svc.spec.ports
    if port is None or port == "":
        return ports[0] if len(ports) == 1 else None
    if isinstance(port, int) or (isinstance(port, str) and port.isdigit()):
        number = int(port)
        return next((p for p in ports if p.port == number), None)
    return next((p for p in ports if p.name == port), None)


class BackendResolver:
    """Resolves Service backends over one ClusterState, with the per-state lookups cached."""

    def __init__(self, state: ClusterState, subjects: PodCache | None = None) -> None:
        self.state = state
        # the Subjects the posture already made (the engine's cache): the engine keeps what it
        # selected and how it classed a subject by its identity, so those answers are reused
        self._subjects: PodCache = subjects if subjects is not None else {}
        # Slices say something only where the controllers ran: a state with slices but no pods
        # (manifests carrying a hand-written EndpointSlice or two) knows nothing of the others.
        self.endpoints_known = state.count("EndpointSlice") > 0 and state.count("Pod") > 0
        self._templates: dict[str, list[Subject]] = {}

    def _template_subjects(self, namespace: str) -> list[Subject]:
        """The namespace's workload templates standing in for pods (its subjects alone are built)."""
        found = self._templates.get(namespace)
        if found is None:
            found = self._templates[namespace] = [
                s for s in namespace_subjects(self.state, namespace)
                if (w := s.workload).kind != "Pod" and s.name == w.name
                and self.state.get(w.kind, w.namespace, w.name) is not None]
        return found

    def _subject(self, pod: Pod) -> Subject:
        hit = self._subjects.get((pod.metadata.namespace, pod.metadata.name))
        return hit[1] if hit is not None and hit[0] is pod else pod_subject(pod)

    def pods_for(self, namespace: str, selector: Mapping[str, str]) -> tuple[tuple[PodInfo, ...], str]:
        """Running pods the selector picks; without any, the workload templates it would pick."""
        sel = LabelSelector(match_labels=dict(selector))
        pods = [p for p in self.state.pods_matching(namespace, sel) if is_running(p)]
        if pods:
            infos = tuple(
                PodInfo(namespace, p.metadata.name, "Pod", p.is_ready(), self._subject(p))
                for p in sorted(pods, key=lambda p: p.metadata.name)
            )
            return infos, "pods"
        templates = [s for s in self._template_subjects(namespace) if sel.matches(s.labels)]
        infos = tuple(PodInfo(namespace, s.name, s.workload.kind, None, s) for s in templates)
        return infos, ("templates" if infos else "")

    def endpoints_for(self, svc: Service, sp: ServicePort) -> Endpoints:
        ns, name = svc.metadata.namespace, svc.metadata.name
        slices = self.state.endpoint_slices(ns, name)
        if not slices:
            if not self.endpoints_known:
                return Endpoints(False, note="unknown: no EndpointSlices in the state (manifests)")
            return Endpoints(True, note="no EndpointSlice for this Service")
        ready = not_ready = 0
        used: list[str] = []
        for sl in slices:
            if not any((p.name or "") == sp.name and p.protocol == sp.protocol for p in sl.ports or ()):
                continue
            used.append(sl.metadata.name)
            for ep in sl.endpoints:
                if ep.is_ready():
                    ready += 1
                else:
                    not_ready += 1
        note = "" if used else f"no EndpointSlice carries port {sp.name or sp.port}"
        return Endpoints(True, ready, not_ready, tuple(used), note)

    def resolve(
        self, namespace: str, name: str, port: int | str | None, weight: int | None = None
    ) -> Backend:
        """Follow Service ns/name port to pods and endpoints; `problem` says where it breaks."""
        written = "" if port is None else str(port)
        svc: Service | None = self.state.get("Service", namespace, name)
        if svc is None:
            return Backend(namespace, name, written, problem=f"Service {namespace}/{name} not found", weight=weight)
        base = Backend(namespace, name, written, exists=True, service_type=svc.spec.type, weight=weight)
        if svc.spec.type == "ExternalName":
            return replace(base, problem=f"ExternalName Service (to {svc.spec.external_name}): no pods")
        sp = find_service_port(svc, port)
        if sp is None:
            have = ", ".join(_port_label(p) for p in svc.spec.ports) or "none"
            what = f"port {written}" if written else "a port (several ports, none given)"
            return replace(base, problem=f"Service {namespace}/{name} has no {what} (ports: {have})")
        target = sp.target_port if sp.target_port is not None else sp.port
        selector = svc.spec.selector or None
        pods: tuple[PodInfo, ...] = ()
        pods_from = ""
        if selector:
            pods, pods_from = self.pods_for(namespace, selector)
        return replace(
            base,
            service_port=sp,
            target_port=target,
            selector=selector,
            pods=pods,
            pods_from=pods_from,
            endpoints=self.endpoints_for(svc, sp),
        )


def _port_label(p: ServicePort) -> str:
    return f"{p.port}/{p.name}" if p.name else str(p.port)
