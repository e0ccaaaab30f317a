"""A virtualised table that caches each row's rendering and re-renders only rows that change.

DataTable invalidates every cached cell on any update, so one live change re-renders the whole
visible table (the most expensive part of a frame on a busy overview). Here a row is rendered
once into a Strip, kept until that row changes, and only the visible lines are drawn; sorting
moves rows without re-rendering them. Keys: j/k, arrows, g/G, page up/down, enter; the mouse
highlights a row and a second click (or enter) selects it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

PAD = 2  # spaces between columns
Drawn = tuple[int, int, Style, Style | None]  # a line drawn for: scroll x, width, base style, cursor style


class RowTable(ScrollView, can_focus=True):
    DEFAULT_CSS = "RowTable { height: 1fr; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False),
        Binding("home,g", "move(-1000000000)", "Top", show=False),
        Binding("end,G", "move(1000000000)", "Bottom", show=False),
        Binding("enter", "select", "Open"),
    ]
    cursor = reactive(0, always_update=True)

    class Selected(Message):
        def __init__(self, table: RowTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> RowTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: list[tuple[str, str]] = []  # (key, label)
        self.widths: list[int] = []
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._cells: dict[str, list[Text]] = {}
        self._strips: dict[str, Strip] = {}
        self._header: Strip | None = None
        self._shown: dict[str, tuple[Strip, Drawn, Strip]] = {}  # key ("": header) -> as drawn

    # ------------------------------------------------------------ data
    def set_columns(self, columns: list[tuple[str, str]]) -> None:
        self.columns = list(columns)
        self.widths = [cell_len(label) for _key, label in self.columns]
        self._invalidate()

    def set_rows(self, rows: list[tuple[str, list[Text]]]) -> None:
        """All rows, in display order; rows whose cells are unchanged keep their rendering."""
        keep = self.selected_key()
        old = self._cells
        self._keys = [key for key, _ in rows]
        self._index = {key: i for i, key in enumerate(self._keys)}
        self._cells = {key: cells for key, cells in rows}
        self._strips = {k: s for k, s in self._strips.items() if k in self._cells and old.get(k) is self._cells[k]}
        self._shown = {k: s for k, s in self._shown.items() if k in self._strips}
        if self._grow(cells for _key, cells in rows):
            self._invalidate()
        self._resize()
        if keep is not None and keep in self._index:
            self.cursor = self._index[keep]
        else:
            self.cursor = min(self.cursor, max(0, len(self._keys) - 1))
        self.refresh()

    def clear(self) -> None:
        """No rows, the cursor back at the top (the next rows start from there)."""
        self.set_rows([])
        self.cursor = 0

    def update_row(self, key: str, cells: list[Text]) -> None:
        if key not in self._index:
            return
        self._cells[key] = cells
        self._strips.pop(key, None)
        if self._grow([cells]):
            self._invalidate()
            self._resize()
        self.refresh_line(self._index[key] + 1)  # virtual line: the header is line 0

    def _grow(self, rows: object) -> bool:
        grew = False
        for cells in rows:  # type: ignore[attr-defined]
            for i, cell in enumerate(cells):
                if cell.cell_len > self.widths[i]:
                    self.widths[i] = cell.cell_len
                    grew = True
        return grew

    def _invalidate(self) -> None:
        self._strips.clear()
        self._shown.clear()
        self._header = None
        self.refresh()

    def _resize(self) -> None:
        width = sum(self.widths) + PAD * len(self.widths) + 1
        self.virtual_size = Size(width, len(self._keys) + 1)

    # ------------------------------------------------------------ reading
    @property
    def row_count(self) -> int:
        return len(self._keys)

    def keys(self) -> list[str]:
        return list(self._keys)

    def get_cell(self, key: str, column: str) -> Text:
        return self._cells[key][[k for k, _ in self.columns].index(column)]

    def get_row_at(self, index: int) -> list[Text]:
        return self._cells[self._keys[index]]

    def selected_key(self) -> str | None:
        return self._keys[self.cursor] if 0 <= self.cursor < len(self._keys) else None

    def move_to_key(self, key: str) -> None:
        if key in self._index:
            self.cursor = self._index[key]

    # ------------------------------------------------------------ drawing
    def _line(self, cells: list[Text], style: str = "") -> Strip:
        line = Text(" ", no_wrap=True, style=style)
        for cell, width in zip(cells, self.widths, strict=False):
            piece = cell.copy()
            piece.truncate(width, overflow="ellipsis", pad=True)
            line.append_text(piece)
            line.append(" " * PAD)
        return Strip(list(line.render(self.app.console, end="")))

    def render_line(self, y: int) -> Strip:
        """A line as drawn (cropped, padded, styled) is kept with what it was drawn for: a frame
        redraws every visible line, and most rows are as they were."""
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        if y == 0:
            if self._header is None:
                self._header = self._line([Text(label) for _k, label in self.columns], "bold reverse")
            return self._drawn("", self._header, (scroll_x, width, base, None))
        index = y - 1 + scroll_y
        if index >= len(self._keys):
            return Strip([Segment(" " * width, base)], width)
        key = self._keys[index]
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._line(self._cells[key])
        cursor = Style(reverse=True, bold=self.has_focus) if index == self.cursor else None
        return self._drawn(key, strip, (scroll_x, width, base, cursor))

    def _drawn(self, key: str, strip: Strip, how: Drawn) -> Strip:
        held = self._shown.get(key)
        if held is not None and held[0] is strip and held[1] == how:
            return held[2]
        scroll_x, width, base, cursor = how
        out = strip.crop(scroll_x, scroll_x + width).extend_cell_length(width)
        if cursor is not None:
            out = out.apply_style(cursor)
        out = out.apply_style(base)
        self._shown[key] = (strip, how, out)
        return out

    def watch_cursor(self, old: int, new: int) -> None:
        if not self._keys:
            return
        top = int(self.scroll_offset.y)
        visible = max(1, self.size.height - 1)
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + visible:
            self.scroll_to(y=new - visible + 1, animate=False)
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # ------------------------------------------------------------ actions
    def action_move(self, step: int) -> None:
        if self._keys:
            self.cursor = max(0, min(len(self._keys) - 1, self.cursor + step))

    def action_page(self, step: int) -> None:
        self.action_move(step * max(1, self.size.height - 2))

    def action_select(self) -> None:
        key = self.selected_key()
        if key is not None:
            self.post_message(self.Selected(self, key))

    def on_click(self, event: events.Click) -> None:
        index = event.y - 1 + int(self.scroll_offset.y)
        if event.y == 0 or not 0 <= index < len(self._keys):
            return
        if index == self.cursor:
            self.action_select()
        else:
            self.cursor = index
