"""The live source watches admin policies when their CRDs are served, and marks them absent otherwise."""

from __future__ import annotations

from pathlib import Path

from ktui.analysis.policy.engine import NetpolEngine
from ktui.apiserver import ApiServer
from ktui.sources.base import SyncState
from tests.admin.helpers import anp, cnp, deploy, in_ns, ns, rule, subject
from tests.sources.conftest import Live

KINDS = ("AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy")


def _live(server: ApiServer, tmp_path: Path) -> Live:
    return Live(server, str(server.write_kubeconfig(tmp_path / "kubeconfig"))).start()


def test_admin_policies_stream_into_the_store_and_decide(server: ApiServer, tmp_path: Path) -> None:
    server.apply_all([ns("a"), ns("b"), deploy("a", "web"), deploy("b", "client")])
    live = _live(server, tmp_path)
    try:
        live.wait(lambda: all(live.state_of(k) is SyncState.LIVE for k in KINDS), "admin kinds to be live")
        server.apply(anp("no-b", 1, {"namespaces": in_ns("a")}, ingress=[rule("Deny", [{"namespaces": in_ns("b")}])]))
        server.apply(cnp("base", "Baseline", 5, {"namespaces": {}}, ingress=[rule("Accept", [{"namespaces": {}}])]))
        live.wait(lambda: live.state.count("AdminNetworkPolicy") == 1 and live.state.count("ClusterNetworkPolicy") == 1,
                  "the policies to arrive")
        engine = NetpolEngine(live.state)
        verdict = engine.can_reach(subject(live.state, "b/client"), subject(live.state, "a/web"), 80, "TCP")
        assert not verdict.allowed and verdict.ingress.tier == "AdminNetworkPolicy"
        server.delete_object("adminnetworkpolicies", None, "no-b")
        live.wait(lambda: live.state.count("AdminNetworkPolicy") == 0, "the deletion")
        verdict = engine.can_reach(subject(live.state, "b/client"), subject(live.state, "a/web"), 80, "TCP")
        assert verdict.allowed and verdict.ingress.tier == "Baseline"
    finally:
        live.source.stop()


def test_without_the_crds_the_kinds_are_absent(server: ApiServer, tmp_path: Path) -> None:
    server.set_group_enabled("policy.networking.k8s.io", False)
    server.apply_all([ns("a"), deploy("a", "web")])
    live = _live(server, tmp_path)
    try:
        live.wait(lambda: all(live.state_of(k) is SyncState.ABSENT for k in KINDS), "admin kinds to be absent")
        live.wait(lambda: live.state.count("Deployment") == 1, "the rest to load")
        assert not live.problems
    finally:
        live.source.stop()
