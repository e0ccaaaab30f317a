"""v1alpha2 ClusterNetworkPolicy: the Admin and Baseline tiers, Accept / Deny / Pass, both port forms."""

from __future__ import annotations

from ktui.analysis.policy.engine import NetpolEngine
from tests.admin.helpers import anp, cnp, deploy, in_ns, netpol, ns, pairs, rule, subject, tcp, verdict
from tests.conftest import state_from

WEB, CLIENT, OTHER = "a/web[Deployment]", "b/client[Deployment]", "c/other[Deployment]"
BASE = [ns("a"), ns("b"), ns("c"), deploy("a", "web", ports=[{"containerPort": 8443, "name": "https"}]),
        deploy("b", "client"), deploy("c", "other")]
A_PODS = {"namespaces": in_ns("a")}
FROM_B = [{"namespaces": in_ns("b")}]
CLOSED = netpol("a", "closed", {"podSelector": {}, "policyTypes": ["Ingress"]})


def test_admin_tier_accept_is_final() -> None:
    docs = [*BASE, CLOSED, cnp("accept", "Admin", 10, A_PODS, ingress=[rule("Accept", FROM_B, [tcp(8443)])])]
    assert pairs(docs)[(CLIENT, WEB)] == "TCP 8443"
    v = verdict(docs, "b/client", "a/web", 8443)
    assert v.allowed and v.ingress.tier == "Admin" and v.ingress.rules[0].action == "Accept"
    assert v.ingress.rules[0].policy == "ClusterNetworkPolicy/accept"


def test_admin_tier_deny_and_pass() -> None:
    open_all = netpol("a", "open", {"podSelector": {}, "ingress": [{}]})
    docs = [*BASE, open_all, cnp("gate", "Admin", 10, A_PODS, ingress=[
        rule("Pass", FROM_B, [tcp(8443)]), rule("Deny", FROM_B)])]
    got = pairs(docs)
    assert got[(CLIENT, WEB)] == "TCP 8443"
    assert got[(OTHER, WEB)] == "All Connections"
    assert verdict(docs, "b/client", "a/web", 22).ingress.tier == "Admin"


def test_baseline_tier_only_without_networkpolicy_and_pass_means_allowed() -> None:
    baseline = cnp("base", "Baseline", 50, {"namespaces": {}}, ingress=[
        rule("Pass", FROM_B, [tcp(8443)]), rule("Deny", FROM_B)])
    docs = [*BASE, baseline]
    assert pairs(docs)[(CLIENT, WEB)] == "TCP 8443"
    v = verdict(docs, "b/client", "a/web", 8443)
    assert v.allowed and v.ingress.tier == "NetworkPolicy" and v.ingress.rules[0].action == "Pass"
    denied = verdict(docs, "b/client", "a/web", 22)
    assert not denied.allowed and denied.ingress.tier == "Baseline"
    with_np = pairs([*BASE, baseline, netpol("a", "open", {"podSelector": {}, "ingress": [{}]})])
    assert with_np[(CLIENT, WEB)] == "All Connections"


def test_protocols_form() -> None:
    docs = [*BASE, CLOSED, cnp("protocols", "Admin", 1, A_PODS, ingress=[{
        "name": "mixed", "action": "Accept", "from": FROM_B, "protocols": [
            {"tcp": {"destinationPort": {"number": 80}}},
            {"udp": {"destinationPort": {"range": {"start": 5000, "end": 5010}}}},
            {"sctp": {}},
            {"destinationNamedPort": "https"}]}])]
    assert pairs(docs)[(CLIENT, WEB)] == "SCTP 1-65535,TCP 80,8443,UDP 5000-5010"
    v = verdict(docs, "b/client", "a/web", 8443)
    assert v.allowed and v.ingress.rules[0].port == 3


def test_admin_cnps_and_anps_share_one_priority_order() -> None:
    docs = [*BASE, CLOSED, anp("anp-allow", 20, A_PODS, ingress=[rule("Allow", FROM_B)]),
            cnp("cnp-deny", "Admin", 10, A_PODS, ingress=[rule("Deny", FROM_B, [tcp(80)])])]
    assert pairs(docs)[(CLIENT, WEB)] == "SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535"
    state = state_from(docs)
    admin, baseline = NetpolEngine(state).admin_selecting(subject(state, "a/web"), "ingress")
    assert [cp.ref for cp in admin] == ["ClusterNetworkPolicy/cnp-deny", "AdminNetworkPolicy/anp-allow"]
    assert baseline == ()


def test_egress_networks_in_a_cnp() -> None:
    docs = [*BASE, cnp("egress", "Admin", 1, {"namespaces": in_ns("b")}, egress=[
        rule("Deny", [{"networks": ["192.168.0.0/16"]}], egress=True)])]
    got = pairs(docs)
    assert (CLIENT, "192.168.0.0-192.168.255.255[External]") not in got
    assert got[(CLIENT, "192.169.0.0-255.255.255.255[External]")] == "All Connections"
