"""The change feed names each change per workload and host, with the object that caused it,
from live manifest edits; and the pure comparison behind it (analysis.posture_changes)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ktui.analysis.core.owners import owning_workload
from ktui.analysis.core.subjects import WorkloadId
from ktui.analysis.posture import Cause
from ktui.analysis.posture_changes import NamespaceSnapshot, WorkloadPosture, posture_changes
from ktui.model.decode import decode_document
from ktui.store import ClusterState, Event

from .conftest import CLUSTER, make_app
from .pilot import wait_for

CHECKOUT = """
apiVersion: v1
kind: Service
metadata: {name: checkout, namespace: shop}
spec: {selector: {app: cart}, ports: [{port: 80, targetPort: 7070}]}
"""


def wp(egress: str, dns: str = "ok") -> WorkloadPosture:
    return WorkloadPosture(2, egress, dns, "all", "all")


def test_a_workload_class_change_is_news_even_when_the_namespace_figures_stay() -> None:
    cause = Cause("NetworkPolicy", "shop", "frontend", "changed")
    before = NamespaceSnapshot("shop", {"Deployment web": wp("internet"), "Deployment db": wp("internet")},
                               {"shop.example.com:443/": "ok"}, {("KTUI-NP003",): "NP003 x"})
    after = NamespaceSnapshot("shop", {"Deployment web": wp("external", "blocked"), "Deployment db": wp("internet")},
                              {"shop.example.com:443/": "fail", "api.example.com:443/": "ok"}, {})
    changes = posture_changes(before, after, [cause])
    facts = {(c.subject, c.what, c.before, c.after) for c in changes}
    assert ("Deployment web", "egress", "internet", "external") in facts
    assert ("Deployment web", "DNS", "ok", "blocked") in facts
    assert ("host shop.example.com:443/", "host", "ok", "fail") in facts
    assert ("host api.example.com:443/", "host", "absent", "ok") in facts
    assert any(c.what == "finding" and c.words().endswith("fixed") for c in changes)
    assert all(c.causes == (cause,) for c in changes)
    assert posture_changes(before, before) == []


def test_hosts_and_findings_not_known_yet_are_not_news() -> None:
    before = NamespaceSnapshot("shop", {"Deployment web": wp("open")})
    after = NamespaceSnapshot("shop", {"Deployment web": wp("open")}, {"h:80/": "ok"}, {})
    assert posture_changes(before, after) == []


def test_owners_resolve_the_deployment_above_a_replicaset() -> None:
    state = ClusterState()
    for doc in (
        {"apiVersion": "apps/v1", "kind": "ReplicaSet",
         "metadata": {"name": "web-5d8f9", "namespace": "shop", "ownerReferences": [
             {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "controller": True}]}},
        {"apiVersion": "batch/v1", "kind": "Job",
         "metadata": {"name": "report-28", "namespace": "shop", "ownerReferences": [
             {"apiVersion": "batch/v1", "kind": "CronJob", "name": "report", "controller": True}]}},
    ):
        info, obj = decode_document(doc, "default")
        assert info is not None
        state.apply(Event("ADDED", info.kind, obj))
    rs = WorkloadId("shop", "web-5d8f9", "ReplicaSet")
    assert owning_workload(state, rs) == WorkloadId("shop", "web", "Deployment")
    assert owning_workload(state, WorkloadId("shop", "report-28", "Job")) == WorkloadId("shop", "report", "CronJob")
    # not in view (manifests): the Deployment controller's naming, checked against the pod's hash label
    hidden = WorkloadId("shop", "api-7c9b4d", "ReplicaSet")
    assert owning_workload(state, hidden, {"pod-template-hash": "7c9b4d"}) == WorkloadId("shop", "api", "Deployment")
    assert owning_workload(state, hidden, {}) == hidden
    assert owning_workload(state, WorkloadId("shop", "db", "StatefulSet")).kind == "StatefulSet"


async def test_feed_names_workload_egress_and_host_changes_with_their_causes(tmp_path: Path) -> None:
    shutil.copy(CLUSTER, tmp_path / "cluster.yaml")
    app = make_app([tmp_path], live_reload=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.bridge.synced and app.bridge.findings is not None)
        text = (tmp_path / "cluster.yaml").read_text()
        (tmp_path / "cluster.yaml").write_text(text.replace("cidr: 0.0.0.0/0, except: [10.0.0.0/8]",
                                                            "cidr: 192.0.2.0/24"))

        def egress_item():  # type: ignore[no-untyped-def]
            return next((e.change for e in app.changes.items if e.change is not None
                         and e.change.what == "egress" and e.change.subject == "Deployment frontend"), None)

        await wait_for(pilot, lambda: egress_item() is not None)
        change = egress_item()
        assert (change.before, change.after) == ("internet", "external")
        assert any(c.kind == "NetworkPolicy" and c.name == "frontend" for c in change.causes)
        assert "Deployment frontend: egress internet -> external" in str(app.screen.query_one("#feed").render())
        (tmp_path / "checkout.yaml").write_text(CHECKOUT)  # the /cart host's missing Service appears

        def host_item():  # type: ignore[no-untyped-def]
            return next((e.change for e in app.changes.items if e.change is not None
                         and e.change.what == "host" and "/cart" in e.change.subject), None)

        await wait_for(pilot, lambda: host_item() is not None)
        assert host_item().before == "fail"
        assert any(c.kind == "Service" and c.name == "checkout" for c in host_item().causes)


async def test_a_fixed_file_clears_its_problem(tmp_path: Path) -> None:
    shutil.copy(CLUSTER, tmp_path / "cluster.yaml")
    app = make_app([tmp_path], live_reload=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.bridge.synced)
        bad = tmp_path / "bad.yaml"
        bad.write_text("kind: Service\nmetadata: {name: x\n  oops: [\n")
        await wait_for(pilot, lambda: "1 problem " in str(app.screen.query_one("#status").render()) + " ")  # singular
        bad.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: shop}\n"
                       "spec: {ports: [{port: 80}]}\n")
        await wait_for(pilot, lambda: "problem" not in str(app.screen.query_one("#status").render()))
        assert any(e.fixed and "bad.yaml" in e.problem for e in app.changes.items)
        await wait_for(pilot, lambda: "fixed: " in str(app.screen.query_one("#feed").render()))


async def test_needs_a_look_total_only_once_final() -> None:
    from ktui.tui.attention import attention

    app = make_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: app.bridge.synced and app.bridge.findings is not None)
        final = attention(app.bridge, app.changes, app.palette).plain
        assert "5 findings" in final and "partial" not in final
        app.changes.last_change_batch = app.bridge.batches + 1  # a change the analysis has not seen
        partial = attention(app.bridge, app.changes, app.palette).plain
        assert "5 findings (partial: computing…)" in partial
