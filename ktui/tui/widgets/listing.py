"""A table with k9s habits: `/` filters (esc closes the filter, not the screen), `s` cycles the
sort column, and a detail line under it shows the selected row's long text in full, wrapped
(a WHY or MESSAGE cell is cut at 80 columns; its detail line never is).

Screens hand it whole rows (key, cells, detail); filtering and sorting happen here, so every
table sorts and filters the same way. The table is a RowTable: a row is rendered once, when it is
first drawn (a DataTable rendered each cell through Rich's padding: 20-30 ms of every namespace
opened, at 500 events/s the slowest key).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from ktui.render.safe import clean
from ktui.tui.widgets.rowtable import RowTable


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    cells: Sequence[Text]
    detail: Text | None = None  # the full text of the row's long cells
    sort: Sequence[object] = field(default=())  # per column; default: the cell's text


class PromptInput(Input):
    """An input whose esc closes it (clears, hides, hands focus back), never the screen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", show=False)]

    def action_close(self) -> None:
        self.value = ""
        self.add_class("hidden")
        self.post_message(self.Submitted(self, ""))


def _sort_value(v: object) -> tuple[int, object]:
    """Numbers by value (also "3/5" and "12 ready"), tuples as given, the rest as text."""
    if isinstance(v, int | float | tuple):
        return (0, v)
    s = str(v)
    head = s.split(" ", 1)[0].split("/", 1)[0]
    return (0, int(head)) if head.isdigit() else (1, s.casefold())


class Listing(Vertical):
    DEFAULT_CSS = """
    Listing { height: 1fr; }
    Listing > .listing-filter { height: 3; border: tall $accent; }
    Listing > .listing-detail { height: auto; max-height: 6; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None, table_id: str | None = None) -> None:
        super().__init__(id=id)
        self.table_id = table_id
        self._columns: list[str] = []
        self._rows: list[Row] = []
        self._by_key: dict[str, Row] = {}  # the cursor's row, looked up on every move
        self.filter_text = ""
        self.sort_column: int | None = None
        self._title = ""

    def compose(self) -> ComposeResult:
        yield PromptInput(placeholder="filter (esc closes)", classes="listing-filter hidden")
        yield RowTable(id=self.table_id)
        yield Static(classes="listing-detail")

    def on_mount(self) -> None:
        self.watch(self.table, "cursor", lambda _c: self._show_detail())

    @property
    def table(self) -> RowTable:
        return self.query_one(RowTable)

    # ------------------------------------------------------------ data
    def set_rows(self, columns: Sequence[str], rows: Sequence[Row], title: str = "") -> None:
        table = self.table
        if list(columns) != self._columns:
            self._columns = list(columns)
            if self.sort_column is not None and self.sort_column >= len(columns):
                self.sort_column = None
            table.set_columns([(c, c) for c in columns])
        self._rows, self._title = list(rows), title
        self._by_key = {r.key: r for r in self._rows}
        self._redraw()

    def visible_rows(self) -> list[Row]:
        needle = self.filter_text.casefold()
        rows = [r for r in self._rows if not needle or needle in " ".join(c.plain for c in r.cells).casefold()
                or (r.detail is not None and needle in r.detail.plain.casefold())]
        col = self.sort_column
        if col is not None:
            rows.sort(key=lambda r: _sort_value(r.sort[col] if col < len(r.sort) else r.cells[col].plain))
        return rows

    def _redraw(self) -> None:
        """The visible rows again; the cursor stays on its row if it is still shown (RowTable)."""
        table = self.table
        rows = self.visible_rows()
        table.set_rows([(r.key, list(r.cells)) for r in rows])
        parts = [self._title] if self._title else []
        parts.append(f"{len(rows)}/{len(self._rows)}" if self.filter_text else str(len(rows)))
        if self.filter_text:
            parts.append(f"filter {clean(self.filter_text)!r}")
        if self.sort_column is not None and self.sort_column < len(self._columns):
            parts.append(f"sort {self._columns[self.sort_column].lower()} (s)")
        table.border_title = Text(" · ".join(parts))
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.selected()
        box = self.query_one(".listing-detail", Static)
        box.update(row.detail if row is not None and row.detail is not None else Text())
        box.display = row is not None and row.detail is not None

    def selected(self) -> Row | None:
        key = self.table.selected_key()
        return None if key is None else self._by_key.get(key)

    # ------------------------------------------------------------ actions
    def start_filter(self) -> None:
        box = self.query_one(PromptInput)
        box.remove_class("hidden")
        box.focus()

    def cycle_sort(self) -> None:
        n = len(self._columns)
        if n:
            self.sort_column = 0 if self.sort_column is None else (self.sort_column + 1) % n
            self._redraw()

    def clear_filter(self) -> bool:
        """True when there was a filter to clear (esc then clears it instead of going back)."""
        box = self.query_one(PromptInput)
        had = bool(self.filter_text) or not box.has_class("hidden")
        if had:
            box.value = ""
            box.add_class("hidden")
            self.filter_text = ""
            self._redraw()
            self.table.focus()
        return had

    @on(Input.Changed, ".listing-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value
        self._redraw()

    @on(Input.Submitted, ".listing-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value:
            self.query_one(PromptInput).add_class("hidden")
        self.table.focus()
