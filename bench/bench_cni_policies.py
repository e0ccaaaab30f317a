"""Cilium and Calico tiers mixed with Kubernetes NetworkPolicy: the connectivity list and one explain.

    .venv/bin/python bench/bench_cni_policies.py

Targets (issue 12): connectivity for 1,000 workloads x 1,000 mixed policies (Kubernetes, Cilium,
Calico) <= 3 s; explain of one pod <= 5 ms. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import os
import random
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gen_workloads import generate, timed

from ktui.analysis.policy.connectivity import connectivity
from ktui.analysis.policy.engine import PolicyEngine
from ktui.analysis.policy.explain import explain, resolve_subject
from ktui.model.decode import decode_document
from ktui.store import ClusterState, Event

Doc = dict[str, Any]


def cni_policies(apps: list[tuple[str, str]], cilium: int, calico: int, seed: int = 1) -> list[Doc]:
    """`cilium` CiliumNetworkPolicies and `calico` Calico policies over the generated apps."""
    rnd = random.Random(seed)
    docs: list[Doc] = [{"apiVersion": "projectcalico.org/v3", "kind": "Tier", "metadata": {"name": "security"},
                        "spec": {"order": 100, "defaultAction": "Pass"}},
                       {"apiVersion": "projectcalico.org/v3", "kind": "GlobalNetworkSet",
                        "metadata": {"name": "feed", "labels": {"feed": "blocked"}},
                        "spec": {"nets": ["198.51.100.0/24", "203.0.113.0/24"]}}]
    for i in range(cilium):
        ns, app = rnd.choice(apps)
        callers = rnd.sample(apps, 3)
        ingress = [{"fromEndpoints": [{"matchLabels": {"k8s:io.kubernetes.pod.namespace": cns, "app": capp}}
                                      for cns, capp in callers],
                    "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}],
                                 "rules": {"http": [{"method": "GET"}]}}]}]
        spec: Doc = {"endpointSelector": {"matchLabels": {"app": app}}, "ingress": ingress}
        roll = rnd.random()
        if roll < 0.3:
            spec["egress"] = [{"toEndpoints": [{"matchExpressions": [{"key": "tier", "operator": "In",
                                                                       "values": ["api", "db"]}]}],
                               "toPorts": [{"ports": [{"port": "8080"}]}]},
                              {"toFQDNs": [{"matchPattern": "*.example.com"}],
                               "toPorts": [{"ports": [{"port": "443", "protocol": "TCP"}]}]},
                              {"toCIDRSet": [{"cidr": f"{(a := rnd.randint(11, 200))}.0.0.0/8",
                                              "except": [f"{a}.{rnd.randint(0, 255)}.0.0/16"]}]}]
        elif roll < 0.45:
            spec["ingressDeny"] = [{"fromEntities": ["world"], "toPorts": [{"ports": [{"port": "9090"}]}]}]
        docs.append({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
                     "metadata": {"name": f"cnp-{app}-{i}", "namespace": ns}, "spec": spec})
    for i in range(calico):
        ns, app = rnd.choice(apps)
        peer_ns, peer = rnd.choice(apps)
        if i % 10 == 0:
            docs.append({"apiVersion": "projectcalico.org/v3", "kind": "GlobalNetworkPolicy",
                         "metadata": {"name": f"gnp-{i}"},
                         "spec": {"tier": "security", "order": i, "selector": f"team == '{ns}'",
                                  "types": ["Ingress", "Egress"],
                                  "ingress": [{"action": "Deny", "source": {
                                      "namespaceSelector": f"projectcalico.org/name == '{peer_ns}'"}},
                                              {"action": "Pass"}],
                                  "egress": [{"action": "Deny", "destination": {
                                      "namespaceSelector": "global()", "selector": "feed == 'blocked'"}},
                                             {"action": "Pass"}]}})
            continue
        rules = [{"action": "Allow", "protocol": "TCP",
                  "source": {"namespaceSelector": f"projectcalico.org/name == '{peer_ns}'",
                             "selector": f"app == '{peer}'"},
                  "destination": {"ports": ["http", "9000:9100"]}},
                 {"action": rnd.choice(["Deny", "Log", "Pass"]), "source": {"nets": ["10.0.0.0/8"]}}]
        docs.append({"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
                     "metadata": {"name": f"cal-{app}-{i}", "namespace": ns},
                     "spec": {"order": rnd.choice([None, 100, 500, 2000]), "selector": f"app == '{app}'",
                              "ingress": rules}})
    return docs


def state_of(docs: list[Doc]) -> ClusterState:
    state = ClusterState()
    for doc in docs:
        info, obj = decode_document(doc)
        if info is not None:
            state.apply(Event("ADDED", info.kind, obj))
    return state


def main() -> None:
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    k8s = generate(workloads=1000, policies=400)
    apps = [(d["metadata"]["namespace"], d["metadata"]["name"]) for d in k8s if d["kind"] == "Deployment"]
    docs = k8s + cni_policies(apps, cilium=300, calico=300)
    state = state_of(docs)
    kinds = ("NetworkPolicy", "CiliumNetworkPolicy", "CalicoNetworkPolicy", "GlobalNetworkPolicy")
    print("  " + ", ".join(f"{state.count(k)} {k}" for k in kinds))
    conns = timed("connectivity: 1,000 workloads x 1,000 mixed policies", lambda: connectivity(state))
    print(f"  ({len(conns)} connection lines)")
    subject = resolve_subject(state, "team-007/app-00007")
    assert subject is not None
    engine = PolicyEngine(state)
    explain(state, subject, engine, with_reachability=False)
    timed("explain one pod, warm engine (tiers, policies, rules)",
          lambda: explain(state, subject, engine, with_reachability=False), repeat=50)
    timed("explain one pod, cold engine", lambda: explain(state, subject, PolicyEngine(state),
                                                          with_reachability=False), repeat=5)


if __name__ == "__main__":
    main()
