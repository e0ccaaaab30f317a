"""`ktui connectivity / explain / can-reach --manifests` on Cilium and Calico policies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ktui.cli import main

HERE = Path(__file__).parent


@pytest.fixture
def manifests(tmp_path: Path) -> str:
    shutil.copy(HERE / "shop.yaml", tmp_path / "shop.yaml")
    return str(tmp_path)


def test_connectivity(manifests: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["connectivity", "--manifests", manifests]) == 0
    out = capsys.readouterr().out.splitlines()
    # Calico GlobalNetworkPolicy no-ssh denies TCP 22 in, Passes the rest; Cilium locks web's egress.
    assert "0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : SCTP 1-65535,TCP 1-21,23-65535,UDP 1-65535" \
        in out
    assert "shop/web[Deployment] => shop/cart[Deployment] : TCP 7070" in out
    # external ranges split at the CIDR boundaries in play (toCIDRSet with except)
    assert "shop/web[Deployment] => 203.0.113.0-203.0.113.127[External] : TCP 443" in out
    assert "shop/cart[Deployment] => 203.0.113.128-255.255.255.255[External] : All Connections" in out
    assert not any(line.startswith("shop/web[Deployment] => 0.0.0.0") for line in out)  # FQDNs never resolved


def test_connectivity_json(manifests: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["connectivity", "--manifests", manifests, "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    pair = [c for c in data["connections"]
            if c["src"] == "shop/web[Deployment]" and c["dst"] == "shop/cart[Deployment]"]
    assert pair == [{"src": "shop/web[Deployment]", "dst": "shop/cart[Deployment]", "conns": {"TCP": [[7070, 7070]]}}]


def test_explain_names_tiers_and_rules_in_words(manifests: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "shop/web", "--manifests", manifests]) == 0
    out = capsys.readouterr().out
    assert "Calico tier default" in out and "GlobalNetworkPolicy no-ssh" in out
    assert "Deny TCP to ports 22" in out
    assert "CiliumNetworkPolicy shop/web-out" in out
    assert "name api.stripe.com (DNS, not resolved by ktui)" in out
    assert "203.0.113.0/24 except 203.0.113.128/25 on TCP 443" in out


def test_explain_l7_words(manifests: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "shop/cart", "--manifests", manifests]) == 0
    assert "HTTP GET /cart.*" in capsys.readouterr().out


def test_can_reach_names_the_deciding_rules(manifests: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["can-reach", "shop/web", "shop/cart", "--port", "7070", "--manifests", manifests]) == 0
    out = capsys.readouterr().out
    assert out.startswith("yes")
    assert "shop/cart-in ingress[0]" in out and "GlobalNetworkPolicy/no-ssh ingress[1]" in out


def test_can_reach_denied_by_calico(manifests: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(["can-reach", "shop/cart", "shop/web", "--port", "22", "--manifests", manifests])
    out = capsys.readouterr().out
    assert out.startswith("no")
    assert "denied by GlobalNetworkPolicy/no-ssh ingress[0]" in out


def test_bad_selector_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.yaml").write_text(
        "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\n"
        "spec: {selector: \"app == 'web')\"}\n")
    main(["check", "--manifests", str(tmp_path), "-o", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    (found,) = json.loads(captured.out)["findings"]
    assert found["object"]["kind"] == "GlobalNetworkPolicy" and found["object"]["name"] == "g"
    assert "spec.selector: unexpected ')' at 12" in found["message"]
