"""End to end on the embedded server: what a limited token cannot see makes `ktui can-reach`
answer "unknown" (exit 3), never "allowed"; an admin token gets the definite answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from ktui.apiserver import ApiServer
from ktui.apiserver.access import AccessRule
from ktui.apiserver.resources import READ_VERBS
from ktui.cli import main
from tests.check.kit import namespace, netpol, pod

EXIT_UNKNOWN = 3


@pytest.fixture
def cluster(server: ApiServer) -> ApiServer:
    server.apply_all([
        namespace("shop"), namespace("other", team="payments"),
        pod("web", "shop", labels={"app": "web"}, ip="10.0.0.5"),
        pod("client", "other", labels={"app": "client"}, ip="10.0.1.5"),
        pod("peer", "shop", labels={"app": "peer"}, ip="10.0.0.6"),
        # ingress to web only from namespaces labelled team=payments: needs Namespace labels
        netpol("web-in", "shop", {"app": "web"}, ingress=[{"from": [
            {"namespaceSelector": {"matchLabels": {"team": "payments"}}}]}], types=["Ingress"]),
    ])
    return server


def _can_reach(kubeconfig: str, src: str, dst: str, *extra: str) -> int:
    return main(["can-reach", src, dst, "--port", "80", "--kubeconfig", kubeconfig, *extra])


def test_admin_gets_a_definite_answer(cluster: ApiServer, tmp_path: Path) -> None:
    kubeconfig = str(cluster.write_kubeconfig(tmp_path / "admin"))
    assert _can_reach(kubeconfig, "other/client", "shop/web") == 0
    assert _can_reach(kubeconfig, "shop/peer", "shop/web") == 1


def test_namespaces_forbidden_make_a_namespace_selector_unknown(cluster: ApiServer, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    cluster.access.forbid("namespaces")
    kubeconfig = str(cluster.write_kubeconfig(tmp_path / "no-ns"))
    assert _can_reach(kubeconfig, "other/client", "shop/web") == EXIT_UNKNOWN
    assert "unknown" in capsys.readouterr().out.lower()


def test_policies_forbidden_in_the_namespace_are_unknown_not_allowed(cluster: ApiServer, tmp_path: Path) -> None:
    # as with real RBAC, a token that may not list them in shop may not list them across namespaces ("")
    cluster.access.forbid("networkpolicies", "networking.k8s.io", namespaces=("shop", ""))
    kubeconfig = str(cluster.write_kubeconfig(tmp_path / "no-np"))
    assert _can_reach(kubeconfig, "shop/peer", "shop/web", "-n", "shop") == EXIT_UNKNOWN


def test_namespace_only_user_with_dash_n(cluster: ApiServer, tmp_path: Path) -> None:
    cluster.add_token("shop-reader", "shop-reader", [AccessRule(verbs=READ_VERBS, namespaces=("shop",))])
    kubeconfig = str(cluster.write_kubeconfig(tmp_path / "shop-only", token="shop-reader"))
    # shop's labels are read by a GET, other namespaces' are not: never "allowed"
    assert _can_reach(kubeconfig, "shop/peer", "shop/web", "-n", "shop") in (1, EXIT_UNKNOWN)
