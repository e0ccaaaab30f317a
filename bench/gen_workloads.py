"""Synthetic clusters for the NetworkPolicy benchmarks: workloads, pods and realistic policies.

Each namespace gets a default deny, per-app allows from a few other apps (some across namespaces
through namespaceSelectors), DNS egress, and some external ipBlocks, so the engine sees the mix of
selectors and blocks a real cluster has. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import time
from typing import Any


def _labels(ns: str, app: str, tier: str) -> dict[str, str]:
    return {"app": app, "tier": tier, "team": ns}


def generate(
    workloads: int = 1000,
    policies: int = 1000,
    pods_per_workload: int = 0,
    namespaces: int = 50,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Documents for `workloads` Deployments (or their pods) and about `policies` NetworkPolicies."""
    rnd = random.Random(seed)
    docs: list[dict[str, Any]] = []
    ns_names = [f"team-{i:03d}" for i in range(namespaces)]
    for i, ns in enumerate(ns_names):
        docs.append({"apiVersion": "v1", "kind": "Namespace",
                     "metadata": {"name": ns, "labels": {"env": "prod" if i % 3 else "dev"}}})
    apps: list[tuple[str, str]] = []
    for w in range(workloads):
        ns = ns_names[w % namespaces]
        app = f"app-{w:05d}"
        tier = rnd.choice(["web", "api", "db"])
        apps.append((ns, app))
        labels = _labels(ns, app, tier)
        ports = [{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9090}]
        if pods_per_workload:
            for r in range(pods_per_workload):
                n = w * pods_per_workload + r
                docs.append({
                    "apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": f"{app}-{r}", "namespace": ns, "labels": labels,
                                 "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                                      "name": f"{app}-rs", "controller": True}]},
                    "spec": {"containers": [{"name": "main", "ports": ports}]},
                    "status": {"phase": "Running", "podIP": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}",
                               "conditions": [{"type": "Ready", "status": "True"}]},
                })
        else:
            docs.append({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": app, "namespace": ns},
                "spec": {"selector": {"matchLabels": {"app": app}},
                         "template": {"metadata": {"labels": labels},
                                      "spec": {"containers": [{"name": "main", "ports": ports}]}}},
            })
    made = 0
    for ns in ns_names:
        if made >= policies:
            break
        docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": {"name": "default-deny", "namespace": ns},
                     "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}})
        docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": {"name": "allow-dns", "namespace": ns},
                     "spec": {"podSelector": {}, "policyTypes": ["Egress"],
                              "egress": [{"to": [{"namespaceSelector": {}}],
                                          "ports": [{"port": 53, "protocol": "UDP"},
                                                    {"port": 53, "protocol": "TCP"}]}]}})
        made += 2
    while made < policies:
        ns, app = rnd.choice(apps)
        callers = rnd.sample(apps, 3)
        peers: list[dict[str, Any]] = []
        for cns, capp in callers:
            if cns == ns:
                peers.append({"podSelector": {"matchLabels": {"app": capp}}})
            else:
                peers.append({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": cns}},
                              "podSelector": {"matchLabels": {"app": capp}}})
        if rnd.random() < 0.2:
            peers.append({"ipBlock": {"cidr": f"{rnd.randint(11, 200)}.{rnd.randint(0, 255)}.0.0/16"}})
        spec: dict[str, Any] = {
            "podSelector": {"matchLabels": {"app": app}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": peers, "ports": [{"port": "http"}, {"port": 9090}]}],
            "egress": [{"to": [{"podSelector": {"matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["api", "db"]}]}}],
                "ports": [{"port": 8080}]}],
        }
        if rnd.random() < 0.1:
            spec["egress"].append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}],
                                   "ports": [{"port": 443}]})
        docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": {"name": f"allow-{app}-{made}", "namespace": ns}, "spec": spec})
        made += 1
    return docs


def timed(label: str, fn, repeat: int = 1):  # type: ignore[no-untyped-def]
    """Print the best of `repeat` runs of fn() and return its result (the benches' one timer)."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    unit = f"{best * 1000:.2f} ms" if best < 1 else f"{best:.2f} s"
    print(f"{label:<62} {unit}")
    return result
