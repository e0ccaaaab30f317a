"""Finding a controller's pods without building every subject of the cluster (SubjectFinder) gives
the answer a scan of every subject gives, in the same order, whichever way the pods are found."""

from __future__ import annotations

from typing import Any

from ktui.analysis.core.subjects import cluster_subjects
from ktui.analysis.exposure.controllers import SubjectFinder, find_controller_pods
from ktui.store import ClusterState
from tests.check.kit import deployment, pod
from tests.conftest import state_from

Doc = dict[str, Any]

CASES: list[tuple[str, tuple[str, str] | None]] = [
    ("k8s.io/ingress-nginx", None),  # known labels, pods in two namespaces
    ("projectcontour.io/gateway-controller", None),  # the second known label set, from a template only
    ("example.com/edge", None),  # app.kubernetes.io/name=edge, from the controller's name
    ("example.com/router", None),  # a workload named router-controller (its pods carry other labels)
    ("example.com/absent", None),  # nothing
    ("gateway.envoyproxy.io/gatewayclass-controller", ("infra", "public")),  # the Gateway's own data plane
    ("gateway.envoyproxy.io/gatewayclass-controller", ("infra", "other")),  # no data plane: the known labels
]


def _finished(doc: Doc) -> Doc:
    doc["status"]["phase"] = "Succeeded"
    return doc


def _state() -> ClusterState:
    nginx = {"app.kubernetes.io/name": "ingress-nginx"}
    return state_from([
        pod("nginx-b", ns="ingress", labels=nginx, owner=("ReplicaSet", "nginx-1")),
        pod("nginx-a", ns="ingress", labels=nginx, owner=("ReplicaSet", "nginx-1")),
        pod("nginx-z", ns="edge-2", labels=nginx),
        _finished(pod("nginx-old", ns="edge-3", labels=nginx)),  # not a subject: never found
        deployment("contour", ns="projectcontour", labels={"app": "envoy"}),  # template stands in
        pod("edge-1", ns="net", labels={"app.kubernetes.io/name": "edge", "tier": "x"}),
        pod("r-1", ns="routing", labels={"run": "r"}, owner=("ReplicaSet", "router-controller")),
        deployment("router-controller", ns="routing2", labels={"run": "r2"}),
        pod("envoy-1", ns="infra", labels={"gateway.envoyproxy.io/owning-gateway-name": "public",
                                            "app.kubernetes.io/name": "envoy"}),
        pod("envoy-2", ns="infra2", labels={"app.kubernetes.io/name": "envoy"}),
        *(pod(f"web-{i}", ns=f"app{i % 3}", labels={"app": "web"}) for i in range(9)),
    ])


def test_same_pods_as_a_scan_of_every_subject() -> None:
    state = _state()
    everyone = cluster_subjects(state)
    finder = SubjectFinder(state)
    for controller, gateway in CASES:
        want = find_controller_pods(state, controller, gateway, everyone)
        got = find_controller_pods(state, controller, gateway, finder)
        assert [str(s) for s in got.subjects] == [str(s) for s in want.subjects], controller
        assert got.how == want.how, controller
    found = {c: [str(s) for s in find_controller_pods(state, c, g, finder).subjects] for c, g in CASES[:4]}
    assert found == {
        "k8s.io/ingress-nginx": ["edge-2/nginx-z", "ingress/nginx-a", "ingress/nginx-b"],
        "projectcontour.io/gateway-controller": ["projectcontour/contour"],
        "example.com/edge": ["net/edge-1"],
        "example.com/router": ["routing/r-1", "routing2/router-controller"],
    }
