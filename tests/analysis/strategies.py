"""Hypothesis strategies: small random clusters of workloads, pods and NetworkPolicies."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

NAMESPACES = ["a", "b"]
LABEL_VALUES = ["x", "y"]

label_sets = st.fixed_dictionaries({}, optional={"app": st.sampled_from(LABEL_VALUES),
                                                 "tier": st.sampled_from(LABEL_VALUES)})


@st.composite
def selectors(draw: st.DrawFn) -> dict[str, Any]:
    sel: dict[str, Any] = {}
    labels = draw(label_sets)
    if labels:
        sel["matchLabels"] = labels
    if draw(st.booleans()):
        op = draw(st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]))
        expr: dict[str, Any] = {"key": draw(st.sampled_from(["app", "tier", "team"])), "operator": op}
        if op in ("In", "NotIn"):
            expr["values"] = draw(st.lists(st.sampled_from(LABEL_VALUES), min_size=1, max_size=2))
        sel["matchExpressions"] = [expr]
    return sel


cidrs = st.sampled_from(["0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "192.168.0.0/16", "8.8.8.8/32",
                         "10.1.2.0/24"])


@st.composite
def peers(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["pod", "ns", "both", "block"]))
    if kind == "block":
        cidr = draw(cidrs)
        block: dict[str, Any] = {"cidr": cidr}
        if cidr == "10.0.0.0/8" and draw(st.booleans()):
            block["except"] = ["10.1.0.0/16"]
        if cidr == "0.0.0.0/0" and draw(st.booleans()):
            block["except"] = ["10.0.0.0/8"]
        return {"ipBlock": block}
    peer: dict[str, Any] = {}
    if kind in ("pod", "both"):
        peer["podSelector"] = draw(selectors())
    if kind in ("ns", "both"):
        peer["namespaceSelector"] = draw(st.sampled_from([
            {}, {"matchLabels": {"team": "x"}}, {"matchLabels": {"kubernetes.io/metadata.name": "b"}}]))
    return peer


@st.composite
def ports(draw: st.DrawFn) -> dict[str, Any]:
    proto = draw(st.sampled_from([None, "TCP", "UDP", "SCTP"]))
    port: dict[str, Any] = {} if proto is None else {"protocol": proto}
    choice = draw(st.sampled_from(["num", "range", "name", "none"]))
    if choice == "num":
        port["port"] = draw(st.sampled_from([53, 80, 443, 8080]))
    elif choice == "range":
        port["port"] = 8000
        port["endPort"] = draw(st.sampled_from([8000, 8080, 9000]))
    elif choice == "name":
        port["port"] = draw(st.sampled_from(["http", "dns"]))
    return port


@st.composite
def rules(draw: st.DrawFn, key: str) -> dict[str, Any]:
    rule: dict[str, Any] = {}
    if draw(st.booleans()):
        rule[key] = draw(st.lists(peers(), min_size=1, max_size=2))
    if draw(st.booleans()):
        rule["ports"] = draw(st.lists(ports(), min_size=1, max_size=2))
    return rule


@st.composite
def policies(draw: st.DrawFn, index: int) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": draw(selectors())}
    types = draw(st.sampled_from([None, ["Ingress"], ["Egress"], ["Ingress", "Egress"]]))
    if types is not None:
        spec["policyTypes"] = types
    if draw(st.booleans()):
        spec["ingress"] = draw(st.lists(rules("from"), max_size=2))
    if draw(st.booleans()):
        spec["egress"] = draw(st.lists(rules("to"), max_size=2))
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": f"p{index}", "namespace": draw(st.sampled_from(NAMESPACES))},
            "spec": spec}


@st.composite
def workloads(draw: st.DrawFn, index: int) -> dict[str, Any]:
    labels = draw(label_sets)
    port_list = [{"containerPort": 8080, "name": "http"}]
    if draw(st.booleans()):
        port_list.append({"containerPort": 53, "name": "dns", "protocol": "UDP"})
    ns = draw(st.sampled_from(NAMESPACES))
    if draw(st.booleans()):
        return {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": f"w{index}", "namespace": ns, "labels": labels},
                "spec": {"containers": [{"name": "c", "ports": port_list}]},
                "status": {"podIP": f"10.1.2.{index + 1}"} if draw(st.booleans()) else {}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": f"w{index}", "namespace": ns},
            "spec": {"template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "ports": port_list}]}}}}


@st.composite
def clusters(draw: st.DrawFn) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": {"team": "x"}}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}},
    ]
    n_work = draw(st.integers(min_value=1, max_value=4))
    docs += [draw(workloads(i)) for i in range(n_work)]
    n_pol = draw(st.integers(min_value=0, max_value=4))
    docs += [draw(policies(i)) for i in range(n_pol)]
    return docs
