"""Finding the pods of an ingress or gateway controller, to ask NetworkPolicy about them.

The class names a controller (`k8s.io/ingress-nginx`), not its pods; the pods are found the way
the common installations label them, by the Gateway API's own labels for per-Gateway data planes,
and otherwise by the last segment of the controller name. When nothing is found the caller says
so and reasons about "some pod outside the namespace" instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ktui.analysis.core.subjects import (
    Subject,
    WorkloadId,
    namespace_subjects,
    subject_namespaces,
)
from ktui.model.core import WORKLOAD_KINDS
from ktui.model.meta import controller_of
from ktui.model.selectors import LabelSelector
from ktui.store import ClusterState

# controller name -> label sets its pods carry in the usual installations (manifests, Helm charts)
KNOWN_CONTROLLERS: dict[str, tuple[Mapping[str, str], ...]] = {
    "k8s.io/ingress-nginx": ({"app.kubernetes.io/name": "ingress-nginx"},),
    "traefik.io/ingress-controller": ({"app.kubernetes.io/name": "traefik"},),
    "traefik.io/gateway-controller": ({"app.kubernetes.io/name": "traefik"},),
    "istio.io/ingress-controller": ({"istio": "ingressgateway"},),
    "istio.io/gateway-controller": ({"istio": "ingressgateway"},),
    "gateway.envoyproxy.io/gatewayclass-controller": ({"app.kubernetes.io/name": "envoy"},),
    "projectcontour.io/gateway-controller": ({"app": "envoy"}, {"app.kubernetes.io/name": "envoy"}),
    "projectcontour.io/ingress-controller": ({"app": "envoy"},),
    "gateway.nginx.org/nginx-gateway-controller": ({"app.kubernetes.io/name": "nginx-gateway"},),
    "ingress-controllers.konghq.com/kong": ({"app.kubernetes.io/name": "kong"},),
    "konghq.com/kic-gateway-controller": ({"app.kubernetes.io/name": "kong"},),
}
# Labels that tie a data-plane pod to one Gateway (GEP-1762; Envoy Gateway's own).
GATEWAY_NAME_LABELS = ("gateway.networking.k8s.io/gateway-name", "gateway.envoyproxy.io/owning-gateway-name")


@dataclass(frozen=True, slots=True)
class ControllerPods:
    """The controller's pods (or workload templates), and how they were found ("" when not)."""

    subjects: tuple[Subject, ...]
    how: str = ""

    @property
    def found(self) -> bool:
        return bool(self.subjects)


class SubjectFinder:
    """The subjects carrying some labels, read only in the namespaces where a pod or a workload
    template carries them (the store's label index), not by building every subject of the
    cluster: at 10,000 pods that was most of `ktui hosts`. Same answers, in cluster_subjects'
    order (namespace, then name)."""

    def __init__(self, state: ClusterState, subjects: list[Subject] | None = None) -> None:
        self.state = state
        self._all = subjects
        self._names: list[str] | None = None
        self._templates: dict[tuple[str, str], set[str]] | None = None  # label pair -> namespaces

    def _namespaces(self) -> list[str]:
        if self._names is None:
            self._names = subject_namespaces(self.state)
        return self._names

    def _template_homes(self, labels: Mapping[str, str]) -> set[str]:
        """Namespaces holding a workload template whose labels include every pair (or more)."""
        if self._templates is None:
            self._templates = {}
            for kind in WORKLOAD_KINDS:
                for w in self.state.objects(kind):
                    template = w.pod_template()
                    for pair in template.metadata.labels.items() if template is not None else ():
                        self._templates.setdefault(pair, set()).add(w.metadata.namespace)
        homes: set[str] | None = None
        for pair in labels.items():
            found = self._templates.get(pair, set())
            homes = set(found) if homes is None else homes & found
        return homes or set()

    def carrying(self, labels: Mapping[str, str], namespace: str | None = None) -> list[Subject]:
        """The subjects (of `namespace`, or all) whose labels include every pair of `labels`."""
        if self._all is not None:
            return [s for s in self._all if (namespace is None or s.namespace == namespace) and _has(s.labels, labels)]
        selector = LabelSelector(match_labels=dict(labels))
        names = self._namespaces() if namespace is None else [namespace]
        homes = {ns for ns in names if self.state.pods_matching(ns, selector)} | self._template_homes(labels)
        return [s for ns in names if ns in homes for s in namespace_subjects(self.state, ns) if _has(s.labels, labels)]

    def of_workloads(self, names: tuple[str, ...]) -> list[Subject]:
        """The subjects of a workload (not a bare pod) named one of `names`."""
        if self._all is not None:
            return [s for s in self._all if s.workload.name in names and s.workload.kind != "Pod"]
        homes = {w.metadata.namespace for kind in WORKLOAD_KINDS for w in self.state.objects(kind)
                 if w.metadata.name in names}
        for pod in self.state.pods():
            ref = controller_of(pod.metadata)
            if ref is not None and ref.name in names:
                homes.add(pod.metadata.namespace)
        return [s for ns in self._namespaces() if ns in homes for s in namespace_subjects(self.state, ns)
                if s.workload.name in names and s.workload.kind != "Pod"]


def _has(have: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return all(have.get(k) == v for k, v in labels.items())


def find_controller_pods(
    state: ClusterState, controller: str, gateway: tuple[str, str] | None = None,
    subjects: list[Subject] | SubjectFinder | None = None,
) -> ControllerPods:
    """Pods of `controller` (and, for a Gateway, of that Gateway's own data plane first)."""
    finder = subjects if isinstance(subjects, SubjectFinder) else SubjectFinder(state, subjects)
    if gateway is not None:
        ns, name = gateway
        for label in GATEWAY_NAME_LABELS:
            found = finder.carrying({label: name}, ns)
            if found:
                return ControllerPods(tuple(found), f"pods labelled {label}={name}")
    for labels in KNOWN_CONTROLLERS.get(controller, ()):
        found = finder.carrying(labels)
        if found:
            text = ",".join(f"{k}={v}" for k, v in labels.items())
            return ControllerPods(tuple(found), f"pods labelled {text} (the usual labels of {controller})")
    segment = controller.rstrip("/").rsplit("/", 1)[-1]
    if segment:
        for key in ("app.kubernetes.io/name", "app"):
            found = finder.carrying({key: segment})
            if found:
                return ControllerPods(tuple(found), f"pods labelled {key}={segment} (from the controller name)")
        found = finder.of_workloads((segment, f"{segment}-controller"))
        if found:
            return ControllerPods(tuple(found), f"workload named {found[0].workload.name} (from the controller name)")
    return ControllerPods(())


def outside_pod(label: str = "controller") -> Subject:
    """A stand-in for an unknown pod in some other namespace, with no labels we know of."""
    ns = f"<{label} namespace>"
    return Subject(ns, f"<{label} pod>", {}, (), (), WorkloadId(ns, f"<{label}>", "Pod"))

