"""Named ports, port ranges, egress to networks (and how they split the destination ranges), nodes."""

from __future__ import annotations

from ipaddress import ip_address as _ip

from ktui.analysis.core.subjects import ExternalRange
from ktui.analysis.policy.engine import NetpolEngine
from tests.admin.helpers import (
    ALL_NS,
    anp,
    banp,
    deploy,
    in_ns,
    lines,
    netpol,
    node,
    ns,
    pairs,
    pod,
    rule,
    subject,
    tcp,
    verdict,
)
from tests.conftest import state_from

WEB, WEB2, CLIENT = "a/web[Deployment]", "a/web2[Deployment]", "b/client[Deployment]"
FROM_B = [{"namespaces": in_ns("b")}]
DNS_PORTS = [{"containerPort": 80, "name": "http"}, {"containerPort": 53, "name": "dns", "protocol": "UDP"}]
BASE = [ns("a"), ns("b"), deploy("a", "web", ports=DNS_PORTS),
        deploy("a", "web2", ports=[{"containerPort": 8080, "name": "http"}]), deploy("b", "client")]


def test_named_port_resolves_on_each_destination_with_its_protocol() -> None:
    docs = [*BASE, anp("named", 1, {"namespaces": in_ns("a")},
                       ingress=[rule("Deny", FROM_B, [{"namedPort": "http"}, {"namedPort": "dns"}])])]
    got = pairs(docs)
    assert got[(CLIENT, WEB)] == "SCTP 1-65535,TCP 1-79,81-65535,UDP 1-52,54-65535"
    assert got[(CLIENT, WEB2)] == "SCTP 1-65535,TCP 1-8079,8081-65535,UDP 1-65535"
    v = verdict(docs, "b/client", "a/web", 53, "UDP")
    assert not v.allowed and v.ingress.rules[0].port == 1


def test_unresolved_named_port_matches_nothing() -> None:
    docs = [*BASE, anp("named", 1, {"namespaces": in_ns("a")}, ingress=[rule("Deny", FROM_B, [{"namedPort": "nope"}])])]
    assert pairs(docs)[(CLIENT, WEB)] == "All Connections"


def test_named_port_towards_an_address_is_ignored() -> None:
    docs = [*BASE, anp("out", 1, {"namespaces": in_ns("b")}, egress=[
        rule("Deny", [{"networks": ["0.0.0.0/0"]}], [{"namedPort": "http"}], egress=True),
        rule("Deny", [{"networks": ["0.0.0.0/0"]}], [tcp(22)], egress=True)])]
    assert pairs(docs)[(CLIENT, "0.0.0.0-255.255.255.255[External]")] == "SCTP 1-65535,TCP 1-21,23-65535,UDP 1-65535"


def test_port_range_with_protocol() -> None:
    closed = netpol("a", "closed", {"podSelector": {}, "policyTypes": ["Ingress"]})
    docs = [*BASE, closed, anp("range", 1, {"namespaces": in_ns("a")}, ingress=[
        rule("Allow", FROM_B, [{"portRange": {"start": 8000, "end": 8080}},
                               {"portRange": {"protocol": "UDP", "start": 5000, "end": 5001}}])])]
    assert pairs(docs)[(CLIENT, WEB)] == "TCP 8000-8080,UDP 5000-5001"
    assert verdict(docs, "b/client", "a/web", 8080).allowed
    assert not verdict(docs, "b/client", "a/web", 8081).allowed


def test_egress_networks_split_the_destination_ranges() -> None:
    docs = [*BASE, anp("no-443-internal", 1, {"namespaces": in_ns("b")},
                       egress=[rule("Deny", [{"networks": ["10.0.0.0/8"]}], [tcp(443)], egress=True)])]
    out = [line for line in lines(docs) if line.startswith(CLIENT + " => ") and "External" in line]
    assert out == [
        f"{CLIENT} => 0.0.0.0-9.255.255.255[External] : All Connections",
        f"{CLIENT} => 10.0.0.0-10.255.255.255[External] : SCTP 1-65535,TCP 1-442,444-65535,UDP 1-65535",
        f"{CLIENT} => 11.0.0.0-255.255.255.255[External] : All Connections",
    ]
    # the split is global, as for ipBlocks: every workload sees the same ranges; sources are not split
    assert f"{WEB} => 10.0.0.0-10.255.255.255[External] : All Connections" in lines(docs)
    assert f"0.0.0.0-255.255.255.255[External] => {WEB} : All Connections" in lines(docs)


def test_networks_rule_order_and_baseline_networks() -> None:
    docs = [*BASE,
            anp("dns", 1, {"namespaces": {}}, egress=[
                rule("Deny", [{"networks": ["8.8.8.8/32"]}], [tcp(53, "UDP")], egress=True),
                rule("Allow", [{"networks": ["8.8.0.0/16"]}], egress=True),
                rule("Pass", [{"networks": ["0.0.0.0/0"]}], egress=True)]),
            banp({"namespaces": {}}, egress=[rule("Deny", [{"networks": ["0.0.0.0/0"]}], egress=True)])]
    got = pairs(docs)
    assert got[(CLIENT, "8.8.8.8-8.8.8.8[External]")] == "SCTP 1-65535,TCP 1-65535,UDP 1-52,54-65535"
    assert got[(CLIENT, "8.8.0.0-8.8.8.7[External]")] == "All Connections"
    assert (CLIENT, "0.0.0.0-8.7.255.255[External]") not in got  # passed, then denied by the baseline
    assert got[(CLIENT, WEB)] == "All Connections"  # pods have no IP here: networks do not match them
    engine = NetpolEngine(state_from(docs))
    v = engine.can_reach(subject(engine.state, "b/client"), ExternalRange.of_ip(_ip("1.2.3.4")), 443, "TCP")
    assert not v.allowed and v.egress.tier == "BaselineAdminNetworkPolicy"
    assert [r.action for r in v.egress.rules] == ["Pass", "Deny"]


def test_networks_match_pods_by_known_ip() -> None:
    docs = [ns("a"), ns("b"), pod("a", "web", "10.1.2.5"), pod("b", "client", "192.168.0.9"),
            anp("no-db-net", 1, {"namespaces": in_ns("b")},
                egress=[rule("Deny", [{"networks": ["10.1.2.0/24"]}], egress=True)])]
    got = pairs(docs)
    assert ("b/client[Pod]", "a/web[Pod]") not in got
    assert got[("a/web[Pod]", "b/client[Pod]")] == "All Connections"


def test_nodes_peers_match_node_addresses_and_split_at_them() -> None:
    policy = anp("no-infra-nodes", 1, {"namespaces": in_ns("b")}, egress=[
        rule("Deny", [{"nodes": {"matchLabels": {"role": "infra"}}}], egress=True)])
    with_nodes = [*BASE, node("n1", "172.16.0.10", role="infra"), node("n2", "172.16.0.11", role="app"), policy]
    got = pairs(with_nodes)
    assert (CLIENT, "172.16.0.10-172.16.0.10[External]") not in got
    assert got[(CLIENT, "172.16.0.11-255.255.255.255[External]")] == "All Connections"
    assert got[(CLIENT, "0.0.0.0-172.16.0.9[External]")] == "All Connections"
    state = state_from(with_nodes)
    v = NetpolEngine(state).can_reach(subject(state, "b/client"), ExternalRange.of_ip(_ip("172.16.0.10")), 22, "TCP")
    assert not v.allowed and v.egress.rules[0].policy == "AdminNetworkPolicy/no-infra-nodes"
    # no Node objects (plain manifests): a nodes peer matches nothing and splits nothing
    assert pairs([*BASE, policy])[(CLIENT, "0.0.0.0-255.255.255.255[External]")] == "All Connections"


def test_ipv6_networks_are_honoured() -> None:
    docs = [*BASE, anp("v6", 1, {"namespaces": in_ns("b")},
                       egress=[rule("Deny", [{"networks": ["fd00::/8"]}], egress=True)])]
    out = [line for line in lines(docs) if line.startswith(CLIENT + " => ") and ":" in line.split(" => ")[1][:6]]
    assert out == [
        f"{CLIENT} => ::-fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External] : All Connections",
        f"{CLIENT} => fe00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External] : All Connections",
    ]


def test_ports_of_admin_rules_apply_to_the_right_direction_destination() -> None:
    """Egress named ports resolve on the destination pod, not on the pod the policy selects."""
    docs = [*BASE, netpol("b", "closed", {"podSelector": {}, "policyTypes": ["Egress"]}),
            anp("out", 1, {"namespaces": in_ns("b")},
                egress=[rule("Allow", [{"namespaces": in_ns("a")}], [{"namedPort": "http"}], egress=True)])]
    got = pairs(docs)
    assert got[(CLIENT, WEB)] == "TCP 80"
    assert got[(CLIENT, WEB2)] == "TCP 8080"
    assert not any(src == CLIENT and "External" in dst for src, dst in got)


def test_rules_without_ports_and_with_all_namespaces() -> None:
    quarantined = {"pods": {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "web2"}}}}
    docs = [*BASE, anp("quarantine", 1, quarantined, ingress=[rule("Deny", [ALL_NS])],
                       egress=[rule("Deny", [ALL_NS], egress=True)])]
    got = pairs(docs)
    assert not any(WEB2 in pair for pair in got if "External" not in pair[0] + pair[1])
    assert got[(CLIENT, WEB)] == "All Connections"
