"""The "ingress is broken" chain for one host[/path], link by link: ok / warn / fail with the
object to look at. The chain is computed by ktui.analysis.triage; this screen lays it out."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ktui.render.safe import clean
from ktui.tui import extras
from ktui.tui.bridge import Update
from ktui.tui.screens.base import KScreen


class TriageScreen(KScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "recompute", "Recompute"),
    ]

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Static(id="triage-header")
        with VerticalScroll(id="triage-body"):
            yield Static(id="triage-chain")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.fill()
        self.query_one("#triage-body").focus()

    def fill(self) -> None:
        p = self.palette
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(" triage ", style="reverse")
        head.append(f" {clean(self.target)} ", style="bold")
        chain = extras.triage_text(self.bridge, self.target, p)
        if chain is None:
            chain = Text("triage: not available in this build (ktui.analysis.triage)", style=f"italic {p.muted}")
        self.query_one("#triage-header", Static).update(head)
        self.query_one("#triage-chain", Static).update(chain)

    def on_batch(self, update: Update) -> None:
        if update.changes:
            self.fill()

    def restyle(self) -> None:
        super().restyle()
        self.fill()

    def action_recompute(self) -> None:
        self.fill()
