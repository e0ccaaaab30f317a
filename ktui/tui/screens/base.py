"""What every ktui screen shares: the status line on top, the key footer below, and the two
hooks the app calls -- `on_batch` once per drained batch and `restyle` after a theme change."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from ktui.render.safe import SafeText, safe_text
from ktui.tui.bridge import Bridge, Update
from ktui.tui.themes import Palette
from ktui.tui.widgets.keybar import KeyBar
from ktui.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from ktui.tui.app import KtuiApp


ObjectRef = tuple[str, str, str]  # (kind, namespace, name)


class KScreen(Screen[None]):
    """Keys every screen has: esc back, f the change feed; y (YAML), d (describe) and C (copy)
    where the screen has a selected object or something to copy (check_action hides them
    elsewhere, so the key bar and the help list only keys that work)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f", "feed", "Changes"),
        Binding("y", "yaml", "YAML"),
        Binding("d", "describe", "Describe"),
        Binding("C", "copy", "Copy"),
    ]
    HAS_OBJECTS = False  # y and d work here
    HAS_COPY = False  # C works here
    HAS_FEED = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("yaml", "describe"):
            return self.HAS_OBJECTS
        if action == "copy":
            return self.HAS_COPY
        if action == "feed":
            return self.HAS_FEED
        return True

    def selected_object(self) -> ObjectRef | None:
        """The object under the cursor, for y and d. Screens with objects override this."""
        return None

    def copy_payload(self) -> tuple[SafeText, str] | None:
        """(text, what it is) for C. Screens with something to copy override this."""
        return None

    def action_feed(self) -> None:
        self.kapp.open_feed()

    def action_yaml(self) -> None:
        self._open_object("yaml")

    def action_describe(self) -> None:
        self._open_object("describe")

    def _open_object(self, mode: str) -> None:
        obj = self.selected_object()
        if obj is None:
            self.kapp.notify(safe_text("nothing selected"), severity="warning")
            return
        self.kapp.open_object(*obj, mode=mode)

    def action_copy(self) -> None:
        payload = self.copy_payload()
        if payload is None:
            self.kapp.notify(safe_text("nothing to copy here"), severity="warning")
            return
        self.kapp.copy_text(*payload)

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

    _status_lines: list[StatusLine] | None = None  # found once: this runs on every batch

    def refresh_status(self) -> None:
        lines = self._status_lines
        if lines is None:
            lines = list(self.query(StatusLine))
            if lines:
                self._status_lines = lines
        for line in lines:
            line.show(self.bridge, self.palette)

    def on_batch(self, update: Update) -> None:
        """A batch was applied; refresh only what it touched. Screens override this."""

    def restyle(self) -> None:
        """The palette changed; re-render coloured cells. Screens override this."""
        self.refresh_status()

    def action_back(self) -> None:
        self.kapp.go_back()
