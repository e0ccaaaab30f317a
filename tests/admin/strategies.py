"""Hypothesis strategies: the NetworkPolicy clusters of tests/analysis plus random admin policies."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.analysis.strategies import LABEL_VALUES, clusters, label_sets

NS_SELECTORS = [{}, {"matchLabels": {"team": "x"}}, {"matchLabels": {"kubernetes.io/metadata.name": "b"}},
                {"matchExpressions": [{"key": "team", "operator": "DoesNotExist"}]}]
NETWORKS = ["0.0.0.0/0", "10.0.0.0/8", "10.1.2.0/24", "8.8.8.8/32", "192.168.0.0/16", "10.1.2.3/32"]


@st.composite
def pod_selectors(draw: st.DrawFn) -> dict[str, Any]:
    labels = draw(label_sets)
    sel: dict[str, Any] = {"matchLabels": labels} if labels else {}
    if draw(st.booleans()):
        sel["matchExpressions"] = [{"key": "app", "operator": "In",
                                    "values": draw(st.lists(st.sampled_from(LABEL_VALUES), min_size=1, max_size=2))}]
    return sel


@st.composite
def subjects(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return {"namespaces": draw(st.sampled_from(NS_SELECTORS))}
    return {"pods": {"namespaceSelector": draw(st.sampled_from(NS_SELECTORS)), "podSelector": draw(pod_selectors())}}


@st.composite
def admin_peers(draw: st.DrawFn, egress: bool) -> dict[str, Any]:
    kind = draw(st.sampled_from(["namespaces", "pods", "networks", "nodes"] if egress else ["namespaces", "pods"]))
    if kind == "namespaces":
        return {"namespaces": draw(st.sampled_from(NS_SELECTORS))}
    if kind == "pods":
        pods = {"namespaceSelector": draw(st.sampled_from(NS_SELECTORS)), "podSelector": draw(pod_selectors())}
        return {"pods": pods}
    if kind == "nodes":
        return {"nodes": draw(st.sampled_from([{}, {"matchLabels": {"role": "infra"}}]))}
    return {"networks": draw(st.lists(st.sampled_from(NETWORKS), min_size=1, max_size=2, unique=True))}


@st.composite
def admin_ports(draw: st.DrawFn) -> dict[str, Any]:
    choice = draw(st.sampled_from(["number", "range", "named"]))
    proto = draw(st.sampled_from(["TCP", "UDP", "SCTP"]))
    if choice == "number":
        return {"portNumber": {"protocol": proto, "port": draw(st.sampled_from([53, 80, 443, 8080]))}}
    if choice == "range":
        return {"portRange": {"protocol": proto, "start": 8000, "end": draw(st.sampled_from([8000, 8080, 9000]))}}
    return {"namedPort": draw(st.sampled_from(["http", "dns", "none"]))}


@st.composite
def cnp_protocols(draw: st.DrawFn) -> dict[str, Any]:
    choice = draw(st.sampled_from(["tcp", "udp", "sctp", "named"]))
    if choice == "named":
        return {"destinationNamedPort": draw(st.sampled_from(["http", "dns"]))}
    port = draw(st.sampled_from([None, {"number": 80}, {"number": 53}, {"range": {"start": 8000, "end": 8080}}]))
    return {choice: {} if port is None else {"destinationPort": port}}


@st.composite
def admin_rules(draw: st.DrawFn, egress: bool, actions: list[str], cnp: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"name": f"r{draw(st.integers(0, 99))}", "action": draw(st.sampled_from(actions)),
                           ("to" if egress else "from"): draw(st.lists(admin_peers(egress), min_size=1, max_size=2))}
    form = draw(st.sampled_from(["all", "ports", "protocols"] if cnp else ["all", "ports"]))
    if form == "ports":
        out["ports"] = draw(st.lists(admin_ports(), min_size=1, max_size=2))
    elif form == "protocols":
        out["protocols"] = draw(st.lists(cnp_protocols(), min_size=1, max_size=2))
    return out


@st.composite
def admin_policies(draw: st.DrawFn, index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["AdminNetworkPolicy", "ClusterNetworkPolicy"]))
    cnp = kind == "ClusterNetworkPolicy"
    tier = draw(st.sampled_from(["Admin", "Baseline"])) if cnp else "Admin"
    actions = ["Accept", "Deny", "Pass"] if cnp else ["Allow", "Deny", "Pass"]
    spec: dict[str, Any] = {"priority": draw(st.integers(0, 3)), "subject": draw(subjects())}
    if cnp:
        spec["tier"] = tier
    for key in ("ingress", "egress"):
        if draw(st.booleans()):
            spec[key] = draw(st.lists(admin_rules(key == "egress", actions, cnp), max_size=3))
    version = "v1alpha2" if cnp else "v1alpha1"
    return {"apiVersion": f"policy.networking.k8s.io/{version}", "kind": kind,
            "metadata": {"name": f"ap{index}"}, "spec": spec}


@st.composite
def baselines(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {"subject": draw(subjects())}
    for key in ("ingress", "egress"):
        if draw(st.booleans()):
            spec[key] = draw(st.lists(admin_rules(key == "egress", ["Allow", "Deny"], False), max_size=3))
    return {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "BaselineAdminNetworkPolicy",
            "metadata": {"name": "default"}, "spec": spec}


@st.composite
def mixed_clusters(draw: st.DrawFn) -> list[dict[str, Any]]:
    """NetworkPolicy clusters with 0-3 admin policies, maybe a BANP, maybe Nodes with addresses."""
    docs = draw(clusters())
    docs += [draw(admin_policies(i)) for i in range(draw(st.integers(0, 3)))]
    if draw(st.booleans()):
        docs.append(draw(baselines()))
    if draw(st.booleans()):
        docs.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "labels": {"role": "infra"}},
                     "status": {"addresses": [{"type": "InternalIP", "address": "10.1.2.200"}]}})
    return docs
