"""Cilium endpoints carry their service account as a label (io.cilium.k8s.policy.serviceaccount),
and a pod on the host network is no endpoint: pods alike in labels are selected apart by either,
whatever order they are asked in, and the posture (which shares answers between pods alike) keeps
them apart."""

from __future__ import annotations

from typing import Any

from ktui.analysis.core.subjects import cluster_subjects
from ktui.analysis.policy import PolicyEngine
from ktui.analysis.posture import PostureIndex
from tests.check.kit import namespace, pod
from tests.conftest import state_from


def _lock(selector: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": "lock", "namespace": "a"},
            "spec": {"endpointSelector": {"matchLabels": selector}, "egressDeny": [{"toEntities": ["all"]}]}}


def test_pods_alike_but_for_their_service_account_are_selected_apart() -> None:
    state = state_from([namespace("a"), pod("p1", "a", {"app": "x"}, "10.0.0.1", service_account="locked"),
                        pod("p2", "a", {"app": "x"}, "10.0.0.2", service_account="free"),
                        _lock({"io.cilium.k8s.policy.serviceaccount": "locked"})])
    for order in (("p1", "p2"), ("p2", "p1")):
        engine = PolicyEngine(state)
        by_name = {s.name: s for s in cluster_subjects(state)}
        restricted = {name: engine.restricts(by_name[name], "egress") for name in order}
        assert restricted == {"p1": True, "p2": False}


def test_the_host_network_pod_keeps_its_own_answer() -> None:
    state = state_from([namespace("a"), pod("on-pod-network", "a", {"app": "x"}, "10.0.0.1"),
                        pod("on-host-network", "a", {"app": "x"}, "192.168.1.5", host_network=True),
                        _lock({"app": "x"})])
    index = PostureIndex(state, PolicyEngine(state))
    classes = {p.subject.name: p.egress.cls.value for p in index.by_namespace["a"].pods}
    assert classes["on-host-network"] == "open" and classes["on-pod-network"] != "open"
