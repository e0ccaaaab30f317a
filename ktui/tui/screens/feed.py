"""Every posture change of the session, newest first: per namespace and workload, egress class,
DNS, isolation, hosts and findings, each with the objects that caused it. Enter opens the
namespace; / filters; s sorts."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult

from ktui.render.safe import SafeText, clean, safe_text
from ktui.tui.bridge import Update
from ktui.tui.changes import FeedItem
from ktui.tui.screens.base import ObjectRef
from ktui.tui.screens.listed import ListingScreen
from ktui.tui.widgets.feed import change_text
from ktui.tui.widgets.listing import Listing, Row
from ktui.tui.widgets.rowtable import RowTable

COLUMNS = ("TIME", "CHANGE", "CAUSED BY")


class FeedScreen(ListingScreen):
    AUTO_FOCUS = "#feed-table"
    HAS_FEED = False
    HAS_OBJECTS = True
    HAS_COPY = True

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Listing(id="feed-listing", table_id="feed-table")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self._seen = -1
        self.fill()

    def _row(self, i: int, e: FeedItem) -> Row:
        p = self.palette
        causes = e.change.causes if e.change is not None else ()
        objects = ", ".join(f"{c.kind} {clean(c.namespace) + '/' if c.namespace else ''}{clean(c.name)} {c.verb}"
                            for c in causes)
        detail = change_text(p, e, with_causes=False)
        if objects:
            detail.append(f"\ncaused by: {objects}", style=p.muted)
        short = objects if len(causes) <= 2 else objects.split(", ")[0] + f" +{len(causes) - 1}"
        return Row(str(i), [Text(e.stamp, style=p.muted), change_text(p, e, with_causes=False),
                            Text(short, style=p.muted, no_wrap=True)], detail, sort=(-e.when, e.namespace))

    def fill(self) -> None:
        self.items = list(self.kapp.changes.items)[::-1]
        rows = [self._row(i, e) for i, e in enumerate(self.items)]
        self.query_one(Listing).set_rows(COLUMNS, rows, "Change feed · enter opens the namespace")
        self._seen = self.kapp.changes.version

    def _selected(self) -> FeedItem | None:
        row = self.query_one(Listing).selected()
        return self.items[int(row.key)] if row is not None else None

    def selected_object(self) -> ObjectRef | None:
        e = self._selected()
        c = e.change.causes[0] if e is not None and e.change is not None and e.change.causes else None
        return (c.kind, c.namespace, c.name) if c is not None else None

    def copy_payload(self) -> tuple[SafeText, str] | None:
        e = self._selected()
        return (safe_text(change_text(self.palette, e).plain), "change") if e is not None else None

    def on_batch(self, update: Update) -> None:
        if self.kapp.changes.version != self._seen:
            self.fill()


    @on(RowTable.Selected)
    def _open(self, _event: RowTable.Selected) -> None:
        e = self._selected()
        if e is not None and e.namespace:
            self.kapp.open_namespace(e.namespace)
