"""The egress path reaches the Analysis (one cached answer per subject, grouped per namespace)
and `ktui explain` (text and JSON), without changing any line it printed before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ktui.analysis.analysis import Analysis
from ktui.cli import main
from ktui.render.netpol_text import explanation_json, explanation_lines
from tests.cilium.tiers import CALICO, ns, pod
from tests.conftest import state_from

EGW = {"apiVersion": "cilium.io/v2", "kind": "CiliumEgressGatewayPolicy", "metadata": {"name": "egw-pay"},
       "spec": {"selectors": [{"podSelector": {"matchLabels": {"app": "api"}},
                               "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "pay"}}}],
                "destinationCIDRs": ["198.51.100.0/24"],
                "egressGateway": {"nodeSelector": {"matchLabels": {"egress": "true"}}, "egressIP": "203.0.113.5"}}}
NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "gw-1", "labels": {"egress": "true"}},
        "status": {"addresses": [{"type": "InternalIP", "address": "10.1.0.1"}]}}
POOL = {"apiVersion": CALICO, "kind": "IPPool", "metadata": {"name": "default-ipv4"},
        "spec": {"cidr": "10.0.0.0/16", "natOutgoing": True}}


def docs() -> list[dict[str, object]]:
    return [ns("pay", **{"kubernetes.io/metadata.name": "pay"}), ns("web"),
            pod("pay", "api-1", "10.0.0.1", {"app": "api"}), pod("pay", "api-2", "10.0.0.2", {"app": "api"}),
            pod("pay", "worker", "10.0.0.3", {"app": "worker"}), pod("web", "front", "10.0.0.9"),
            NODE, EGW, POOL]


def test_analysis_egress_path_per_subject_and_namespace() -> None:
    a = Analysis(state_from(docs()))
    api = a.subject("pay/api-1")
    assert api is not None
    paths = a.egress_path(api)
    assert [p.how for p in paths] == ["egress-gateway", "nat-outgoing"]  # the gateway to its CIDR, NAT elsewhere
    assert paths[0].egress_ips == ("203.0.113.5",) and paths[0].gateway_nodes == ("gw-1",)
    assert a.egress_path(api) is paths  # cached
    grouped = {p.how: [str(w) for w in ws] for p, ws in a.namespace_egress_paths("pay")}
    assert grouped == {"egress-gateway": ["pay/api-1[Pod]", "pay/api-2[Pod]"],
                       "nat-outgoing": ["pay/api-1[Pod]", "pay/api-2[Pod]", "pay/worker[Pod]"]}
    front = a.subject("web/front")
    assert front is not None and [p.how for p in a.egress_path(front)] == ["nat-outgoing"]


def test_no_declared_path_shows_nothing() -> None:
    a = Analysis(state_from([ns("web"), pod("web", "front", "10.0.0.9")]))
    front = a.subject("web/front")
    assert front is not None
    assert a.egress_path(front) == () and a.namespace_egress_paths("web") == []
    e = a.explain(front, with_reachability=False)
    assert explanation_lines(e, a.egress_path(front)) == explanation_lines(e)
    assert explanation_json(e, ())["egressPath"] == []


def test_pod_ip_shown_where_the_cluster_declares_paths() -> None:
    # an IPPool without natOutgoing: the pod leaves with its own address, and explain says so
    pool = {**POOL, "spec": {"cidr": "10.0.0.0/16", "natOutgoing": False}}
    a = Analysis(state_from([ns("web"), pod("web", "front", "10.0.0.9"), pool]))
    front = a.subject("web/front")
    assert front is not None
    assert [p.how for p in a.egress_path(front)] == ["pod-ip"]


def test_explain_text_adds_lines_after_egress_and_keeps_the_rest(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump_all(docs()))
    assert main(["explain", "pay/api-1", "-f", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    a = Analysis(state_from(docs()))
    subject = a.subject("pay/api-1")
    assert subject is not None
    before = explanation_lines(a.explain(subject))
    added = [line for line in out if line not in before]
    assert added == ["Egress path:",
                     "  to 198.51.100.0/24: through CiliumEgressGatewayPolicy egw-pay on gw-1 as 203.0.113.5",
                     "  to 0.0.0.0/0 except 10.0.0.0/16: SNAT to the node's address (IPPool default-ipv4 "
                     "(10.0.0.0/16))"]
    assert [line for line in out if line in before] == before  # every other line, in its order
    assert out.index("Egress path:") > out.index("Egress: not isolated: all traffic allowed")
    assert main(["explain", "pay/api-1", "-f", str(path), "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["how"] for p in data["egressPath"]] == ["egress-gateway", "nat-outgoing"]
    assert data["egressPath"][0]["egressIPs"] == ["203.0.113.5"]


def test_calico_gateways_memo_is_per_namespace() -> None:
    # two namespaces annotated for different gateways: one Analysis (one memo) keeps them apart
    def annotated(name: str, code: str) -> dict[str, object]:
        d = ns(name)
        d["metadata"]["annotations"] = {"egress.projectcalico.org/selector": f"egress-code == '{code}'",
                                        "egress.projectcalico.org/namespaceSelector": "projectcalico.org/name == 'gw'"}
        return d
    a = Analysis(state_from([annotated("a", "red"), annotated("b", "blue"), ns("c"), ns("gw"),
                             pod("a", "x", "10.0.0.1"), pod("b", "y", "10.0.0.2"), pod("c", "z", "10.0.0.3"),
                             pod("gw", "red-1", "10.9.0.1", {"egress-code": "red"}),
                             pod("gw", "blue-1", "10.9.0.2", {"egress-code": "blue"})]))
    ips = {s.name: [p.egress_ips for p in a.egress_path(s)] for s in a.subjects}
    assert ips["x"] == [("10.9.0.1",)] and ips["y"] == [("10.9.0.2",)]
    assert [p.how for p in a.egress_path(next(s for s in a.subjects if s.name == "z"))] == ["pod-ip"]


def test_a_gateway_to_one_cidr_leaves_the_rest_on_the_pod_address() -> None:
    # Cilium "Egress Gateway": only traffic to destinationCIDRs goes through the gateway; the rest is
    # untouched (no IPPool here: the pod's own address)
    a = Analysis(state_from([d for d in docs() if d is not POOL]))
    api = a.subject("pay/api-1")
    assert api is not None
    assert [p.how for p in a.egress_path(api)] == ["egress-gateway", "pod-ip"]
