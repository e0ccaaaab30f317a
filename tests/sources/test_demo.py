"""The bundled demo: it starts, syncs through the live source, holds the deliberate problems, and
the analysis of the live store equals the analysis of the same objects read as manifests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from ktui.analysis.policy.connectivity import connectivity
from ktui.analysis.policy.egress import EgressClass
from ktui.analysis.posture import PostureIndex
from ktui.model.kinds import KINDS
from ktui.model.meta import controller_of
from ktui.sources.demo import DemoCluster
from ktui.sources.manifests import load_paths
from ktui.store import ClusterState
from tests.sources.conftest import Live, served


@pytest.fixture
def demo() -> Iterator[DemoCluster]:
    with DemoCluster() as cluster:
        yield cluster


@pytest.fixture
def live(demo: DemoCluster) -> Iterator[Live]:
    live = Live(demo.server, demo.kubeconfig).start()
    try:
        live.wait_equal()
        yield live
    finally:
        live.source.stop()


def _posture(state: ClusterState) -> list[tuple[str, str, str, bool, bool]]:
    index = PostureIndex(state)
    return sorted((ns, p.subject.name, p.egress.cls.value, p.egress.dns, p.ingress_isolated)
                  for ns, np in index.by_namespace.items() for p in np.pods)


def _hosts_intersect(a: str, b: str) -> bool:
    """Gateway API hostname intersection, enough for the demo's names."""
    if a.startswith("*."):
        return b.endswith(a[1:]) or (b.startswith("*.") and _hosts_intersect(b, a[2:]))
    if b.startswith("*."):
        return a.endswith(b[1:])
    return a == b


def test_demo_syncs_and_is_consistent(demo: DemoCluster, live: Live) -> None:
    state = live.state
    assert live.source.context == "ktui-demo"
    assert not live.problems
    assert {"shop", "payments", "sandbox", "kube-system", "ingress-nginx", "gateway-system"} <= set(
        state.namespace_names())
    dns = [p for p in state.pods("kube-system") if p.metadata.labels.get("k8s-app") == "kube-dns"]
    assert len(dns) == 2 and state.get("Service", "kube-system", "kube-dns") is not None
    assert len([p for p in state.pods("kube-system") if p.metadata.name.startswith("calico-node-")]) == 3
    assert state.get("IngressClass", "", "nginx").is_default()
    assert state.get("GatewayClass", "", "envoy") is not None
    assert state.get("Gateway", "gateway-system", "public") is not None
    for pod in state.pods():
        rs = controller_of(pod.metadata)
        assert rs is not None and pod.ips(), pod.metadata.name
        if rs.kind == "ReplicaSet":
            owner = controller_of(state.get("ReplicaSet", pod.metadata.namespace, rs.name).metadata)
            assert owner is not None and owner.kind == "Deployment"
    for svc in state.objects("Service"):  # EndpointSlices agree with the pods
        if not svc.spec.selector:
            continue
        ns = svc.metadata.namespace
        pods = {ip for p in state.pods(ns) if all(p.metadata.labels.get(k) == v
                                                  for k, v in svc.spec.selector.items()) for ip in p.ips()}
        addresses = {a for s in state.endpoint_slices(ns, svc.metadata.name) for e in s.endpoints for a in e.addresses}
        assert pods and addresses == pods, svc.metadata.name
    tls = state.get("Secret", "shop", "shop-tls")
    alt = tls.metadata.annotations["cert-manager.io/alt-names"].split(",")
    ingress = state.get("Ingress", "shop", "shop")
    assert all(h in alt for t in ingress.spec.tls for h in t.hosts)


def test_demo_holds_the_deliberate_problems(live: Live) -> None:
    state = live.state
    gw = state.get("Gateway", "gateway-system", "public")
    https = next(listener for listener in gw.spec.listeners if listener.name == "https")
    # A route not accepted: marketing is not a namespace the listener admits.
    blog = state.get("HTTPRoute", "marketing", "blog")
    assert blog.spec.parent_refs[0].section_name == "https"
    selector = https.allowed_routes.namespaces.selector
    assert https.allowed_routes.namespaces.from_ == "Selector" and selector is not None
    assert not selector.matches(state.namespace_labels("marketing"))
    assert selector.matches(state.namespace_labels("shop"))
    # And one whose hostname intersects no listener.
    legacy = state.get("HTTPRoute", "shop", "legacy-checkout")
    assert not any(_hosts_intersect(h, listener.hostname or "*")
                   for h in legacy.spec.hostnames for listener in gw.spec.listeners)
    # A Service with no ready endpoints: its pods fail readiness.
    slices = state.endpoint_slices("shop", "recommendations")
    endpoints = [e for s in slices for e in s.endpoints]
    assert endpoints and not any(e.is_ready() for e in endpoints)
    assert not any(p.is_ready() for p in state.pods("shop") if p.metadata.labels.get("app") == "recommendations")
    # An Ingress whose TLS secret is missing.
    echo = state.get("Ingress", "sandbox", "echo")
    assert state.get("Secret", "sandbox", echo.spec.tls[0].secret_name) is None
    # Egress restricted with DNS blocked (analytics), while the locked-down namespaces allow DNS.
    posture = {(ns, name): (cls, dns, iso) for ns, name, cls, dns, iso in _posture(state)}
    analytics = [v for (ns, _), v in posture.items() if ns == "analytics"]
    assert analytics and all(cls != "open" and not dns for cls, dns, _ in analytics)
    for ns in ("shop", "payments"):
        assert all(dns and iso for (n, _), (_, dns, iso) in posture.items() if n == ns), ns
    assert all(cls == "open" and not iso for (n, _), (cls, _, iso) in posture.items() if n == "sandbox")
    payments = [v for (ns, _), v in posture.items() if ns == "payments"]
    assert payments and all(cls == EgressClass.EXTERNAL.value for cls, _, _ in payments)
    lines = [c.line() for c in connectivity(state)]
    provider = [line for line in lines if line.startswith("payments/payments-api")
                and "198.51.100.0-198.51.100.255[External]" in line]
    assert provider and provider[0].endswith(": TCP 443")


def _write_manifests(demo: DemoCluster, folder: Path) -> None:
    for info in KINDS:
        if served(demo.server, info):
            resource = f"{info.plural}.{info.group}" if info.group else info.plural
            docs = demo.server.objects(resource)
            if docs:
                (folder / f"{resource}.yaml").write_text(yaml.safe_dump_all(docs))


def test_live_analysis_equals_manifest_analysis(demo: DemoCluster, live: Live, tmp_path: Path) -> None:
    demo.churn_step()  # a changed pod readiness and more: the live path, not only the first list
    demo.churn_step()
    live.wait_equal()
    _write_manifests(demo, tmp_path)
    from_files, report = load_paths([str(tmp_path)])
    assert not report.problems
    live_lines = [c.line() for c in connectivity(live.state)]
    assert live_lines and live_lines == [c.line() for c in connectivity(from_files)]
    assert _posture(live.state) == _posture(from_files)


def test_churn_changes_flow_through_and_the_store_follows(demo: DemoCluster, live: Live) -> None:
    before = live.changes
    did = [demo.churn_step() for _ in range(8)]  # two full rotations: everything back as it was
    assert any("scaled to 3" in d for d in did) and any("added" in d for d in did)
    live.wait_equal()
    assert live.changes > before
    assert live.state.get("NetworkPolicy", "sandbox", "scratchpad-same-namespace") is None
    assert len([p for p in live.state.pods("shop") if p.metadata.labels.get("app") == "api"]) == 2


def test_churn_thread_runs_when_asked() -> None:
    with DemoCluster(churn=True, churn_interval=0.05) as demo:
        live = Live(demo.server, demo.kubeconfig).start()
        try:
            live.wait(live.settled, "the first sync")
            synced = live.changes
            live.wait(lambda: live.changes >= synced + 6, "churn changes to arrive after the sync")
        finally:
            live.source.stop()
