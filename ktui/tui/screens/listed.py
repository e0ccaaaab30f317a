"""A screen built around one Listing (the feed, the findings, a namespace's egress destinations):
`/` filters, `s` sorts, esc clears a filter before it leaves, and `fill()` draws the rows, again
after a theme change. Written once so every such screen keeps the same habits."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from ktui.tui.screens.base import KScreen
from ktui.tui.widgets.listing import Listing


class ListingScreen(KScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter"),
        Binding("s", "sort", "Sort"),
    ]

    def fill(self) -> None:
        """Draw the rows from the bridge's current answers."""
        raise NotImplementedError

    def on_mount(self) -> None:
        self.fill()

    def restyle(self) -> None:
        super().restyle()
        self.fill()

    def action_filter(self) -> None:
        self.query_one(Listing).start_filter()

    def action_sort(self) -> None:
        self.query_one(Listing).cycle_sort()

    def action_back(self) -> None:
        if not self.query_one(Listing).clear_filter():
            super().action_back()
