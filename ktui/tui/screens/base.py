"""What every ktui screen shares: the status line on top, the key footer below, and the two
hooks the app calls -- `on_batch` once per drained batch and `restyle` after a theme change."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from ktui.tui.bridge import Bridge, Update
from ktui.tui.themes import Palette
from ktui.tui.widgets.keybar import KeyBar
from ktui.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from ktui.tui.app import KtuiApp


class KScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
    ]

    @property
    def kapp(self) -> KtuiApp:
        from ktui.tui.app import KtuiApp

        assert isinstance(self.app, KtuiApp)
        return self.app

    @property
    def bridge(self) -> Bridge:
        return self.kapp.bridge

    @property
    def palette(self) -> Palette:
        return self.kapp.palette

    def compose_status(self) -> ComposeResult:
        yield StatusLine(id="status")

    def compose_footer(self) -> ComposeResult:
        yield KeyBar()

    def on_screen_resume(self) -> None:
        self.kapp.catch_up(self)
        self.refresh_status()

    def refresh_status(self) -> None:
        for line in self.query(StatusLine):
            line.show(self.bridge, self.palette)

    def on_batch(self, update: Update) -> None:
        """A batch was applied; refresh only what it touched. Screens override this."""

    def restyle(self) -> None:
        """The palette changed; re-render coloured cells. Screens override this."""
        self.refresh_status()

    def action_back(self) -> None:
        self.kapp.go_back()
