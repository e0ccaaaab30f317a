"""DNS pods guarded by address (here Calico `nets`): two pods alike in labels but not in IP get
different DNS flags, so the posture does not share one answer between them (it asks every tier
whether a rule guarding the DNS pods' ingress matches by address, not only NetworkPolicy)."""

from __future__ import annotations

from typing import Any

import yaml

from ktui.analysis.policy import PolicyEngine
from ktui.analysis.posture import PostureIndex
from tests.conftest import state_from

DOCS: list[dict[str, Any]] = list(yaml.safe_load_all("""
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
---
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: v1
kind: Pod
metadata: {name: coredns-0, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  containers:
  - name: coredns
    image: coredns
    ports: [{containerPort: 53, name: dns, protocol: UDP}, {containerPort: 53, name: dns-tcp, protocol: TCP}]
status: {podIP: 10.96.0.10, phase: Running}
---
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: a, labels: {app: x}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.0.0.1, phase: Running}
---
apiVersion: v1
kind: Pod
metadata: {name: p2, namespace: a, labels: {app: x}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.0.0.2, phase: Running}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns-only, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: dns-guard, namespace: kube-system}
spec:
  selector: k8s-app == 'kube-dns'
  types: [Ingress]
  ingress:
  - action: Allow
    source: {nets: [10.0.0.1/32]}
  - action: Deny
"""))


def test_pods_alike_but_for_their_ip_get_their_own_dns_flag() -> None:
    state = state_from(DOCS)
    index = PostureIndex(state, PolicyEngine(state))
    flags = {p.subject.name: p.egress.dns for p in index.by_namespace["a"].pods}
    assert flags == {"p1": True, "p2": False}
