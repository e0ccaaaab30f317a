"""Properties with Calico, Cilium and Kubernetes policies mixed: the fast connectivity builder equals
the pair-by-pair definition; the order policies are written in never matters beyond `order`."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.analysis.pairwise import pairwise
from tests.cilium.tiers import CALICO, Doc, calico, cnp, engine, fast, knp, ns, pod

APPS = ["web", "api", "db"]
NAMESPACES = ["a", "b"]
PORTS = [53, 80, 443, 8080]


@st.composite
def cluster(draw: st.DrawFn) -> list[Doc]:
    docs: list[Doc] = [ns("a", team="x"), ns("b", team="y")]
    for i, (n, app) in enumerate((n, a) for n in NAMESPACES for a in APPS):
        if draw(st.booleans()) or i < 2:
            docs.append(pod(n, f"{app}-{i}", f"10.0.{i}.1", {"app": app},
                            ports=[{"containerPort": 8080, "name": "http"}]))
    k = draw(st.integers(0, 6))
    for j in range(k):
        docs.append(draw(policy(j)))
    return docs


def _app(draw: st.DrawFn) -> str:
    return str(draw(st.sampled_from(APPS)))


@st.composite
def policy(draw: st.DrawFn, j: int) -> Doc:
    family = draw(st.sampled_from(["knp", "cnp", "ccnp", "cnp-np", "gnp"]))
    n = draw(st.sampled_from(NAMESPACES))
    app, peer = _app(draw), _app(draw)
    port = draw(st.sampled_from(PORTS))
    direction = draw(st.sampled_from(["ingress", "egress"]))
    if family == "knp":
        key = "from" if direction == "ingress" else "to"
        r: Doc = {"ports": [{"port": port}]}
        if draw(st.booleans()):
            r[key] = [{"podSelector": {"matchLabels": {"app": peer}}}]
        elif draw(st.booleans()):
            r[key] = [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.1.0/24"]}}]
        return knp(n, f"k{j}", {"podSelector": {"matchLabels": {"app": app}},
                                "policyTypes": [direction.title()], direction: [r]})
    if family in ("cnp", "ccnp"):
        key = "fromEndpoints" if direction == "ingress" else "toEndpoints"
        r = {key: [{"matchLabels": {"app": peer}}]}
        if draw(st.booleans()):
            r = {("fromEntities" if direction == "ingress" else "toEntities"): [draw(st.sampled_from(
                ["world", "cluster", "all"]))]}
        if draw(st.booleans()):
            r["toPorts"] = [{"ports": [{"port": str(port), "protocol": draw(st.sampled_from(["TCP", "ANY"]))}]}]
        if draw(st.booleans()):
            r = {("fromCIDR" if direction == "ingress" else "toCIDR"): ["10.0.0.0/8", "192.0.2.0/24"]}
        section = direction + ("Deny" if draw(st.booleans()) else "")
        return cnp(n, f"c{j}", {"endpointSelector": {"matchLabels": {"app": app}}, section: [r]},
                   clusterwide=family == "ccnp")
    action = draw(st.sampled_from(["Allow", "Deny", "Pass", "Log"]))
    entity: Doc = {}
    if draw(st.booleans()):
        entity["selector"] = draw(st.sampled_from([f"app == '{peer}'", "feed == 'bad'", "all()"]))
    if draw(st.booleans()):
        entity["nets"] = ["10.0.0.0/16"]
    extra = draw(st.sampled_from(["", "notNets", "notSelector", "namespaceSelector"]))
    if extra == "notNets":
        entity["notNets"] = ["10.0.1.0/24"]
    elif extra == "notSelector":
        entity["notSelector"] = f"app == '{peer}'"
    elif extra == "namespaceSelector":
        entity["namespaceSelector"] = draw(st.sampled_from(["team == 'x'", "global()", "all()"]))
    side = "source" if direction == "ingress" else "destination"
    r = {"action": action, side: entity}
    if draw(st.booleans()):
        r["protocol"] = "TCP"
        r["destination"] = {**r.get("destination", {}), "ports": [port, "8000:8100"]}
    spec: Doc = {"selector": f"app == '{app}'", direction: [r], "types": [direction.title()]}
    order = draw(st.sampled_from([None, 10, 1000, 2000]))
    if order is not None:
        spec["order"] = order
    if draw(st.booleans()):
        spec["tier"] = "sec"
    if family == "gnp":
        return calico("GlobalNetworkPolicy", f"g{j}", spec)
    return calico("NetworkPolicy", f"n{j}", spec, n)


TIER = {"apiVersion": CALICO, "kind": "Tier", "metadata": {"name": "sec"},
        "spec": {"order": 100, "defaultAction": "Pass"}}
FEED = {"apiVersion": CALICO, "kind": "GlobalNetworkSet", "metadata": {"name": "feed", "labels": {"feed": "bad"}},
        "spec": {"nets": ["198.51.100.0/24", "10.0.2.0/24"]}}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cluster())
def test_fast_builder_equals_pair_by_pair(docs: list[Doc]) -> None:
    e = engine([*docs, TIER, FEED])
    assert fast(e.state, e) == pairwise(e.state, e)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cluster(), st.randoms(use_true_random=False))
def test_written_order_never_matters(docs: list[Doc], rnd: object) -> None:
    shuffled = list(docs)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a = engine([*docs, TIER])
    b = engine([TIER, *shuffled])
    assert fast(a.state, a) == fast(b.state, b)
