"""Each action and tier, and how the tiers combine with NetworkPolicy (per direction)."""

from __future__ import annotations

from ktui.analysis.policy import priority_conflicts
from tests.admin.helpers import (
    ALL_NS,
    anp,
    banp,
    deploy,
    in_ns,
    netpol,
    ns,
    pairs,
    pods_peer,
    rule,
    tcp,
    verdict,
)
from tests.conftest import state_from

WEB, CLIENT, OTHER = "a/web[Deployment]", "b/client[Deployment]", "c/other[Deployment]"
BASE = [ns("a"), ns("b"), ns("c"), deploy("a", "web"), deploy("b", "client"), deploy("c", "other")]
WEB_SUBJECT = {"pods": {"namespaceSelector": in_ns("a"), "podSelector": {"matchLabels": {"app": "web"}}}}
FROM_B = [{"namespaces": in_ns("b")}]
DENY_ALL_INGRESS = netpol("a", "deny-all", {"podSelector": {}, "policyTypes": ["Ingress"]})
ALLOW_ALL_INGRESS = netpol("a", "allow-all", {"podSelector": {}, "ingress": [{}]})
ALL_BUT_TCP_80 = "SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535"


def test_allow_is_final_over_a_networkpolicy_that_isolates() -> None:
    docs = [*BASE, DENY_ALL_INGRESS, anp("open-80", 10, WEB_SUBJECT, ingress=[rule("Allow", FROM_B, [tcp(80)])])]
    got = pairs(docs)
    assert got[(CLIENT, WEB)] == "TCP 80"
    assert (OTHER, WEB) not in got  # the NetworkPolicy decides for everyone else
    v = verdict(docs, "b/client", "a/web", 80)
    assert v.allowed and v.ingress.tier == "AdminNetworkPolicy"
    assert [(r.policy, r.action, r.name) for r in v.ingress.rules] == [("AdminNetworkPolicy/open-80", "Allow", "allow")]
    assert v.ingress.isolated and v.ingress.policies == ("a/deny-all",)
    assert not verdict(docs, "b/client", "a/web", 81).allowed


def test_deny_is_final_over_a_networkpolicy_that_allows() -> None:
    docs = [*BASE, ALLOW_ALL_INGRESS, anp("no-80", 10, WEB_SUBJECT, ingress=[rule("Deny", FROM_B, [tcp(80)])])]
    got = pairs(docs)
    assert got[(CLIENT, WEB)] == ALL_BUT_TCP_80
    assert got[(OTHER, WEB)] == "All Connections"
    v = verdict(docs, "b/client", "a/web", 80)
    assert not v.allowed and v.ingress.tier == "AdminNetworkPolicy"
    assert v.ingress.reason().startswith('denied by AdminNetworkPolicy/no-80 ingress[0] "deny" peer[0] port[0]')


def test_pass_hands_over_to_the_networkpolicy() -> None:
    only_8080 = netpol("a", "only-8080", {"podSelector": {}, "ingress": [
        {"from": [{"namespaceSelector": {}}], "ports": [{"port": 8080}]}]})
    docs = [*BASE, only_8080, anp("pass", 10, WEB_SUBJECT, ingress=[rule("Pass", FROM_B)])]
    assert pairs(docs)[(CLIENT, WEB)] == "TCP 8080"
    v = verdict(docs, "b/client", "a/web", 8080)
    assert v.allowed and v.ingress.tier == "NetworkPolicy"
    assert [r.action for r in v.ingress.rules] == ["Pass", "Allow"]
    assert v.ingress.reason().startswith("passed by AdminNetworkPolicy/pass ingress[0]")
    denied = verdict(docs, "b/client", "a/web", 80)
    assert not denied.allowed and "isolated by a/only-8080; no rule allows it" in denied.ingress.reason()


def test_pass_shadows_later_admin_rules_and_falls_to_the_default() -> None:
    docs = [*BASE, anp("first", 1, WEB_SUBJECT, ingress=[rule("Pass", FROM_B, [tcp(80)])]),
            anp("second", 2, WEB_SUBJECT, ingress=[rule("Deny", FROM_B)])]
    assert pairs(docs)[(CLIENT, WEB)] == "TCP 80"  # passed, no NetworkPolicy, no baseline: allowed
    v = verdict(docs, "b/client", "a/web", 80)
    assert v.allowed and v.ingress.tier == "NetworkPolicy" and not v.ingress.isolated
    assert v.ingress.reason().endswith("not isolated: all traffic allowed")


def test_pass_falls_through_to_the_baseline() -> None:
    docs = [*BASE, anp("pass-80", 1, WEB_SUBJECT, ingress=[rule("Pass", FROM_B, [tcp(80)]),
                                                          rule("Allow", FROM_B)]),
            banp({"namespaces": in_ns("a")}, ingress=[rule("Deny", [ALL_NS], [tcp(80), tcp(81)])])]
    got = pairs(docs)
    assert got[(CLIENT, WEB)] == ALL_BUT_TCP_80  # 80 passed to the baseline, which denies it
    assert got[(OTHER, WEB)] == "SCTP 1-65535,TCP 1-79,82-65535,UDP 1-65535"
    v = verdict(docs, "b/client", "a/web", 80)
    assert not v.allowed and v.ingress.tier == "BaselineAdminNetworkPolicy"
    assert [r.action for r in v.ingress.rules] == ["Pass", "Deny"]


def test_baseline_applies_only_when_no_networkpolicy_selects_the_pod() -> None:
    api_policy = netpol("a", "api-open", {"podSelector": {"matchLabels": {"app": "api"}}, "ingress": [{}]})
    egress_only = netpol("a", "web-egress", {"podSelector": {"matchLabels": {"app": "web"}},
                                             "policyTypes": ["Egress"], "egress": [{}]})
    docs = [*BASE, deploy("a", "api"), api_policy, egress_only,
            banp({"namespaces": {}}, ingress=[rule("Deny", FROM_B)])]
    got = pairs(docs)
    assert (CLIENT, WEB) not in got  # an Egress-only policy does not take ingress from the baseline
    assert got[(CLIENT, "a/api[Deployment]")] == "All Connections"
    assert got[(OTHER, WEB)] == "All Connections"
    assert verdict(docs, "b/client", "a/web", 80).ingress.tier == "BaselineAdminNetworkPolicy"
    assert verdict(docs, "b/client", "a/api", 80).ingress.tier == "NetworkPolicy"


def test_baseline_allow_shadows_a_later_deny_but_never_overrides_a_networkpolicy() -> None:
    baseline = banp({"namespaces": {}}, ingress=[rule("Allow", FROM_B, [tcp(8080)]), rule("Deny", FROM_B)])
    docs = [*BASE, deploy("a", "api"), baseline,
            netpol("a", "api-closed", {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress"]})]
    got = pairs(docs)
    assert got[(CLIENT, WEB)] == "TCP 8080"
    assert (CLIENT, "a/api[Deployment]") not in got
    v = verdict(docs, "b/client", "a/web", 8080)
    assert v.allowed and v.ingress.tier == "BaselineAdminNetworkPolicy" and v.ingress.rules[0].action == "Allow"


def test_rule_order_within_a_policy_decides() -> None:
    deny_first = anp("p", 5, WEB_SUBJECT, ingress=[rule("Deny", FROM_B, [tcp(80)]), rule("Allow", FROM_B)])
    allow_first = anp("p", 5, WEB_SUBJECT, ingress=[rule("Allow", FROM_B), rule("Deny", FROM_B, [tcp(80)])])
    assert pairs([*BASE, DENY_ALL_INGRESS, deny_first])[(CLIENT, WEB)] == ALL_BUT_TCP_80
    assert pairs([*BASE, DENY_ALL_INGRESS, allow_first])[(CLIENT, WEB)] == "All Connections"


def test_lower_priority_number_goes_first_whatever_the_names() -> None:
    def docs(deny_priority: int) -> list[dict[str, object]]:
        return [*BASE, DENY_ALL_INGRESS,
                anp("aaa-allow", 20, WEB_SUBJECT, ingress=[rule("Allow", FROM_B)]),
                anp("zzz-deny", deny_priority, WEB_SUBJECT, ingress=[rule("Deny", FROM_B, [tcp(80)])])]

    assert pairs(docs(10))[(CLIENT, WEB)] == ALL_BUT_TCP_80
    assert pairs(docs(30))[(CLIENT, WEB)] == "All Connections"
    assert verdict(docs(10), "b/client", "a/web", 80).ingress.rules[0].policy == "AdminNetworkPolicy/zzz-deny"


def test_admin_deny_on_some_ports_and_networkpolicy_allowing_others() -> None:
    np_80_8080 = netpol("a", "web", {"podSelector": {}, "ingress": [
        {"from": [{"namespaceSelector": {}}], "ports": [{"port": 80}, {"port": 8080}]}]})
    docs = [*BASE, np_80_8080,
            anp("no-80s", 3, WEB_SUBJECT, ingress=[rule("Deny", FROM_B, [{"portRange": {"start": 80, "end": 90}}])])]
    got = pairs(docs)
    assert got[(CLIENT, WEB)] == "TCP 8080"
    assert got[(OTHER, WEB)] == "TCP 80,8080"


def test_egress_rules_and_subject_selection() -> None:
    docs = [*BASE, anp("a-out", 7, {"namespaces": in_ns("a")},
                       egress=[rule("Deny", [pods_peer("b", app="client")], egress=True)])]
    got = pairs(docs)
    assert (WEB, CLIENT) not in got
    assert got[(WEB, OTHER)] == "All Connections"
    assert got[(CLIENT, WEB)] == "All Connections"  # the policy has no ingress rules: ingress untouched
    v = verdict(docs, "a/web", "b/client", 443)
    assert not v.allowed and v.egress.tier == "AdminNetworkPolicy" and v.ingress.allowed
    assert v.egress.admin_policies == ("AdminNetworkPolicy/a-out",) and v.ingress.admin_policies == ()


def test_addresses_outside_the_cluster_never_match_admin_ingress_peers() -> None:
    docs = [*BASE, anp("deny-everyone", 1, {"namespaces": {}}, ingress=[rule("Deny", [ALL_NS])])]
    got = pairs(docs)
    assert got[("0.0.0.0-255.255.255.255[External]", WEB)] == "All Connections"
    assert (CLIENT, WEB) not in got and (OTHER, CLIENT) not in got


def test_equal_priorities_are_reported_per_tier() -> None:
    docs = [*BASE, anp("one", 5, WEB_SUBJECT, ingress=[rule("Allow", FROM_B)]),
            anp("two", 5, WEB_SUBJECT, ingress=[rule("Deny", FROM_B)]),
            anp("three", 6, WEB_SUBJECT, ingress=[rule("Deny", FROM_B)]),
            {"apiVersion": "policy.networking.k8s.io/v1alpha2", "kind": "ClusterNetworkPolicy",
             "metadata": {"name": "base"}, "spec": {"tier": "Baseline", "priority": 5, "subject": {"namespaces": {}},
                                                    "ingress": [rule("Deny", FROM_B)]}}]
    conflicts = priority_conflicts(state_from(docs))
    assert [(c.tier, c.priority, c.policies) for c in conflicts] == [
        ("admin", 5, ("AdminNetworkPolicy/one", "AdminNetworkPolicy/two"))]
    assert priority_conflicts(state_from(BASE)) == []


def test_networkpolicy_only_verdicts_read_as_before() -> None:
    docs = [*BASE, DENY_ALL_INGRESS]
    v = verdict(docs, "b/client", "a/web", 80)
    assert v.ingress.reason() == "isolated by a/deny-all; no rule allows it"
    assert v.egress.reason() == "not isolated: all traffic allowed"
    assert v.ingress.admin_policies == () and v.ingress.tier == "NetworkPolicy"
