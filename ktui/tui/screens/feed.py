"""Every posture change of the session, newest first, with time and the objects behind it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable

from ktui.render.safe import clean
from ktui.tui import fmt
from ktui.tui.bridge import FeedEntry, Update
from ktui.tui.screens.base import KScreen
from ktui.tui.widgets.table import KTable


class FeedScreen(KScreen):
    AUTO_FOCUS = "#feed-table"

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        table = KTable(id="feed-table")
        table.add_column("TIME", key="time")
        table.add_column("CHANGE", key="change")
        table.add_column("OBJECTS", key="objects")
        yield table
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.fill()
        self.query_one(KTable).focus()

    def _cells(self, e: FeedEntry) -> list[Text]:
        line = fmt.feed_line(self.palette, FeedEntry(e.when, "", e.namespace, e.facts, (), e.problem))
        line = line[1:]  # without the leading space of the empty stamp
        objects = ", ".join(f"{c.kind} {clean(c.namespace) + '/' if c.namespace else ''}{clean(c.name)} {c.verb}"
                            for c in e.causes[:3])
        if len(e.causes) > 3:
            objects += f" +{len(e.causes) - 3}"
        return [Text(e.stamp, style=self.palette.muted), line, Text(objects, style=self.palette.muted)]

    def fill(self) -> None:
        table = self.query_one(KTable)
        table.clear()
        entries = list(self.bridge.feed)[::-1]
        table.border_title = Text(f"Change feed · {len(entries)} changes · enter opens the namespace")
        for i, e in enumerate(entries):
            table.add_row(*self._cells(e), key=f"{len(entries) - i}:{e.namespace}")

    def on_batch(self, update: Update) -> None:
        if update.feed:
            self.fill()

    def restyle(self) -> None:
        super().restyle()
        self.fill()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        ns = (event.row_key.value or "").partition(":")[2]
        if ns:
            self.kapp.open_namespace(ns)
