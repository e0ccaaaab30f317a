"""Every row actionable, k9s habits: pickers and "did you mean", workloads named as users name
them, y / d object views (never a Secret), finding details that jump to the object, / and s in
every table with esc closing the filter first, f everywhere, help listing only working keys,
the overview's preview and cluster row, ktui's own themes in the palette."""

from __future__ import annotations

from rich.text import Text

from ktui.tui.app import KtuiApp
from ktui.tui.screens.egress import EgressScreen
from ktui.tui.screens.feed import FeedScreen
from ktui.tui.screens.findings import FindingDetail, FindingsScreen
from ktui.tui.screens.help import HelpScreen, screen_keys
from ktui.tui.screens.namespace import NamespaceScreen
from ktui.tui.screens.object import ObjectScreen
from ktui.tui.screens.overview import OverviewScreen
from ktui.tui.screens.picker import Picker
from ktui.tui.screens.pod import PodScreen
from ktui.tui.screens.prompt import CommandLine
from ktui.tui.widgets.listing import Listing

from .pilot import wait_for


def table_rows(app: KtuiApp) -> list[str]:
    table = app.screen.query_one(Listing).table
    return [Text.assemble(table.get_row_at(i)[0]).plain for i in range(table.row_count)]


def picker_labels(app: KtuiApp) -> list[str]:
    assert isinstance(app.screen, Picker)
    return [label for label, _value in app.screen._shown]


def screen_text(app: KtuiApp) -> str:
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


async def test_ns_and_pod_without_argument_list_choices(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.run_command("ns")
        await pilot.pause()
        assert picker_labels(app) == ["kube-system", "payments", "sandbox", "shop"]
        await pilot.press(*"pay", "enter")
        await pilot.pause()
        assert isinstance(app.screen, NamespaceScreen) and app.screen.namespace == "payments"
        app.run_command("pod")  # the pods of the namespace on screen
        await pilot.pause()
        assert picker_labels(app) == ["payments/api-0", "payments/worker-0"]
        await pilot.press("escape")  # closes the picker, not the namespace screen
        await pilot.pause()
        assert isinstance(app.screen, NamespaceScreen)


async def test_pod_accepts_a_workload_and_suggests_close_names(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.run_command("pod shop/frontend")  # the Deployment above ReplicaSet frontend-7d9
        await pilot.pause()
        assert picker_labels(app) == ["frontend-0", "frontend-1"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PodScreen) and app.screen.pod_name == "frontend-0"
        app.run_command("pod shop/frontnd-1")
        await pilot.pause()
        assert "frontend-1" in picker_labels(app)
        assert "did you mean" in str(app.screen.query_one("#picker-box").border_title)
        await pilot.press("escape")
        app.run_command("ns paymnts")
        await pilot.pause()
        assert picker_labels(app) == ["payments"]


async def test_workloads_are_named_by_their_deployment(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.run_command("ns shop")
        await pilot.pause()
        await pilot.press("2")
        table = app.screen.query_one(Listing).table
        cells = {Text.assemble(table.get_row_at(i)[0]).plain: Text.assemble(table.get_row_at(i)[1]).plain
                 for i in range(table.row_count)}
        assert cells["frontend-0"] == "Deployment frontend"
        assert cells["cart-0"] == "-"


async def test_yaml_and_describe_of_the_selected_object_never_a_secret(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.run_command("ns shop")
        await pilot.pause()
        await pilot.press("2", "y")
        await pilot.pause()
        assert isinstance(app.screen, ObjectScreen) and app.screen.ref == ("Pod", "shop", "cart-0")
        assert "name: cart-0" in screen_text(app)
        await pilot.press("d")
        text = screen_text(app)
        assert "Egress" in text and "DNS" in text and "From" in text
        app.open_object("Secret", "shop", "shop-tls")
        await pilot.pause()
        assert "Secrets are never shown" in screen_text(app)


async def test_policy_and_finding_details(app: KtuiApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        app.run_command("ns shop")
        await pilot.pause()
        await pilot.press("3", "enter")  # a policy: its rules in words
        await pilot.pause()
        assert isinstance(app.screen, ObjectScreen) and app.screen.ref == ("NetworkPolicy", "shop", "cart")
        assert "Ingress" in screen_text(app)
        await pilot.press("escape", "4", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FindingDetail)
        text = screen_text(app)
        assert "fix" in text and app.screen.finding.message[:40] in text
        await pilot.press("enter")  # jump to the object (an Ingress: the namespace's exposure)
        await pilot.pause()
        assert isinstance(app.screen, NamespaceScreen) and app.screen.tab == "exposure"


async def test_filter_and_sort_in_a_tab_and_esc_closes_the_filter_first(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.run_command("ns shop")
        await pilot.pause()
        await pilot.press("2", "slash", *"cart")
        assert table_rows(app) == ["cart-0"]
        await pilot.press("escape")  # the filter closes; the screen stays
        assert isinstance(app.screen, NamespaceScreen)
        assert len(table_rows(app)) == 3
        await pilot.press("s")  # sort by POD
        assert table_rows(app) == sorted(table_rows(app))
        await pilot.press("f")  # the change feed from any screen
        await pilot.pause()
        assert isinstance(app.screen, FeedScreen)


async def test_help_lists_only_keys_that_work_here(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        app.run_command("feed")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        here = dict(screen_keys(app.screen.under))
        assert "/" in here and "s" in here and "f" not in here  # no feed key on the feed itself
        await pilot.press("escape")
        app.run_command("overview")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        keys = dict(screen_keys(app.screen.under))
        assert "e" in keys and "f" in keys and "1" not in keys  # tabs belong to the namespace screen


async def test_overview_preview_and_cluster_row(app: KtuiApp) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.query_one("#ov-main").has_class("-wide")  # beside the table at 160 columns
        await pilot.press("j", "j", "j")  # shop
        await pilot.pause()
        assert "shop.example.com" in screen_text(app)  # its hosts, at once
        # its egress, as CIDRs: asked off the UI thread once the cursor rests (computing… meanwhile)
        await wait_for(pilot, lambda: "0.0.0.0/0 except 10.0.0.0/8" in screen_text(app))
        text = screen_text(app)
        assert "TCP 443" in text and "computing destinations" not in text
        assert "-255.255.255.255" not in text
        await pilot.press("G", "enter")  # the (cluster) row: findings of no namespace
        await pilot.pause()
        assert isinstance(app.screen, FindingsScreen)
        assert any(f.object.kind == "IngressClass" for f in app.screen.found)


async def test_egress_view_lists_destinations_with_workloads_and_rules(app: KtuiApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        app.run_command("egress shop")
        await pilot.pause()
        assert isinstance(app.screen, EgressScreen)
        dests = {d.target: d for d in app.screen.dests}
        internet = dests["0.0.0.0/0 except 10.0.0.0/8"]
        assert internet.kind == "internet" and internet.port_text() == "TCP 443"
        assert internet.workloads == {"Deployment frontend"} and internet.rules


async def test_palette_themes_are_ktuis_and_q_bang_quits(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Theme" not in titles and "Quit" in titles
        await pilot.press("colon", *"q!", "enter")
        await pilot.pause()
    assert app.return_code == 0  # set by exit(); None while running


async def test_tab_accepts_the_suggestion(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("colon", *"ns pay")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandLine)
                       and app.screen.query_one("Input")._suggestion == "ns payments")
        await pilot.press("tab")
        assert app.screen.query_one("Input").value == "ns payments"


async def test_named_port_in_can_reach_and_esc_leaves_the_field(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.run_command("pod shop/cart-0")
        await pilot.pause()
        await pilot.press("c", *"shop/frontend-0", "enter", *"http", "enter")
        result = str(app.screen.query_one("#query-result").render())
        assert "8080/TCP" in result  # the destination's port named http
        await pilot.press("escape")  # leaves the field, stays on the pod
        assert isinstance(app.screen, PodScreen) and app.screen.focused is not None
        assert app.screen.focused.id == "pod-body"
        assert "ktui can-reach shop/cart-0 shop/frontend-0 --port http" in app.screen.copy_payload()[0]


async def test_triage_suggests_close_hosts(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.run_command("triage shop.exmple.com")
        await pilot.pause(0.3)
        assert "did you mean: shop.example.com" in screen_text(app)


TLS_INGRESS = """
apiVersion: v1
kind: Namespace
metadata: {name: web}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site, namespace: web}
spec:
  ingressClassName: nginx
  tls: [{hosts: [site.example.com], secretName: site-tls}]
  rules:
  - host: site.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: site, port: {number: 80}}}}]}
"""


async def test_tls_cell_says_unknown_when_secrets_cannot_be_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ktui.sources.base import KindStatus, SyncState

    from .conftest import make_app

    (tmp_path / "site.yaml").write_text(TLS_INGRESS)
    app = make_app([tmp_path / "site.yaml"])
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: app.bridge.exposure is not None)
        app.bridge.source.queue.put(KindStatus("Secret", SyncState.FORBIDDEN, message="forbidden (403)"))
        await wait_for(pilot, lambda: app.bridge.state.unseen("Secret") is not None)
        app.run_command("ns web")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        row = app.screen.query_one(Listing).table.get_row_at(0)
        assert Text.assemble(row[4]).plain == "? unknown"
        assert "cannot be checked: forbidden" in screen_text(app)  # the detail line says why
