"""Small modal screens: the `:` command line and the `:ctx` panel."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ktui.render.safe import SafeText, clean
from ktui.sources.base import SyncState
from ktui.tui.bridge import Bridge
from ktui.tui.safe_ui import SafeSuggester
from ktui.tui.themes import Palette


class CommandLine(ModalScreen[str | None]):
    """`:` then a command; tab or → accepts the suggestion; esc closes the prompt only.
    Dismisses with the text (or None). Suggestions are SafeText (they are drawn as typed)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("tab", "accept", "Complete", priority=True),
    ]

    def __init__(self, initial: SafeText, suggestions: list[SafeText]) -> None:
        super().__init__()
        self.initial = clean(initial)
        self.suggestions = suggestions

    def compose(self) -> ComposeResult:
        yield Input(
            value=self.initial,
            placeholder="ns [NAME] · pod [NS/NAME|WORKLOAD] · egress [NS] · triage HOST[/PATH] · findings · ctx · "
                        "theme NAME · feed · help · q",
            suggester=SafeSuggester(self.suggestions),
            id="command",
        )

    def action_accept(self) -> None:
        """Tab takes the suggestion shown (Input's own → does too); without one it does nothing."""
        box = self.query_one(Input)
        if box._suggestion:
            box.value = clean(box._suggestion)
            box.cursor_position = len(box.value)

    def on_mount(self) -> None:
        box = self.query_one(Input)
        box.border_title = ":"
        box.focus()
        box.cursor_position = len(self.initial)

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def context_table(bridge: Bridge, p: Palette) -> Table:
    grid = Table(box=None, padding=(0, 2), show_header=True, header_style="bold")
    grid.add_column("KIND")
    grid.add_column("STATE")
    grid.add_column("OBJECTS", justify="right")
    grid.add_column("NOTE")
    colours = {SyncState.LIVE: p.ok, SyncState.SYNCING: p.warn, SyncState.RECONNECTING: p.warn,
               SyncState.FORBIDDEN: p.fail, SyncState.ABSENT: p.muted}
    for kind, st in sorted(bridge.statuses.items()):
        grid.add_row(Text(clean(kind)), Text(st.state.value, style=colours[st.state]),
                     Text(str(bridge.state.count(kind))), Text(clean(st.message), style=p.muted))
    return grid


class ContextScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "dismiss", "Close")]

    def __init__(self, bridge: Bridge, palette: Palette) -> None:
        super().__init__()
        self.bridge = bridge
        self.palette = palette

    def compose(self) -> ComposeResult:
        b, p = self.bridge, self.palette
        head = Text()
        head.append("context ", style="bold")
        head.append(clean(b.context or "-"))
        head.append(f"\nsource {clean(getattr(b.source, 'name', '?'))} · {b.batches} batches · "
                    f"{len(b.posture.by_namespace)} namespaces\n")
        problems = Text()
        for problem in list(b.problems)[-10:]:  # the bridge withdraws a fixed file's problems
            problems.append(f"problem: {clean(problem)}\n", style=p.warn)
        with VerticalScroll(id="ctx-box"):
            yield Static(head)
            yield Static(context_table(b, p))
            yield Static(problems)

    def on_mount(self) -> None:
        box = self.query_one("#ctx-box")
        box.border_title = "context · esc closes"
        box.focus()
