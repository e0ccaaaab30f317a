"""The change feed panel: the newest posture changes, newest first, sized to its box.

It renders from the bridge's feed on each batch instead of appending to a log, so a theme change
recolours old lines too and the panel costs the same however long the session runs.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

from ktui.tui.bridge import Bridge
from ktui.tui.fmt import feed_line
from ktui.tui.themes import Palette


class ChangeFeed(Widget):
    DEFAULT_CSS = "ChangeFeed { height: 6; }"

    def __init__(self, bridge: Bridge, palette: Palette, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.bridge = bridge
        self.palette = palette
        self.border_title = "Changes"

    def set_palette(self, palette: Palette) -> None:
        self.palette = palette
        self.refresh()

    def render(self) -> RenderableType:
        rows = max(1, self.content_size.height)
        entries = list(self.bridge.feed)[-rows:][::-1]
        if not entries:
            return Text("No posture changes since the first sync. They appear here as they happen.",
                        style=f"italic {self.palette.muted}")
        out = Text(no_wrap=True, overflow="ellipsis")
        for i, e in enumerate(entries):
            if i:
                out.append("\n")
            out.append_text(feed_line(self.palette, e))
        return out
