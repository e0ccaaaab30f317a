"""The egress path on the TUI: the pod screen shows it under the egress class (an egress gateway
with its egress IP, or SNAT to the node's address), the namespace Egress screen a line per path
with the workloads behind it; a cluster that declares no path shows neither. The namespace
header counts Calico policies."""

from __future__ import annotations

from pathlib import Path

from ktui.tui.app import KtuiApp
from ktui.tui.egress_view import namespace_paths
from ktui.tui.screens.egress import EgressScreen
from ktui.tui.screens.pod import PodScreen

from .conftest import make_app

CLUSTER = """
apiVersion: v1
kind: Namespace
metadata: {name: pay, labels: {kubernetes.io/metadata.name: pay}}
---
apiVersion: v1
kind: Node
metadata: {name: gw-1, labels: {egress: "true"}}
status: {addresses: [{type: InternalIP, address: 10.1.0.1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: pay, labels: {app: api}}
spec: {containers: [{name: c, image: x}]}
status: {phase: Running, podIP: 10.244.0.7, podIPs: [{ip: 10.244.0.7}]}
---
apiVersion: v1
kind: Pod
metadata: {name: worker-0, namespace: pay, labels: {app: worker}}
spec: {containers: [{name: c, image: x}]}
status: {phase: Running, podIP: 10.244.0.8, podIPs: [{ip: 10.244.0.8}]}
---
apiVersion: cilium.io/v2
kind: CiliumEgressGatewayPolicy
metadata: {name: egw-provider}
spec:
  selectors: [{podSelector: {matchLabels: {app: api}}}]
  destinationCIDRs: [198.51.100.0/24]
  egressGateway: {nodeSelector: {matchLabels: {egress: "true"}}, egressIP: 203.0.113.5}
---
apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata: {name: default-ipv4}
spec: {cidr: 10.244.0.0/16, natOutgoing: true}
"""
GATEWAY = "to 198.51.100.0/24: through CiliumEgressGatewayPolicy egw-provider on gw-1 as 203.0.113.5"
NAT = "to 0.0.0.0/0 except 10.244.0.0/16: SNAT to the node's address (IPPool default-ipv4 (10.244.0.0/16))"


def _app(tmp_path: Path, text: str = CLUSTER) -> KtuiApp:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return make_app([path])


async def test_pod_screen_shows_the_path_under_the_egress_class(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.run_command("pod pay/api-0")
        await pilot.pause(0.2)
        assert isinstance(app.screen, PodScreen)
        body = str(app.screen.query_one("#pod-policies").render())
        lines = body.splitlines()
        egress = next(i for i, line in enumerate(lines) if line.startswith("Egress"))
        assert lines[egress + 2:egress + 4] == [f"  path  {GATEWAY}", f"  path  {NAT}"]


async def test_egress_screen_lists_each_path_with_its_workloads(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(200, 40)) as pilot:
        await pilot.pause()
        rows = namespace_paths(app.bridge, "pay")
        assert [(r.path.how, r.workloads) for r in rows] == [("egress-gateway", ("Pod api-0",)),
                                                             ("nat-outgoing", ("Pod api-0", "Pod worker-0"))]
        app.run_command("egress pay")
        await pilot.pause(0.2)
        assert isinstance(app.screen, EgressScreen)
        box = app.screen.query_one("#egress-paths")
        assert box.display
        assert str(box.render()).splitlines() == [f"leaves {GATEWAY}  ← Pod api-0",
                                                  f"leaves {NAT}  ← Pod api-0, Pod worker-0"]


async def test_no_declared_path_shows_nothing(tmp_path: Path) -> None:
    plain = CLUSTER.split("---\napiVersion: cilium.io/v2")[0]
    app = _app(tmp_path, plain)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        assert namespace_paths(app.bridge, "pay") == []
        app.run_command("egress pay")
        await pilot.pause(0.2)
        assert not app.screen.query_one("#egress-paths").display
        app.run_command("pod pay/api-0")
        await pilot.pause(0.2)
        assert "path  " not in str(app.screen.query_one("#pod-policies").render())


CALICO_EGRESS = """
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: to-provider, namespace: pay}
spec:
  selector: app == 'api'
  types: [Egress]
  egress: [{action: Allow, protocol: TCP, destination: {nets: [198.51.100.0/24], ports: [443]}}]
"""


async def test_pod_screen_tiers_picture_shows_the_path_after_the_class(tmp_path: Path) -> None:
    app = _app(tmp_path, CLUSTER + CALICO_EGRESS)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.run_command("pod pay/api-0")
        await pilot.pause(0.2)
        lines = str(app.screen.query_one("#pod-policies").render()).splitlines()
        cls = next(i for i, line in enumerate(lines) if line.startswith("  class "))
        assert lines[cls - 1].startswith("Egress: ") and "Calico" in lines[cls - 1]
        assert lines[cls + 1:cls + 3] == [f"  path  {GATEWAY}", f"  path  {NAT}"]


async def test_egress_screen_pod_ip_path_reads_once(tmp_path: Path) -> None:
    # a pod outside every NAT pool leaves with its own address: said once, not "leaves leaves"
    routed = CLUSTER.replace("natOutgoing: true", "natOutgoing: false")
    app = _app(tmp_path, routed)
    async with app.run_test(size=(200, 40)) as pilot:
        await pilot.pause()
        app.run_command("egress pay")
        await pilot.pause(0.2)
        lines = str(app.screen.query_one("#egress-paths").render()).splitlines()
        assert lines == [f"leaves {GATEWAY}  ← Pod api-0",
                         "leaves with its own pod address  ← Pod api-0, Pod worker-0"]


async def test_namespace_header_counts_calico_policies(tmp_path: Path) -> None:
    # a namespace guarded by a Calico policy alone read "0 policies"
    app = _app(tmp_path, CLUSTER + CALICO_EGRESS)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.run_command("ns pay")
        await pilot.pause(0.2)
        assert " 2 pods · 1 policy · " in str(app.screen.query_one("#ns-summary").render())
