"""A pod on the host network is no Cilium endpoint: a policy selecting its labels does not select
it. The posture, which shares answers between pods alike, keeps it apart from a pod with the same
labels on the pod network."""

from __future__ import annotations

from typing import Any

import yaml

from ktui.analysis.policy import PolicyEngine
from ktui.analysis.posture import PostureIndex
from tests.conftest import state_from

DOCS: list[dict[str, Any]] = list(yaml.safe_load_all("""
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: v1
kind: Pod
metadata: {name: on-pod-network, namespace: a, labels: {app: x}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.0.0.1, phase: Running}
---
apiVersion: v1
kind: Pod
metadata: {name: on-host-network, namespace: a, labels: {app: x}}
spec: {hostNetwork: true, containers: [{name: c, image: i}]}
status: {podIP: 192.168.1.5, phase: Running}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: lock, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: x}}
  egressDeny: [{toEntities: [all]}]
"""))


def test_the_host_network_pod_keeps_its_own_answer() -> None:
    state = state_from(DOCS)
    index = PostureIndex(state, PolicyEngine(state))
    classes = {p.subject.name: p.egress.cls.value for p in index.by_namespace["a"].pods}
    assert classes["on-host-network"] == "open" and classes["on-pod-network"] != "open"
