"""The pod screen shows the admin tiers when admin policies select the pod (issue 7)."""

from __future__ import annotations

from ktui.analysis.policy.explain import explain
from ktui.tui.podview import direction
from ktui.tui.themes import Palette
from tests.admin.helpers import anp, deploy, in_ns, ns, rule, subject
from tests.conftest import state_from


def test_admin_tier_is_shown_with_its_deny() -> None:
    state = state_from([
        ns("shop"), ns("tools"), deploy("shop", "web"), deploy("tools", "scanner"),
        anp("no-tools", 10, {"namespaces": in_ns("shop")},
            ingress=[rule("Deny", [{"namespaces": in_ns("tools")}], name="no-tools")]),
    ])
    e = explain(state, subject(state, "shop/web"), with_reachability=False)
    palette = Palette()
    text = direction(palette, e.ingress, None)
    plain = text.plain
    assert "admin tier" in plain and "AdminNetworkPolicy" in plain and "no-tools" in plain
    assert "not isolated: all traffic is allowed" not in plain
    denied = [span for span in text.spans if span.style == palette.fail]
    assert denied, "the Deny rule is coloured as a failure"
    # without admin policies the NetworkPolicy view is unchanged
    plain_egress = direction(palette, e.egress, None).plain
    assert "Egress: not isolated" in plain_egress
