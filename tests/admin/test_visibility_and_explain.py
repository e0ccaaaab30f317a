"""What ktui cannot see in the admin tiers gives unknown answers, never allowed; explain is data:
tiers in order, selecting policies with kind/name/tier, rules referenced by fields."""

from __future__ import annotations

from ktui.analysis.policy import PolicyEngine, explain
from ktui.analysis.policy.tier import End, Mode
from tests.admin.helpers import anp, banp, deploy, in_ns, netpol, ns, rule, subject, tcp
from tests.conftest import state_from

DOCS = [ns("a"), ns("b"), deploy("a", "web"), deploy("b", "client"),
        anp("guard", 5, {"namespaces": in_ns("a")}, ingress=[rule("Deny", [{"namespaces": in_ns("b")}], [tcp(22)])]),
        netpol("a", "web-in", {"podSelector": {}, "ingress": [{"ports": [{"port": 80}]}]}),
        banp({"namespaces": {}}, egress=[rule("Deny", [{"networks": ["0.0.0.0/0"]}], [tcp(25)], egress=True)])]


def test_unseen_admin_policies_make_every_answer_unknown_that_they_could_decide() -> None:
    state = state_from(DOCS)
    state.set_unseen("AdminNetworkPolicy", "forbidden")
    engine = PolicyEngine(state)
    web, client = subject(state, "a/web"), subject(state, "b/client")
    v = engine.can_reach(client, web, 80, "TCP")
    assert not v.allowed and v.ingress.unknown is not None and "AdminNetworkPolicy: forbidden" in v.ingress.unknown
    assert engine.connection(client, web).describe() == "No Connections"
    state.set_unseen("AdminNetworkPolicy", None)
    assert engine.can_reach(client, web, 80, "TCP").allowed


def test_verdict_fields_name_the_deciding_tier_rule_and_action() -> None:
    state = state_from(DOCS)
    engine = PolicyEngine(state)
    web, client = subject(state, "a/web"), subject(state, "b/client")
    denied = engine.can_reach(client, web, 22, "TCP").ingress
    assert (denied.allowed, denied.decided_by, denied.action) == (False, "Admin", "Deny")
    assert denied.tier == "AdminNetworkPolicy"
    ref = denied.rules[0]
    assert (ref.kind, ref.namespace, ref.policy_name, ref.direction, ref.index, ref.action) == (
        "AdminNetworkPolicy", "", "guard", "ingress", 0, "Deny")
    allowed = engine.can_reach(client, web, 80, "TCP").ingress
    assert allowed.decided_by == "NetworkPolicy" and allowed.rules[0].namespace == "a"
    assert allowed.rules[0].policy_name == "web-in" and allowed.isolated


def test_explain_lists_the_tiers_in_order_with_their_policies() -> None:
    state = state_from(DOCS)
    e = explain(state, subject(state, "a/web"), with_reachability=False)
    assert [(t.tier, t.mode, t.end) for t in e.ingress.tiers] == [
        ("Admin", Mode.FIRST_MATCH, End.NEXT), ("NetworkPolicy", Mode.UNION, End.DENY)]
    assert [(p.kind, p.name, p.tier, p.priority) for t in e.ingress.tiers for p in t.policies] == [
        ("AdminNetworkPolicy", "guard", "AdminNetworkPolicy", 5), ("NetworkPolicy", "web-in", "NetworkPolicy", None)]
    assert [(t.tier, [p.kind for p in t.policies]) for t in e.egress.tiers] == [
        ("Baseline", ["BaselineAdminNetworkPolicy"])]
    assert e.ingress.isolated and not e.egress.isolated
