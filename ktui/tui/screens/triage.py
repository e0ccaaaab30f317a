"""The "ingress is broken" chain for one host[/path], link by link: ok / warn / fail with the
object to look at. The chain is computed by ktui.analysis.exposure.triage; this screen lays it out."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ktui.render.safe import SafeText, clean, safe_text
from ktui.tui import extras
from ktui.tui.bridge import Update
from ktui.tui.screens.base import KScreen


class TriageScreen(KScreen):
    AUTO_FOCUS = "#triage-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "recompute", "Recompute"),
    ]

    HAS_COPY = True

    def __init__(self, target: str, close: list[SafeText] | None = None) -> None:
        super().__init__()
        self.target = target
        self.close = close or []

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Static(id="triage-header")
        yield Static(id="triage-hint")
        with VerticalScroll(id="triage-body"):
            yield Static(id="triage-chain")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(" triage ", style="reverse")
        head.append(f" {clean(self.target)} ", style="bold")
        head.append(" each link ok / warn / fail, and → the object to look at", style=self.palette.muted)
        self.query_one("#triage-header", Static).update(head, layout=False)
        hint = self.query_one("#triage-hint", Static)
        hint.display = bool(self.close)
        if self.close:
            hint.update(Text(f" did you mean: {', '.join(clean(c) for c in self.close)}  (:triage HOST)",
                             style=self.palette.warn))
        self.query_one("#triage-body").focus()
        self.fill()

    @work(exclusive=True, group="triage")
    async def fill(self) -> None:
        """Triage reads the whole store (subjects, exposure, policies): off the UI thread."""
        p = self.palette
        try:
            chain = await self.kapp.analyse(lambda: extras.triage_lines(self.bridge, self.target, p))
        except Exception as exc:  # an analysis bug: say so on the screen, keep the app
            chain = Text(f"triage failed: {clean(exc)}", style=p.fail)
        self.query_one("#triage-chain", Static).update(chain)

    def on_batch(self, update: Update) -> None:
        if update.changes or update.overlay:
            self.fill()

    def restyle(self) -> None:
        super().restyle()
        self.fill()

    def copy_payload(self) -> tuple[SafeText, str] | None:
        return safe_text(f"ktui triage {self.target}"), "command"

    def action_recompute(self) -> None:
        self.fill()
