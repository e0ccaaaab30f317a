"""The live source watches the Calico and Cilium CRDs when served (absent otherwise); the embedded
API server serves them; the engine decides with what streams in."""

from __future__ import annotations

from pathlib import Path

from ktui.analysis.policy.engine import PolicyEngine
from ktui.apiserver import ApiServer
from ktui.sources.base import SyncState
from tests.admin.helpers import deploy, ns, subject
from tests.sources.conftest import Live

CALICO_KINDS = ("CalicoNetworkPolicy", "GlobalNetworkPolicy", "Tier", "NetworkSet", "GlobalNetworkSet", "IPPool",
                "StagedNetworkPolicy", "StagedGlobalNetworkPolicy")
CILIUM_KINDS = ("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "CiliumEgressGatewayPolicy")


def _live(server: ApiServer, tmp_path: Path) -> Live:
    return Live(server, str(server.write_kubeconfig(tmp_path / "kubeconfig"))).start()


def test_calico_and_cilium_policies_stream_in_and_decide(server: ApiServer, tmp_path: Path) -> None:
    server.apply_all([ns("a"), ns("b"), deploy("a", "web"), deploy("b", "client")])
    live = _live(server, tmp_path)
    try:
        live.wait(lambda: all(live.state_of(k) is SyncState.LIVE for k in CALICO_KINDS + CILIUM_KINDS),
                  "Calico and Cilium kinds to be live")
        server.apply({"apiVersion": "crd.projectcalico.org/v1", "kind": "NetworkPolicy",
                      "metadata": {"name": "no-b", "namespace": "a"},
                      "spec": {"selector": "app == 'web'", "ingress": [
                          {"action": "Deny", "source": {"namespaceSelector": "projectcalico.org/name == 'b'"}},
                          {"action": "Allow"}]}})
        live.wait(lambda: live.state.count("CalicoNetworkPolicy") == 1, "the Calico policy to arrive")
        assert live.state.count("NetworkPolicy") == 0  # stored under its own kind, not Kubernetes'
        engine = PolicyEngine(live.state)
        verdict = engine.can_reach(subject(live.state, "b/client"), subject(live.state, "a/web"), 80, "TCP")
        assert not verdict.allowed and verdict.ingress.rules[-1].kind == "CalicoNetworkPolicy"
        server.apply({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
                      "metadata": {"name": "lock", "namespace": "b"},
                      "spec": {"endpointSelector": {}, "egress": [{}]}})
        live.wait(lambda: live.state.count("CiliumNetworkPolicy") == 1, "the Cilium policy to arrive")
        verdict = engine.can_reach(subject(live.state, "b/client"), subject(live.state, "a/web"), 443, "TCP")
        assert not verdict.allowed and verdict.egress.decided_by == "Cilium"
    finally:
        live.source.stop()


def test_without_the_crds_the_kinds_are_absent(server: ApiServer, tmp_path: Path) -> None:
    server.set_group_enabled("crd.projectcalico.org", False)
    server.set_group_enabled("cilium.io", False)
    server.apply_all([ns("a"), deploy("a", "web")])
    live = _live(server, tmp_path)
    try:
        live.wait(lambda: all(live.state_of(k) is SyncState.ABSENT for k in CALICO_KINDS + CILIUM_KINDS),
                  "the kinds to be absent")
        live.wait(lambda: live.state.count("Deployment") == 1, "the rest to load")
        assert not live.problems
        # installed later: the next discovery picks them up
        server.set_group_enabled("cilium.io", True)
        server.apply({"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
                      "metadata": {"name": "lock"}, "spec": {"endpointSelector": {}, "ingress": [{}]}})
        live.wait(lambda: live.state.count("CiliumClusterwideNetworkPolicy") == 1, "the CRD installed later")
        # each kind of the group is listed by its own reflector: the others may still be syncing
        live.wait(lambda: all(live.state_of(k) is SyncState.LIVE for k in CILIUM_KINDS), "every Cilium kind live")
    finally:
        live.source.stop()


def test_calico_networkpolicy_streams_under_its_wire_kind(server: ApiServer, tmp_path: Path) -> None:
    """The server writes kind NetworkPolicy in Calico's objects (crd.projectcalico.org): the streaming
    list and the watch take them as CalicoNetworkPolicy, with no bad-event restart."""
    from tests.sources.conftest import STREAMING

    server.apply_all([ns("a"), deploy("a", "web"),
                      {"apiVersion": "crd.projectcalico.org/v1", "kind": "NetworkPolicy",
                       "metadata": {"name": "first", "namespace": "a"},
                       "spec": {"selector": "all()", "ingress": [{"action": "Allow"}]}}])
    live = Live(server, str(server.write_kubeconfig(tmp_path / "kubeconfig")), settings=STREAMING).start()
    try:
        live.wait(lambda: live.state_of("CalicoNetworkPolicy") is SyncState.LIVE, "the Calico kind to be live")
        assert live.state.count("CalicoNetworkPolicy") == 1
        server.apply({"apiVersion": "crd.projectcalico.org/v1", "kind": "NetworkPolicy",
                      "metadata": {"name": "second", "namespace": "a"},
                      "spec": {"selector": "all()", "egress": [{"action": "Deny"}]}})
        live.wait(lambda: live.state.count("CalicoNetworkPolicy") == 2, "the watched Calico policy")
        assert live.state_of("CalicoNetworkPolicy") is SyncState.LIVE
        assert not [p for p in live.problems if "CalicoNetworkPolicy" in str(p)]
    finally:
        live.source.stop()
