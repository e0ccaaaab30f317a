"""Pictures of every screen at 120x40 and 80x24 (pytest-textual-snapshot). Deterministic: fixed
manifests, a fixed clock, no churn, stable sort, the overlay computed inline. Update with
`pytest tests/tui --snapshot-update`; `python tests/tui/make_screenshots.py` copies them to
screenshots/ for the README."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from ktui.model.decode import decode_document
from ktui.store import Event
from ktui.tui.app import KtuiApp
from ktui.tui.screens.pod import PodScreen

from .conftest import make_app

SIZES = {"120x40": (120, 40), "80x24": (80, 24)}
DENY = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "deny-all", "namespace": "sandbox"},
        "spec": {"podSelector": {}, "policyTypes": ["Egress"]}}


async def settle(pilot: Pilot[None], until: Callable[[], bool] = lambda: True) -> None:
    for _ in range(100):
        await pilot.pause(0.05)
        if until():
            break
    await pilot.pause()


def command(text: str, tab: str = "") -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        assert isinstance(pilot.app, KtuiApp)
        pilot.app.run_command(text)
        await settle(pilot)
        if tab:
            await pilot.press(tab)
            await settle(pilot)
    return run


async def pod(pilot: Pilot[None]) -> None:
    await command("pod payments/api-0")(pilot)
    await settle(pilot, lambda: isinstance(pilot.app.screen, PodScreen) and pilot.app.screen.explained is not None)


async def triage(pilot: Pilot[None]) -> None:
    await command("triage shop.example.com/cart")(pilot)
    await settle(pilot, lambda: "Service shop/checkout" in str(pilot.app.screen.query_one("#triage-chain").render()))


async def changed(pilot: Pilot[None]) -> None:
    """A policy arrives after the first sync: the row flashes (the clock is frozen) and the feed shows it."""
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, KtuiApp)
    info, obj = decode_document(DENY, "default")
    assert info is not None
    app.bridge.source.queue.put(Event("ADDED", info.kind, obj))
    await settle(pilot, lambda: bool(app.changes.items))


async def feed(pilot: Pilot[None]) -> None:
    await changed(pilot)
    await command("feed")(pilot)


async def finding(pilot: Pilot[None]) -> None:
    await command("ns shop", "4")(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def picker(pilot: Pilot[None]) -> None:
    await command("pod shop/frontnd")(pilot)


SCREENS: dict[str, Callable[[Pilot[None]], Awaitable[None]]] = {
    "overview": command("overview"),
    "overview-change": changed,
    "namespace-exposure": command("ns shop"),
    "namespace-pods": command("ns shop", "2"),
    "namespace-policies": command("ns shop", "3"),
    "namespace-findings": command("ns payments", "4"),
    "pod": pod,
    "triage": triage,
    "feed": feed,
    "namespace-egress": command("ns shop", "5"),
    "egress": command("egress shop"),
    "finding": finding,
    "object-yaml": command("ns shop", "y"),
    "picker": picker,
    "cluster-findings": command("findings"),
    "help": command("help"),
    "context": command("ctx"),
}
async def overview_shop(pilot: Pilot[None]) -> None:
    """The overview with shop selected: its hosts, egress destinations and findings beside the table."""
    await settle(pilot)
    await pilot.press("j", "j", "j")
    await settle(pilot)


WIDE = {"overview": overview_shop, "namespace-exposure": command("ns shop"),
        "namespace-findings": command("ns payments", "4")}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(snap_compare: Callable[..., bool], screen: str, size: str) -> None:
    assert snap_compare(make_app(), terminal_size=SIZES[size], run_before=SCREENS[screen])


@pytest.mark.parametrize("screen", WIDE)
def test_wide(snap_compare: Callable[..., bool], screen: str) -> None:
    """220 columns: the overview's preview beside the table; long cells readable."""
    assert snap_compare(make_app(), terminal_size=(220, 50), run_before=WIDE[screen])


@pytest.mark.parametrize("theme", ["light", "high-contrast"])
def test_theme(snap_compare: Callable[..., bool], theme: str) -> None:
    assert snap_compare(make_app(theme=theme), terminal_size=(120, 40), run_before=changed)
