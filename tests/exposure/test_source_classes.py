"""Triage asks once per class of controller pods no tier tells apart (a DaemonSet on hundreds of
nodes): the classes keep apart what a rule can tell (an ipBlock splitting their IPs, a Calico
service account), count every member, and give each member the verdict its class was given."""

from __future__ import annotations

from typing import Any

import yaml

from ktui.analysis.core.subjects import cluster_subjects
from ktui.analysis.exposure.triage_links import source_classes
from ktui.analysis.policy import PolicyEngine
from tests.conftest import state_from


def _docs(controllers: int) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = list(yaml.safe_load_all("""
apiVersion: v1
kind: Namespace
metadata: {name: ingress}
---
apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: v1
kind: Pod
metadata: {name: web-0, namespace: app, labels: {app: web}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080, name: http}]}]}
status: {podIP: 10.1.0.1, phase: Running}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-half-the-nodes, namespace: app}
spec:
  podSelector: {app: web}
  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/25}}]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: deny-old-sa, namespace: ingress}
spec:
  selector: all()
  serviceAccountSelector: projectcalico.org/name == 'old'
  types: [Egress]
  egress:
  - action: Deny
"""))
    for i in range(controllers):
        docs.append({"apiVersion": "v1", "kind": "Pod",
                     "metadata": {"name": f"nginx-{i}", "namespace": "ingress",
                                  "labels": {"app.kubernetes.io/name": "ingress-nginx"},
                                  "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet",
                                                       "name": "nginx", "uid": "u", "controller": True}]},
                     "spec": {"serviceAccountName": "old" if i % 10 == 0 else "nginx",
                              "containers": [{"name": "c", "image": "i"}]},
                     "status": {"podIP": f"10.0.0.{i}", "phase": "Running"}})
    return docs


def test_members_of_a_class_get_its_verdict_and_every_member_is_counted() -> None:
    state = state_from(_docs(200))
    engine = PolicyEngine(state)
    subjects = cluster_subjects(state)
    controllers = [s for s in subjects if s.namespace == "ingress"]
    (web,) = [s for s in subjects if s.name == "web-0"]
    classes = source_classes(engine, controllers)
    assert sum(n for _, n in classes) == len(controllers) == 200
    assert 3 <= len(classes) <= 4  # inside / outside 10.0.0.0/25, and the old service account
    reps = [s for s, _ in classes]

    def answer(src: Any) -> tuple[bool, str]:
        v = engine.can_reach(src, web, 8080, "TCP")
        return v.allowed, (v.egress if not v.egress.allowed else v.ingress).reason()

    by_rep = {id(r): answer(r) for r in reps}
    for s in controllers:  # the member's own answer is its class's
        (rep,) = [r for r in reps if source_classes(engine, [r, s]) == [(r, 2)]]
        assert answer(s) == by_rep[id(rep)]
    allowed = sum(n for r, n in classes if by_rep[id(r)][0])
    assert allowed == len([s for s in controllers if answer(s)[0]]) == 128 - 13  # /25, but not the old SA
