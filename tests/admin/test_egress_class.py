"""The egress class (open > internet > external > cluster > denied) with admin policies in play."""

from __future__ import annotations

from typing import Any

from ktui.analysis.core.portset import ALL
from ktui.analysis.policy.egress import EgressClass, egress_posture
from ktui.analysis.policy.engine import NetpolEngine
from tests.admin.helpers import ALL_NS, anp, banp, deploy, in_ns, netpol, ns, rule, subject, tcp
from tests.conftest import state_from

BASE = [ns("a"), ns("kube-system"), deploy("a", "web")]
A = {"namespaces": in_ns("a")}


def posture(docs: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    state = state_from(docs)
    return egress_posture(NetpolEngine(state), subject(state, "a/web"))


def to(action: str, peers: list[dict[str, Any]], ports: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return rule(action, peers, ports, egress=True)


def test_allow_and_pass_only_keep_the_pod_open() -> None:
    p = posture([*BASE, anp("x", 1, A, egress=[to("Allow", [ALL_NS]), to("Pass", [{"networks": ["0.0.0.0/0"]}])])])
    assert p.cls is EgressClass.OPEN and p.dns
    assert p.policies == ("AdminNetworkPolicy/x",)


def test_a_narrow_deny_leaves_the_internet_open_on_the_other_ports() -> None:
    p = posture([*BASE, anp("no-smtp", 1, A, egress=[to("Deny", [{"networks": ["0.0.0.0/0"]}], [tcp(25)])])])
    assert p.cls is EgressClass.INTERNET
    assert p.internet_ports.describe() == "SCTP 1-65535,TCP 1-24,26-65535,UDP 1-65535"


def test_denying_private_space_is_still_internet() -> None:
    p = posture([*BASE, anp("no-rfc1918", 1, A, egress=[to("Deny", [{"networks": ["10.0.0.0/8", "192.168.0.0/16"]}])])])
    assert p.cls is EgressClass.INTERNET and p.internet_ports == ALL


def test_deny_everything_outside_but_some_addresses() -> None:
    p = posture([*BASE, anp("partners", 1, A, egress=[to("Allow", [{"networks": ["203.0.113.0/24"]}]),
                                                     to("Deny", [{"networks": ["0.0.0.0/0"]}])])])
    assert p.cls is EgressClass.EXTERNAL


def test_deny_all_addresses_leaves_the_cluster() -> None:
    p = posture([*BASE, banp({"namespaces": {}}, egress=[to("Deny", [{"networks": ["0.0.0.0/0"]}])])])
    assert p.cls is EgressClass.CLUSTER and p.dns  # the stand-in kube-dns pod is in the cluster


def test_deny_everything_is_denied_and_dns_is_flagged() -> None:
    lockdown = anp("lockdown", 1, A, egress=[to("Deny", [ALL_NS]), to("Deny", [{"networks": ["0.0.0.0/0"]}])])
    p = posture([*BASE, lockdown])
    assert p.cls is EgressClass.DENIED and not p.dns


def test_admin_allow_over_an_isolating_networkpolicy() -> None:
    closed = netpol("a", "closed", {"podSelector": {}, "policyTypes": ["Egress"]})
    assert posture([*BASE, closed]).cls is EgressClass.DENIED  # as before: NetworkPolicy only
    p = posture([*BASE, closed, anp("dns", 1, A, egress=[
        to("Allow", [{"namespaces": in_ns("kube-system")}], [tcp(53, "UDP"), tcp(53)])])])
    assert p.cls is EgressClass.CLUSTER and p.dns
