"""-n on a live cluster (the embedded API server): every namespace is still listed, so a policy
or a route outside NS still counts; a token limited to NS falls back to listing NS alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ktui.apiserver import ApiServer
from ktui.apiserver.access import AccessRule
from ktui.apiserver.resources import READ_VERBS
from tests.cli_entry.world import run, world


@pytest.fixture
def kubeconfig(server: ApiServer, tmp_path: Path) -> str:
    server.apply_all(world())
    return str(server.write_kubeconfig(tmp_path / "admin"))


def test_a_policy_in_another_namespace_still_counts(kubeconfig: str, capsys) -> None:
    # other's egress default-deny decides other/client -> shop/web, asked with -n shop
    code, out, err = run(capsys, "can-reach", "other/client-1", "web-1", "--port", "8080",
                         "--kubeconfig", kubeconfig, "-n", "shop")
    assert code == 1, (out, err)
    assert "deny-egress" in out
    code, out, _ = run(capsys, "connectivity", "--kubeconfig", kubeconfig, "-n", "shop")
    assert code == 0 and out
    assert not any(line.startswith("other/") for line in out.splitlines())
    assert any("=> other/client-1[Pod]" in line for line in out.splitlines())  # seen, though not in -n shop


def test_a_route_in_another_namespace_still_exposes_the_backend(kubeconfig: str, capsys) -> None:
    code, out, _ = run(capsys, "hosts", "--kubeconfig", kubeconfig, "-n", "payments", "-o", "json")
    assert code == 0
    assert [(e["namespace"], e["host"]) for e in json.loads(out)["entries"]] == [("shop", "pay.example.com")]


def test_a_namespace_only_token_falls_back_to_its_namespace(server: ApiServer, kubeconfig: str,
                                                            tmp_path: Path, capsys) -> None:
    server.add_token("shop-reader", "shop-reader", [AccessRule(verbs=READ_VERBS, namespaces=("shop",))])
    limited = str(server.write_kubeconfig(tmp_path / "shop-only", token="shop-reader"))
    code, out, err = run(capsys, "hosts", "--kubeconfig", limited, "-n", "shop", "-o", "json")
    assert code == 0, err
    # listing every namespace is forbidden to it: without the fallback it would see no Ingress at all
    assert "shop.example.com" in [e["host"] for e in json.loads(out)["entries"]]
