"""Egress class on the effective sets of all tiers, DNS reachability written once, the egress
destinations (CIDRs, ports, opening rules), and what ktui cannot see."""

from __future__ import annotations

from typing import Any

from ktui.analysis.core.portset import ALL, single
from ktui.analysis.core.subjects import ExternalRange
from ktui.analysis.policy import (
    DNS_STAND_IN,
    EgressClass,
    PolicyEngine,
    dns_check,
    egress_destinations,
    egress_posture,
    range_cidrs,
)
from ktui.store import ClusterState
from tests.admin.helpers import ALL_NS, anp, deploy, in_ns, netpol, ns, rule, subject
from tests.conftest import state_from

Doc = dict[str, Any]
BASE = [ns("a"), ns("b", team="x"), ns("kube-system"), deploy("a", "web"), deploy("b", "db")]


def egress(*peers: Doc, ports: list[Doc] | None = None) -> Doc:
    rule_: Doc = {"to": list(peers)}
    if ports is not None:
        rule_["ports"] = ports
    return netpol("a", "out", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [rule_]})


def block(cidr: str, *excepts: str) -> Doc:
    return {"ipBlock": {"cidr": cidr, "except": list(excepts)}} if excepts else {"ipBlock": {"cidr": cidr}}


def posture(docs: list[Doc], hide: list[tuple[str, str]] = ()):  # type: ignore[no-untyped-def,assignment]
    state = state_from(docs)
    for kind, namespace in hide:
        state.set_unseen(kind, "forbidden", namespace)
    engine = PolicyEngine(state)
    return egress_posture(engine, subject(state, "a/web")), engine, state


def test_two_halves_are_the_internet_and_a_pass_only_policy_changes_nothing() -> None:
    halves = [*BASE, egress(block("0.0.0.0/1"), block("128.0.0.0/1"), ports=[{"port": 443}])]
    p, _, _ = posture(halves)
    assert p.cls is EgressClass.INTERNET and p.internet_ports == single("TCP", 443) and not p.dns
    noop = anp("noop", 1, {"namespaces": {}}, egress=[rule("Pass", [{"networks": ["0.0.0.0/0"]}], egress=True)])
    q, _, _ = posture([*halves, noop])
    assert (q.cls, q.dns, q.internet_ports) == (p.cls, p.dns, p.internet_ports)


def test_private_space_alone_is_external_and_denying_it_keeps_the_internet() -> None:
    assert posture([*BASE, egress(block("10.0.0.0/8"))])[0].cls is EgressClass.EXTERNAL
    p, _, _ = posture([*BASE, egress(block("0.0.0.0/0", "10.0.0.0/8"))])
    assert p.cls is EgressClass.INTERNET and p.internet_ports == ALL


def test_selectors_that_reach_a_pod_are_cluster_and_dns_is_the_stand_in() -> None:
    p, engine, state = posture([*BASE, egress({"namespaceSelector": {"matchLabels": {"team": "x"}}})])
    assert p.cls is EgressClass.CLUSTER and not p.dns
    dns = dns_check(engine, subject(state, "a/web"))
    assert dns.stand_in and not dns.ok and dns.verdicts[0].dst == str(DNS_STAND_IN)
    to_dns = egress({"namespaceSelector": in_ns("kube-system")}, ports=[{"port": 53, "protocol": "UDP"}])
    assert posture([*BASE, to_dns])[0].dns


def test_nothing_restricting_egress_is_open_even_with_admin_allows() -> None:
    p, _, _ = posture([*BASE, anp("x", 1, {"namespaces": in_ns("a")}, egress=[rule("Allow", [ALL_NS], egress=True)])])
    assert p.cls is EgressClass.OPEN and p.dns


def test_unseen_networkpolicies_make_the_class_unknown_never_open() -> None:
    p, engine, state = posture(BASE, hide=[("NetworkPolicy", "a")])
    assert p.cls is EgressClass.UNKNOWN and p.unknown is not None and "forbidden" in p.unknown
    v = engine.can_reach(subject(state, "a/web"), subject(state, "b/db"), 80, "TCP")
    assert not v.allowed and v.unknown is not None and "NetworkPolicies in a" in v.unknown
    assert engine.can_reach(subject(state, "b/db"), ExternalRange(4, 1, 1), 80, "TCP").allowed  # b is seen


def test_unseen_namespaces_leave_name_selectors_known_and_label_selectors_unknown() -> None:
    by_name = egress({"namespaceSelector": in_ns("b")}, ports=[{"port": 80}])
    p, engine, state = posture([*BASE, by_name], hide=[("Namespace", "")])
    assert p.cls is EgressClass.CLUSTER
    by_label = egress({"namespaceSelector": {"matchLabels": {"team": "x"}}}, ports=[{"port": 80}])
    _, engine, state = posture([*BASE, by_label], hide=[("Namespace", "")])
    v = engine.can_reach(subject(state, "a/web"), subject(state, "b/db"), 80, "TCP")
    assert not v.allowed and v.unknown is not None and v.unknown.startswith("Namespaces")


def test_destinations_give_cidrs_ports_and_the_rule_that_opens_them() -> None:
    docs = [*BASE, egress(block("10.0.0.0/8", "10.1.0.0/16"), ports=[{"port": 5432}]),
            netpol("a", "dns", {"podSelector": {}, "policyTypes": ["Egress"],
                                "egress": [{"to": [{"namespaceSelector": {}}], "ports": [{"port": 80}]}]})]
    state = state_from(docs)
    found = egress_destinations(PolicyEngine(state), subject(state, "a/web"))
    external = [d for d in found if d.workload is None]
    assert [d.cidrs for d in external] == [("10.0.0.0/16",), ("10.2.0.0/15", "10.4.0.0/14", "10.8.0.0/13",
                                                                "10.16.0.0/12", "10.32.0.0/11", "10.64.0.0/10",
                                                                "10.128.0.0/9")]
    assert all(d.ports == single("TCP", 5432) for d in external)
    assert [(r.kind, r.namespace, r.policy_name, r.index, r.action) for r in external[0].rules] == [
        ("NetworkPolicy", "a", "out", 0, "Allow")]
    inside = [d for d in found if d.workload is not None]
    assert [(str(d.workload), d.ports) for d in inside] == [("b/db[Deployment]", single("TCP", 80))]
    assert inside[0].rules[0].policy_name == "dns"


def test_range_cidrs_is_the_minimal_cover() -> None:
    assert range_cidrs(ExternalRange(4, 0, 2**32 - 1)) == ["0.0.0.0/0"]
    assert range_cidrs(ExternalRange(4, 167772160, 167772161 + 1)) == ["10.0.0.0/31", "10.0.0.2/32"]
    assert range_cidrs(ExternalRange(6, 0, 2**128 - 1)) == ["::/0"]


def test_state_changes_rebuild_the_tiers() -> None:
    state: ClusterState = state_from(BASE)
    engine = PolicyEngine(state)
    web = subject(state, "a/web")
    assert egress_posture(engine, web).cls is EgressClass.OPEN
    state.set_unseen("NetworkPolicy", "forbidden", "a")
    assert egress_posture(engine, web).cls is EgressClass.UNKNOWN
    state.set_unseen("NetworkPolicy", None, "a")
    assert egress_posture(engine, web).cls is EgressClass.OPEN


def test_port_53_to_some_address_counts_as_dns_without_dns_pods_in_view() -> None:
    """NodeLocal DNSCache, an outside resolver, or the pod network: the stand-ins have no IP."""
    p = posture([*BASE, egress(block("0.0.0.0/0"), ports=[{"port": 53, "protocol": "UDP"}])])[0]
    assert p.dns and p.cls is EgressClass.INTERNET
    assert posture([*BASE, egress(block("169.254.20.10/32"), ports=[{"port": 53, "protocol": "UDP"}])])[0].dns
    assert posture([*BASE, egress(block("10.0.0.0/8"))])[0].dns
    assert not posture([*BASE, egress(block("0.0.0.0/0"), ports=[{"port": 443}])])[0].dns


def test_dns_stand_ins_answer_to_the_usual_selectors() -> None:
    kube_dns_by_legacy_name = egress({"namespaceSelector": {"matchLabels": {"name": "kube-system"}}},
                                     ports=[{"port": 53, "protocol": "UDP"}])
    coredns_anywhere = egress({"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "coredns"}}},
                              ports=[{"port": 53, "protocol": "UDP"}])
    only_db = egress({"podSelector": {"matchLabels": {"app": "db"}}})
    no_kube_system = [d for d in BASE if d["metadata"]["name"] != "kube-system"]  # not in view: conventional labels
    assert posture([*no_kube_system, kube_dns_by_legacy_name])[0].dns
    assert not posture([*BASE, kube_dns_by_legacy_name])[0].dns  # in view, without that label
    assert posture([*BASE, coredns_anywhere])[0].dns
    assert not posture([*BASE, only_db])[0].dns
