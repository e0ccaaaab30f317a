"""Pods alike in labels but not in service account are told apart wherever answers are shared
(posture memo, egress probes, connectivity representatives, egress destinations): Calico selects
them (serviceAccountSelector) and matches them as peers (serviceAccounts) by it. The two pods here
belong to one ReplicaSet (a rollout that changed the service account)."""

from __future__ import annotations

from typing import Any

import yaml

from ktui.analysis.analysis import Analysis
from ktui.analysis.policy import PolicyEngine
from ktui.analysis.posture import PostureIndex
from tests.analysis.pairwise import as_map, brute_force
from tests.check.kit import namespace, pod
from tests.conftest import state_from

DOCS: list[dict[str, Any]] = [
    namespace("a"),
    pod("p1", "a", {"app": "x"}, "10.0.0.1", owner=("ReplicaSet", "x-1"), service_account="sa1"),
    pod("p2", "a", {"app": "x"}, "10.0.0.2", owner=("ReplicaSet", "x-1"), service_account="sa2"),
    pod("q", "a", {"app": "q"}, "10.0.0.3"),
    *yaml.safe_load_all("""
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: deny-sa1, namespace: a}
spec:
  selector: all()
  serviceAccountSelector: projectcalico.org/name == 'sa1'
  types: [Egress]
  egress:
  - action: Deny
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: q-from-sa2, namespace: a}
spec:
  selector: app == 'q'
  types: [Ingress]
  ingress:
  - action: Allow
    source: {serviceAccounts: {names: [sa2]}}
"""),
]


def test_the_posture_tells_pods_apart_by_service_account() -> None:
    state = state_from(DOCS)
    index = PostureIndex(state, PolicyEngine(state))
    by_name = {p.subject.name: p for p in index.by_namespace["a"].pods}
    assert by_name["p1"].egress.cls.value == "denied"
    assert by_name["p2"].egress.cls.value == "open"


def test_connectivity_tells_them_apart_and_equals_the_pairwise_definition() -> None:
    fast = as_map(DOCS)
    assert fast == brute_force(DOCS)
    assert ("a/x-1[ReplicaSet]", "a/q[Pod]") in fast  # p2 (sa2) may; p1 alone could not


def test_egress_destinations_are_not_shared_across_service_accounts() -> None:
    analysis = Analysis(state_from(DOCS))
    p1, p2 = analysis.subject("a/p1", "a"), analysis.subject("a/p2", "a")
    assert p1 is not None and p2 is not None
    assert analysis.egress_destinations(p1) == []
    assert analysis.egress_destinations(p2) != []
