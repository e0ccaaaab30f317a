"""The overview: one row per namespace (a RowTable: virtualised, a row rendered once until it changes), an
attention line naming what needs a look, and the change feed. Batches update only the rows of
the namespaces they changed; a full rebuild happens only when rows appear, vanish or reorder."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.widgets import Input, Static

from ktui.analysis.posture import NamespaceOverview
from ktui.render.safe import SafeText, clean, safe_text
from ktui.tui import data, extras, fmt
from ktui.tui.attention import attention as attention_line
from ktui.tui.bridge import Update
from ktui.tui.screens.base import KScreen, ObjectRef
from ktui.tui.widgets.feed import ChangeFeed
from ktui.tui.widgets.listing import PromptInput
from ktui.tui.widgets.preview import CLUSTER_ROW, NamespacePreview
from ktui.tui.widgets.rowtable import RowTable

COLUMNS = (("ns", "NAMESPACE"), ("in", "IN-ISO"), ("out", "OUT-ISO"),
           ("egress", "EGRESS"), ("dns", "DNS"), ("hosts", "HOSTS"), ("findings", "FINDINGS"))
FLASH_SECONDS = 1.5


def _sort_keys() -> dict[str, Callable[[NamespaceOverview], tuple[object, ...]]]:
    return {
        "name": lambda n: (n.namespace,),
        "findings": lambda n: (-n.findings_total, n.namespace),
        "hosts": lambda n: (-n.hosts_with("fail"), -n.host_count, n.namespace),
        "egress": lambda n: (n.most_open_egress.rank if n.most_open_egress else 9, n.namespace),
        "dns": lambda n: (-n.dns_blocked, n.namespace),
        "pods": lambda n: (-n.pods, n.namespace),
    }


SORT_KEYS = _sort_keys()
SORT_ORDER = tuple(SORT_KEYS)


WIDE = 150  # from this width the preview sits beside the table, else below it


class OverviewScreen(KScreen):
    AUTO_FOCUS = "#namespaces"
    HAS_OBJECTS = True
    HAS_COPY = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter"),
        Binding("s", "sort", "Sort"),
        Binding("e", "egress", "Egress"),
        Binding("t", "triage", "Triage host"),
        Binding("0,ctrl+a", "all", "All ns", show=False),
        Binding("escape", "back", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort = "name"
        self.filter_text = ""
        self._order: list[str] = []
        self._flash: dict[str, float] = {}
        self._attention = Text()
        self._title = ""

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Static(id="attention")
        yield PromptInput(placeholder="filter namespaces (esc clears)", id="filter", classes="hidden")
        with Container(id="ov-main"):
            table = self._table = RowTable(id="namespaces")
            table.set_columns(list(COLUMNS))
            yield table
            yield NamespacePreview(id="preview")
        yield ChangeFeed(self.kapp.changes, self.palette, id="feed")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.rebuild()
        self.set_interval(0.5, self._unflash)
        self.watch(self.table, "cursor", lambda _c: self.show_preview())

    def on_resize(self) -> None:
        self.query_one("#ov-main").set_class(self.size.width >= WIDE, "-wide")

    def show_preview(self) -> None:
        previews = self.query(NamespacePreview)
        if not self.ready or not previews or not previews.first().is_mounted:
            if self.ready:
                self.call_after_refresh(self.show_preview)  # its container mounts a moment later
            return
        self.query_one(NamespacePreview).show(self.bridge, self.palette, self.table.selected_key())

    def selected_object(self) -> ObjectRef | None:
        key = self.table.selected_key()
        return ("Namespace", "", key) if key and key != CLUSTER_ROW else None

    def copy_payload(self) -> tuple[SafeText, str] | None:
        key = self.table.selected_key()
        return (safe_text(key), "namespace") if key and key != CLUSTER_ROW else None

    # ------------------------------------------------------------ rows
    @property
    def table(self) -> RowTable:
        return self._table  # held: it is mounted (in its container) a moment after the screen

    def visible(self) -> list[NamespaceOverview]:
        """The rows: the bridge's NamespaceOverview objects (what `ktui posture` prints), filtered and sorted."""
        needle = self.filter_text.lower()
        rows = [row for np in self.bridge.namespaces() if needle in np.namespace.lower()
                for row in [self.bridge.overview(np.namespace)] if row is not None]
        rows.sort(key=SORT_KEYS[self.sort])
        return rows

    def cells(self, row: NamespaceOverview) -> list[Text]:
        p, ex = self.palette, extras.extras_of(row)
        most = row.most_open_egress
        cells = [
            fmt.literal(row.namespace, "bold", fmt.MAX_NAME),
            fmt.isolation(p, row.ingress_isolated, row.pods),
            fmt.isolation(p, row.egress_isolated, row.pods),
            fmt.egress_class(p, most, dict(row.egress).get(most, 0) if most else None, row.pods),
            fmt.dns(p, row.dns_blocked, row.pods),
            extras.hosts_cell(p, ex, self.bridge),
            extras.findings_cell(p, ex, self.bridge),
        ]
        if row.namespace in self._flash:
            cells = fmt.flashed(p, cells)
        return cells

    @property
    def ready(self) -> bool:
        return hasattr(self, "_table")

    def rebuild(self) -> None:
        if not self.ready:
            return
        rows = self.visible()
        self.table.set_rows([(row.namespace, self.cells(row)) for row in rows] + self._cluster_row())
        self._order = [row.namespace for row in rows]
        self._titles()
        self.show_preview()

    def _cluster_row(self) -> list[tuple[str, list[Text]]]:
        """Findings that belong to no namespace shown here (IngressClass, GatewayClass ...):
        a last row, so the namespace column adds up to the total."""
        found = data.namespace_findings(self.bridge, "")
        if found is None or not found or self.filter_text:
            return []
        p = self.palette
        worst = max((f.severity for f in found), key=lambda s: s.rank)
        lvl = extras.SEVERITY_LEVEL[worst]
        dash = Text("-", style=p.muted)
        return [(CLUSTER_ROW, [Text(CLUSTER_ROW, style=f"italic {p.muted}"), dash, dash, dash, dash, dash,
                               fmt.count(p, len(found), lvl)])]

    def _titles(self) -> None:
        total = len(self.bridge.posture.by_namespace)
        shown = len(self._order)
        where = f" · filter {clean(self.filter_text)!r} {shown}/{total}" if self.filter_text else f" · {total}"
        title = f"Namespaces{where} · sort: {self.sort} (s)"
        if title != self._title:  # (border_title reads back as markup, never equal to a Text; and
            self._title = title  # setting it redraws the whole table: once per batch, it did)
            self.table.border_title = Text(title)
        attention = attention_line(self.bridge, self.kapp.changes, self.palette)
        if not fmt.same(attention, self._attention):
            self._attention = attention
            self.query_one("#attention", Static).update(attention, layout=False)

    def update_rows(self, names: set[str]) -> None:
        if not self.ready:
            return
        order = [row.namespace for row in self.visible()]
        if order != self._order:
            self.rebuild()
            return
        table = self.table
        for name in names:
            row = self.bridge.overview(name)
            if row is None or name not in self._order:
                continue
            cells = self.cells(row)
            if not all(fmt.same(a, b) for a, b in zip(table.get_row_at(self._order.index(name)), cells, strict=True)):
                table.update_row(name, cells)  # re-renders that row alone
        cluster = self._cluster_row()
        if bool(cluster) != (CLUSTER_ROW in table.keys()):  # noqa: SIM118 (RowTable.keys is a list)
            self.rebuild()
            return
        if cluster:
            table.update_row(CLUSTER_ROW, cluster[0][1])
        self._titles()

    # ------------------------------------------------------------ live
    def refresh_status(self) -> None:
        """Also the attention line: it says when the posture is being computed (no batch comes
        while it is)."""
        super().refresh_status()
        if self.ready:
            self._titles()

    def on_batch(self, update: Update) -> None:
        if update.feed:  # material changes after the first sync flash their rows
            now = self.bridge.clock()
            for d in update.deltas:
                self._flash[d.namespace] = now + FLASH_SECONDS
        if update.first_sync:
            self.rebuild()
        elif update.changed or update.overlay:
            self.update_rows(update.changed | update.overlay)
        self.query_one(ChangeFeed).follow()
        if self.ready and (self.table.selected_key() in update.changed or update.overlay):
            self.show_preview()  # only when what it shows may have moved (hosts cross namespaces)

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
        if event.key == CLUSTER_ROW:
            self.kapp.open_findings()
        else:
            self.kapp.open_namespace(event.key)

    def action_egress(self) -> None:
        key = self.table.selected_key()
        if key and key != CLUSTER_ROW:
            self.kapp.open_egress(key)

    def action_all(self) -> None:
        """0 / ctrl+a: every namespace again (clears the filter)."""
        self.action_back()

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

    def action_triage(self) -> None:
        self.kapp.open_command_line("triage ")
