"""The namespace Policies tab lists Calico and Cilium policies next to Kubernetes ones."""

from __future__ import annotations

from types import SimpleNamespace

from ktui.analysis.policy.cni_listing import tier_policies
from ktui.analysis.posture import PostureIndex
from ktui.tui.nsdata import policy_rows
from tests.cilium.tiers import calico, cnp, engine, knp, ns, pod


def test_namespace_rows_include_calico_and_cilium() -> None:
    e = engine([ns("a"), pod("a", "web", "10.0.0.1", {"app": "web"}), pod("a", "db", "10.0.0.2", {"app": "db"}),
                knp("a", "k", {"podSelector": {}, "policyTypes": ["Ingress"]}),
                calico("NetworkPolicy", "web-in", {"selector": "app == 'web'", "ingress": [{"action": "Allow"}]}, "a"),
                cnp("a", "db-out", {"endpointSelector": {"matchLabels": {"app": "db"}}, "egress": [{}]})])
    listed = {name: (ref, dirs) for name, ref, dirs, _ in tier_policies(e, "a")}
    assert listed["CalicoNetworkPolicy web-in (default tier)"] == ("CalicoNetworkPolicy a/web-in", ("ingress",))
    assert listed["CiliumNetworkPolicy db-out"] == ("CiliumNetworkPolicy a/db-out", ("egress",))
    index = PostureIndex(e.state, e)
    bridge = SimpleNamespace(namespace=index.by_namespace.get, analysis=SimpleNamespace(engine=e))
    rows = {r.name: r for r in policy_rows(bridge, "a")}  # type: ignore[arg-type]
    assert rows["CalicoNetworkPolicy web-in (default tier)"].pods == ["web"]
    assert rows["CiliumNetworkPolicy db-out"].pods == ["db"] and rows["CiliumNetworkPolicy db-out"].types == "Egress"
