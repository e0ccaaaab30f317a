"""DNS pods guarded by address (here Calico `nets`): two pods alike in labels but not in IP get
different DNS flags, so the posture does not share one answer between them (it asks every tier
whether a rule guarding the DNS pods' ingress matches by address, not only NetworkPolicy)."""

from __future__ import annotations

from typing import Any

import yaml

from ktui.analysis.policy import PolicyEngine
from ktui.analysis.posture import PostureIndex
from tests.check.kit import DNS_EGRESS, namespace, netpol, pod
from tests.conftest import state_from

DOCS: list[dict[str, Any]] = [
    namespace("kube-system"),
    namespace("a"),
    pod("coredns-0", "kube-system", {"k8s-app": "kube-dns"}, "10.96.0.10",
        ports=[("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")]),
    pod("p1", "a", {"app": "x"}, "10.0.0.1"),
    pod("p2", "a", {"app": "x"}, "10.0.0.2"),
    netpol("dns-only", "a", types=["Egress"], egress=[DNS_EGRESS]),
    yaml.safe_load("""
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
"""),
]


def test_pods_alike_but_for_their_ip_get_their_own_dns_flag() -> None:
    state = state_from(DOCS)
    index = PostureIndex(state, PolicyEngine(state))
    flags = {p.subject.name: p.egress.dns for p in index.by_namespace["a"].pods}
    assert flags == {"p1": True, "p2": False}
