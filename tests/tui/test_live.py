"""Live updates: objects changed through the embedded API server (the demo cluster, over the real
ClusterSource) and manifest files rewritten on disk appear on screen, with a feed entry and a
flashing row; the overlay (exposure, findings) follows in the background."""

from __future__ import annotations

import shutil
from pathlib import Path

from ktui.sources.demo import DemoCluster
from ktui.tui.app import KtuiApp
from ktui.tui.bridge import Bridge
from ktui.tui.widgets.rowtable import RowTable

from .conftest import CLUSTER, make_app
from .pilot import wait_for

DENY_EGRESS = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: sandbox}
spec: {podSelector: {}, policyTypes: [Egress]}
"""


def cell(app: KtuiApp, row: str, column: str) -> str:
    return str(app.screen.query_one("#namespaces", RowTable).get_cell(row, column))


async def test_manifest_rewrite_shows_on_screen(tmp_path: Path) -> None:
    shutil.copy(CLUSTER, tmp_path / "cluster.yaml")
    app = make_app([tmp_path], live_reload=True)  # frozen clock: the flash stays until checked
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.bridge.synced)
        assert cell(app, "sandbox", "egress") == "open 1/1"
        (tmp_path / "deny.yaml").write_text(DENY_EGRESS)
        await wait_for(pilot, lambda: cell(app, "sandbox", "egress") == "denied 1/1")
        assert cell(app, "sandbox", "dns") == "✘ 1 blocked"
        # the feed names the workload, the change and the object behind it
        await wait_for(pilot, lambda: "egress open -> denied" in str(app.screen.query_one("#feed").render()))
        feed = str(app.screen.query_one("#feed").render())
        assert "sandbox: " in feed and "policy deny-all added" in feed
        assert "sandbox" in app.screen._flash  # the changed row flashes
        (tmp_path / "deny.yaml").unlink()
        await wait_for(pilot, lambda: cell(app, "sandbox", "egress") == "open 1/1")


async def test_demo_cluster_changes_through_the_api_server() -> None:
    with DemoCluster(churn=False) as demo:
        source = demo.source()
        app = KtuiApp(Bridge(source, context=demo.context, live=True), theme="dark", watch_themes=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.bridge.synced and app.bridge.findings is not None)
            assert cell(app, "sandbox", "egress").startswith("open")
            demo.server.apply({
                "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "deny-all", "namespace": "sandbox"},
                "spec": {"podSelector": {}, "policyTypes": ["Egress"]},
            })
            await wait_for(pilot, lambda: cell(app, "sandbox", "egress").startswith("denied"))
            assert any(e.namespace == "sandbox" and e.change is not None and e.change.what == "egress"
                       and any(c.name == "deny-all" for c in e.change.causes) for e in app.changes.items)
            # the overlay catches up in the background: a DNS finding for sandbox appears
            await wait_for(pilot, lambda: any(f.code == "KTUI-NP003" for f in app.bridge.found
                                              if f.object.namespace == "sandbox"))
            await pilot.press("q")


async def test_status_line_names_forbidden_and_absent_kinds() -> None:
    from ktui.sources.base import KindStatus, SyncState

    app = make_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: app.bridge.synced)
        app.bridge.source.queue.put(KindStatus("Secret", SyncState.FORBIDDEN, message="403"))
        app.bridge.source.queue.put(KindStatus("Gateway", SyncState.ABSENT))
        await wait_for(pilot, lambda: "forbidden: Secret" in str(app.screen.query_one("#status").render()))
        line = str(app.screen.query_one("#status").render())
        assert "absent: Gateway" in line and "test-context" in line and "last event" in line
