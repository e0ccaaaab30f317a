"""The TUI pod screen shows Calico and Cilium tiers through the engine (nothing family-specific)."""

from __future__ import annotations

from ktui.analysis.policy.explain import explain
from ktui.tui.podview import direction
from ktui.tui.themes import Palette
from tests.cilium.tiers import calico, cnp, engine, ns, pod, subject


def test_pod_screen_names_calico_and_cilium_rules() -> None:
    e = engine([ns("a"), pod("a", "web", "10.0.0.1", {"app": "web"}), pod("a", "client", "10.0.0.2"),
                calico("GlobalNetworkPolicy", "no-ssh", {"selector": "all()", "ingress": [
                    {"action": "Deny", "protocol": "TCP", "destination": {"ports": [22]}}, {"action": "Pass"}]}),
                cnp("a", "out", {"endpointSelector": {"matchLabels": {"app": "web"}},
                                 "egress": [{"toFQDNs": [{"matchName": "api.example.com"}]}]})])
    ex = explain(e.state, subject(e, "a", "web"), e, with_reachability=False)
    palette = Palette()
    ingress = direction(palette, ex.ingress, None).plain
    egress = direction(palette, ex.egress, None).plain
    assert "GlobalNetworkPolicy no-ssh" in ingress and "Deny TCP to ports 22" in ingress
    assert "CiliumNetworkPolicy a/out" in egress and "api.example.com" in egress
