"""`ktui explain`, `ktui can-reach` and `ktui connectivity --manifests` on a mixed set of policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ktui.cli import main
from tests.admin.helpers import ALL_NS, anp, banp, deploy, in_ns, netpol, ns, rule, tcp

DOCS = [
    ns("shop"), ns("tools"), ns("monitoring"),
    deploy("shop", "web", ports=[{"containerPort": 8080, "name": "http"}]),
    deploy("tools", "debug"), deploy("monitoring", "prom"),
    netpol("shop", "web-from-anywhere", {"podSelector": {}, "ingress": [{"ports": [{"port": "http"}]}]}),
    anp("guard-shop", 10, {"namespaces": in_ns("shop")}, ingress=[
        rule("Allow", [{"namespaces": in_ns("monitoring")}], [tcp(9090)], name="scrape"),
        rule("Deny", [{"namespaces": in_ns("tools")}], name="no-tools")]),
    banp({"namespaces": {}}, egress=[rule("Deny", [{"networks": ["0.0.0.0/0"]}], [tcp(25)], name="no-smtp",
                                          egress=True)]),
]


@pytest.fixture
def manifests(tmp_path: Path) -> str:
    (tmp_path / "all.yaml").write_text(yaml.safe_dump_all(DOCS))
    return str(tmp_path)


def test_connectivity(manifests: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["connectivity", "--manifests", manifests]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "monitoring/prom[Deployment] => shop/web[Deployment] : TCP 8080,9090" in out
    assert not any(line.startswith("tools/debug[Deployment] => shop/web") for line in out)
    assert ("shop/web[Deployment] => 0.0.0.0-255.255.255.255[External] : "
            "SCTP 1-65535,TCP 1-24,26-65535,UDP 1-65535") in out
    assert "0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : TCP 8080" in out


def test_connectivity_json(manifests: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["connectivity", "--manifests", manifests, "-o", "json"]) == 0
    conns = json.loads(capsys.readouterr().out)["connections"]
    prom = [c for c in conns if c["src"] == "monitoring/prom[Deployment]" and c["dst"] == "shop/web[Deployment]"]
    assert prom == [{"src": "monitoring/prom[Deployment]", "dst": "shop/web[Deployment]",
                     "conns": {"TCP": [[8080, 8080], [9090, 9090]]}}]


def test_can_reach_names_the_tier_and_rule(manifests: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["can-reach", "tools/debug", "shop/web", "--port", "8080", "--manifests", manifests]) == 1
    out = capsys.readouterr().out
    assert out.startswith("no: tools/debug -> shop/web on 8080/TCP")
    assert ('ingress (AdminNetworkPolicy): DENIED: denied by AdminNetworkPolicy/guard-shop ingress[1] "no-tools" '
            "peer[0] (Deny)") in out
    assert main(["can-reach", "monitoring/prom", "shop/web", "--port", "9090/TCP", "--manifests", manifests]) == 0
    assert "allowed by AdminNetworkPolicy/guard-shop ingress[0] \"scrape\"" in capsys.readouterr().out
    assert main(["can-reach", "shop/web", "1.2.3.4", "--port", "25", "--manifests", manifests, "-o", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["egress"]["tier"] == "BaselineAdminNetworkPolicy"
    assert data["egress"]["rules"][0]["action"] == "Deny" and data["egress"]["rules"][0]["name"] == "no-smtp"
    assert data["egress"]["adminPolicies"] == ["BaselineAdminNetworkPolicy/default"]


def test_explain_shows_each_tier_in_words(manifests: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "shop/web", "--manifests", manifests]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "Ingress:"
    assert "    AdminNetworkPolicy/guard-shop (priority 10)" in out
    assert ('      rule 0 "scrape": Allow from all pods in namespaces kubernetes.io/metadata.name=monitoring, '
            "on TCP 9090") in out
    assert ('      rule 1 "no-tools": Deny from all pods in namespaces kubernetes.io/metadata.name=tools, '
            "on any port") in out
    assert "  NetworkPolicy: isolated by 1 policy; decides what the admin tier left" in out
    assert "  baseline tier: 1 policy; decides what is left; else allowed" in out
    assert '      rule 0 "no-smtp": Deny to addresses in 0.0.0.0/0, on TCP 25' in out
    assert "  monitoring/prom[Deployment] : TCP 8080,9090" in out
    assert main(["explain", "shop/web", "--manifests", manifests, "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["policy"] for p in data["ingress"]["admin"]] == ["AdminNetworkPolicy/guard-shop"]
    assert data["egress"]["baseline"][0]["rules"] == ['rule 0 "no-smtp": Deny to addresses in 0.0.0.0/0, on TCP 25']
    assert data["ingress"]["baseline"] == []  # the baseline has no ingress rules


def test_a_bad_admin_policy_is_a_warning_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = anp("too-high", 5000, {"namespaces": {}}, ingress=[rule("Deny", [ALL_NS])])
    (tmp_path / "x.yaml").write_text(yaml.safe_dump_all([*DOCS, bad]))
    assert main(["connectivity", "--manifests", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "AdminNetworkPolicy too-high: spec.priority: 5000 is not in 0-1000" in captured.err
    assert "monitoring/prom[Deployment] => shop/web[Deployment] : TCP 8080,9090" in captured.out
