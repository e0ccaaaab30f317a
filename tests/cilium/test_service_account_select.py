"""Cilium endpoints carry their service account as a label (io.cilium.k8s.policy.serviceaccount):
two pods alike but for it are selected apart, whatever order they are asked in."""

from __future__ import annotations

from typing import Any

import yaml

from ktui.analysis.core.subjects import cluster_subjects
from ktui.analysis.policy import PolicyEngine
from tests.conftest import state_from

DOCS: list[dict[str, Any]] = list(yaml.safe_load_all("""
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: a, labels: {app: x}}
spec: {serviceAccountName: locked, containers: [{name: c, image: i}]}
status: {podIP: 10.0.0.1, phase: Running}
---
apiVersion: v1
kind: Pod
metadata: {name: p2, namespace: a, labels: {app: x}}
spec: {serviceAccountName: free, containers: [{name: c, image: i}]}
status: {podIP: 10.0.0.2, phase: Running}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: lock, namespace: a}
spec:
  endpointSelector:
    matchLabels: {io.cilium.k8s.policy.serviceaccount: locked}
  egress: []
  egressDeny: [{toEntities: [all]}]
"""))


def test_pods_alike_but_for_their_service_account_are_selected_apart() -> None:
    state = state_from(DOCS)
    for order in (("p1", "p2"), ("p2", "p1")):
        engine = PolicyEngine(state)
        by_name = {s.name: s for s in cluster_subjects(state)}
        restricted = {name: engine.restricts(by_name[name], "egress") for name in order}
        assert restricted == {"p1": True, "p2": False}
