"""The overview: one row per namespace (a virtualised DataTable, so thousands stay fast), an
attention line naming what needs a look, and the change feed. Batches update only the rows of
the namespaces they changed; a full rebuild happens only when rows appear, vanish or reorder."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from ktui.analysis.posture import NamespacePosture
from ktui.render.safe import clean
from ktui.tui import extras, fmt
from ktui.tui.bridge import Update
from ktui.tui.screens.base import KScreen
from ktui.tui.widgets.feed import ChangeFeed
from ktui.tui.widgets.rowtable import RowTable

COLUMNS = (("ns", "NAMESPACE"), ("in", "IN-ISO"), ("out", "OUT-ISO"),
           ("egress", "EGRESS"), ("dns", "DNS"), ("hosts", "HOSTS"), ("findings", "FINDINGS"))
FLASH_SECONDS = 1.5


def _sort_keys() -> dict[str, Callable[[NamespacePosture, extras.NamespaceExtras], tuple[object, ...]]]:
    return {
        "name": lambda np, ex: (np.namespace,),
        "findings": lambda np, ex: (-ex.findings_total, np.namespace),
        "hosts": lambda np, ex: (-ex.hosts_failing, -ex.hosts, np.namespace),
        "egress": lambda np, ex: (np.most_open_egress.rank if np.most_open_egress else 9, np.namespace),
        "dns": lambda np, ex: (-np.dns_blocked, np.namespace),
        "pods": lambda np, ex: (-len(np.pods), np.namespace),
    }


SORT_KEYS = _sort_keys()
SORT_ORDER = tuple(SORT_KEYS)


class OverviewScreen(KScreen):
    AUTO_FOCUS = "#namespaces"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter"),
        Binding("s", "sort", "Sort"),
        Binding("f", "feed", "Changes"),
        Binding("t", "triage", "Triage host"),
        Binding("escape", "back", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort = "name"
        self.filter_text = ""
        self._order: list[str] = []
        self._flash: dict[str, float] = {}
        self._attention = Text()

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Static(id="attention")
        yield Input(placeholder="filter namespaces (esc clears)", id="filter", classes="hidden")
        table = RowTable(id="namespaces")
        table.set_columns(list(COLUMNS))
        yield table
        yield ChangeFeed(self.bridge, self.palette, id="feed")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.rebuild()
        self.set_interval(0.5, self._unflash)

    # ------------------------------------------------------------ rows
    @property
    def table(self) -> RowTable:
        return self.query_one("#namespaces", RowTable)

    def visible(self) -> list[NamespacePosture]:
        needle = self.filter_text.lower()
        rows = [np for np in self.bridge.namespaces() if needle in np.namespace.lower()]
        key = SORT_KEYS[self.sort]
        rows.sort(key=lambda np: key(np, extras.namespace_extras(self.bridge, np.namespace)))
        return rows

    def cells(self, np: NamespacePosture) -> list[Text]:
        ex = extras.namespace_extras(self.bridge, np.namespace)
        cells = fmt.namespace_cells(self.palette, np, extras.hosts_cell(self.palette, ex, self.bridge),
                                    extras.findings_cell(self.palette, ex, self.bridge))
        if np.namespace in self._flash:
            cells = fmt.flashed(self.palette, cells)
        return cells

    def rebuild(self) -> None:
        rows = self.visible()
        self.table.set_rows([(np.namespace, self.cells(np)) for np in rows])
        self._order = [np.namespace for np in rows]
        self._titles()

    def _titles(self) -> None:
        total = len(self.bridge.posture.by_namespace)
        shown = len(self._order)
        where = f" · filter {clean(self.filter_text)!r} {shown}/{total}" if self.filter_text else f" · {total}"
        title = Text(f"Namespaces{where} · sort: {self.sort} (s)")
        if self.table.border_title != title:
            self.table.border_title = title
        attention = extras.attention(self.bridge, self.palette)
        if not fmt.same(attention, self._attention):
            self._attention = attention
            self.query_one("#attention", Static).update(attention, layout=False)

    def update_rows(self, names: set[str]) -> None:
        order = [np.namespace for np in self.visible()]
        if order != self._order:
            self.rebuild()
            return
        table = self.table
        for name in names:
            np = self.bridge.namespace(name)
            if np is None or name not in self._order:
                continue
            cells = self.cells(np)
            if not all(fmt.same(a, b) for a, b in zip(table.get_row_at(self._order.index(name)), cells, strict=True)):
                table.update_row(name, cells)  # re-renders that row alone
        self._titles()

    # ------------------------------------------------------------ live
    def on_batch(self, update: Update) -> None:
        if update.feed:  # material changes after the first sync flash their rows
            now = self.bridge.clock()
            for d in update.deltas:
                self._flash[d.namespace] = now + FLASH_SECONDS
        if update.first_sync:
            self.rebuild()
        elif update.changed or update.overlay:
            self.update_rows(update.changed | update.overlay)
        if update.feed:
            self.query_one(ChangeFeed).refresh()

    def _unflash(self) -> None:
        now = self.bridge.clock()
        done = {ns for ns, until in self._flash.items() if until <= now}
        for ns in done:
            del self._flash[ns]
        if done:
            self.update_rows(done)

    def restyle(self) -> None:
        super().restyle()
        self.query_one(ChangeFeed).set_palette(self.palette)
        self.rebuild()

    # ------------------------------------------------------------ actions
    @on(RowTable.Selected, "#namespaces")
    def _selected(self, event: RowTable.Selected) -> None:
        self.kapp.open_namespace(event.key)

    def action_sort(self) -> None:
        self.sort = SORT_ORDER[(SORT_ORDER.index(self.sort) + 1) % len(SORT_ORDER)]
        self.rebuild()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("hidden")
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self.rebuild()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.table.focus()
        if not event.value:
            self.query_one("#filter", Input).add_class("hidden")

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if self.filter_text or not box.has_class("hidden"):
            box.value = ""
            self.filter_text = ""
            box.add_class("hidden")
            self.table.focus()
            self.rebuild()

    def action_feed(self) -> None:
        self.kapp.open_feed()

    def action_triage(self) -> None:
        self.kapp.open_command_line("triage ")
