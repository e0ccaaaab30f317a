"""Finding the pods of an ingress or gateway controller, to ask NetworkPolicy about them.

The class names a controller (`k8s.io/ingress-nginx`), not its pods; the pods are found the way
the common installations label them, by the Gateway API's own labels for per-Gateway data planes,
and otherwise by the last segment of the controller name. When nothing is found the caller says
so and reasons about "some pod outside the namespace" instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ktui.analysis.core.subjects import Subject, WorkloadId, cluster_subjects
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


def _matching(subjects: list[Subject], labels: Mapping[str, str]) -> list[Subject]:
    return [s for s in subjects if all(s.labels.get(k) == v for k, v in labels.items())]


def find_controller_pods(
    state: ClusterState, controller: str, gateway: tuple[str, str] | None = None,
    subjects: list[Subject] | None = None,
) -> ControllerPods:
    """Pods of `controller` (and, for a Gateway, of that Gateway's own data plane first)."""
    subjects = cluster_subjects(state) if subjects is None else subjects
    if gateway is not None:
        ns, name = gateway
        for label in GATEWAY_NAME_LABELS:
            found = [s for s in subjects if s.namespace == ns and s.labels.get(label) == name]
            if found:
                return ControllerPods(tuple(found), f"pods labelled {label}={name}")
    for labels in KNOWN_CONTROLLERS.get(controller, ()):
        found = _matching(subjects, labels)
        if found:
            text = ",".join(f"{k}={v}" for k, v in labels.items())
            return ControllerPods(tuple(found), f"pods labelled {text} (the usual labels of {controller})")
    segment = controller.rstrip("/").rsplit("/", 1)[-1]
    if segment:
        for key in ("app.kubernetes.io/name", "app"):
            found = _matching(subjects, {key: segment})
            if found:
                return ControllerPods(tuple(found), f"pods labelled {key}={segment} (from the controller name)")
        names = (segment, f"{segment}-controller")
        found = [s for s in subjects if s.workload.name in names and s.workload.kind != "Pod"]
        if found:
            return ControllerPods(tuple(found), f"workload named {found[0].workload.name} (from the controller name)")
    return ControllerPods(())


def outside_pod(label: str = "controller") -> Subject:
    """A stand-in for an unknown pod in some other namespace, with no labels we know of."""
    ns = f"<{label} namespace>"
    return Subject(ns, f"<{label} pod>", {}, (), (), WorkloadId(ns, f"<{label}>", "Pod"))

