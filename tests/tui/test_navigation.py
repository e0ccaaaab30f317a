"""Pilot tests: navigation, sorting, filtering, drill-down, commands, palette entries."""

from __future__ import annotations

from ktui.tui.app import KtuiApp
from ktui.tui.screens.help import HelpScreen
from ktui.tui.screens.namespace import NamespaceScreen
from ktui.tui.screens.overview import OverviewScreen
from ktui.tui.screens.pod import PodScreen
from ktui.tui.screens.triage import TriageScreen
from ktui.tui.widgets.rowtable import RowTable


def rows(app: KtuiApp, selector: str = "#namespaces") -> list[str]:
    table = app.screen.query_one(selector)
    assert isinstance(table, RowTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_overview_lists_namespaces_and_drills_down(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        # the last row holds the findings of no namespace (IngressClass ...)
        assert rows(app) == ["kube-system", "payments", "sandbox", "shop", "(cluster)"]
        await pilot.press("j", "enter")  # payments
        await pilot.pause()
        assert isinstance(app.screen, NamespaceScreen) and app.screen.namespace == "payments"
        assert rows(app, "#ns-table") == ["api-0", "worker-0"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PodScreen) and app.screen.pod_name == "api-0"
        text = str(app.screen.query_one("#pod-dns").render())
        assert "cannot reach cluster DNS" in text and "payments/egress-bank" in text
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, OverviewScreen)


async def test_sort_and_filter(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("s")  # findings, most first
        assert app.screen.sort == "findings"
        assert rows(app)[0] == "payments"
        await pilot.press("s", "s", "s")  # hosts, egress, dns
        assert app.screen.sort == "dns"
        assert rows(app)[0] == "payments"
        await pilot.press("slash", *"sh")
        assert rows(app) == ["shop"]
        await pilot.press("enter")  # leave the filter box, keep the filter
        assert rows(app) == ["shop"]
        await pilot.press("escape")  # clears it
        assert len(rows(app)) == 5


async def test_namespace_tabs_exposure_and_triage(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.run_command(":ns shop")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NamespaceScreen)
        assert screen.tab == "exposure"  # it has a failing host
        assert rows(app, "#ns-table") == ["shop.example.com", "shop.example.com"]
        await pilot.press("3")
        assert rows(app, "#ns-table") == ["cart", "default-deny", "frontend"]
        await pilot.press("4")
        assert rows(app, "#ns-table")  # the missing checkout Service
        await pilot.press("1", "j", "enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, TriageScreen) and app.screen.target == "shop.example.com/cart"
        chain = str(app.screen.query_one("#triage-chain").render())
        assert "Service shop/checkout not found" in chain


async def test_commands_help_and_errors(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("colon", *"pod shop/cart-0", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PodScreen) and app.screen.pod_name == "cart-0"
        app.run_command("ns nope")
        app.run_command("bogus")
        await pilot.pause()
        assert isinstance(app.screen, PodScreen)
        assert [n.message for n in app._notifications][-2:] == [
            "no namespace 'nope'", "unknown command 'bogus'; try ns, pod, triage, egress, ctx, theme, feed, help, q"]
        app.run_command("overview")
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)


async def test_can_reach_query_from_pod(app: KtuiApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.run_command("pod shop/frontend-0")
        await pilot.pause()
        await pilot.press("c", *"shop/cart-0", "enter", *"7070", "enter")
        result = str(app.screen.query_one("#query-result").render())
        assert result.startswith("✔ yes: shop/frontend-0 -> shop/cart-0 on 7070/TCP")
        assert "shop/frontend egress[0]" in result
        app.screen.run_query("payments/api-0", "8443/TCP")
        result = str(app.screen.query_one("#query-result").render())
        assert result.startswith("✘ no") and "DENIED" in result


async def test_palette_commands_are_literal(app: KtuiApp) -> None:
    from ktui.tui.commands import KtuiCommands

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        provider = KtuiCommands(app.screen)
        entries = [shown for shown, _cmd, _help in provider._entries()]
        assert "namespace payments" in entries and "pod shop/cart-0" in entries
        assert "triage shop.example.com/cart" in entries
        assert "theme high-contrast" in entries
