"""One namespace: tabs Exposure, Pods (isolation and egress class per pod), Policies (the pods each
selects) and Findings. Enter on a pod opens it; on a host opens its triage chain."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from ktui.analysis.posture import NamespacePosture
from ktui.render.safe import clean
from ktui.tui import extras, fmt, nsdata
from ktui.tui.bridge import Update
from ktui.tui.screens.base import KScreen
from ktui.tui.widgets.table import KTable

POD_COLUMNS = ("POD", "KIND", "INGRESS", "EGRESS", "CLASS", "DNS", "POLICIES")
POLICY_COLUMNS = ("POLICY", "TYPES", "SELECTS", "PODS", "RULES")
TABS = ("exposure", "pods", "policies", "findings")


class NamespaceScreen(KScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tab('exposure')", "Exposure"),
        Binding("2", "tab('pods')", "Pods"),
        Binding("3", "tab('policies')", "Policies"),
        Binding("4", "tab('findings')", "Findings"),
        Binding("h", "step(-1)", "Prev tab", show=False),
        Binding("l", "step(1)", "Next tab", show=False),
    ]

    def __init__(self, namespace: str, tab: str = "pods") -> None:
        super().__init__()
        self.namespace = namespace
        self.initial_tab = tab

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Static(id="ns-summary")
        with TabbedContent(initial=self.initial_tab, id="tabs"):
            with TabPane("1 Exposure", id="exposure"):
                yield Static(id="exposure-note")
                yield KTable(id="exposure-table")
            with TabPane("2 Pods", id="pods"):
                table = KTable(id="pods-table")
                table.add_columns(*POD_COLUMNS)
                yield table
            with TabPane("3 Policies", id="policies"):
                table = KTable(id="policies-table")
                table.add_columns(*POLICY_COLUMNS)
                yield table
            with TabPane("4 Findings", id="findings"):
                yield Static(id="findings-note")
                yield KTable(id="findings-table")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.fill()
        self.call_after_refresh(self._focus_tab)

    def _focus_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        pane = tabs.query_one(f"#{tabs.active}", TabPane)
        for table in pane.query(KTable):
            if table.display:
                table.focus()
                return

    @property
    def posture(self) -> NamespacePosture | None:
        return self.bridge.namespace(self.namespace)

    def fill(self) -> None:
        np = self.posture
        self.query_one("#ns-summary", Static).update(self._summary(np))
        self._fill_pods(np)
        self._fill_policies()
        self._fill_exposure()
        self._fill_findings()

    def _summary(self, np: NamespacePosture | None) -> Text:
        p = self.palette
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(" namespace ", style="reverse")
        t.append(f" {clean(self.namespace)} ", style="bold")
        if np is None:
            t.append(" gone: it no longer exists in the source", style=p.fail)
            return t
        total = len(np.pods)
        t.append(f" {total} pods · {np.policies} policies · ingress isolated ")
        t.append_text(fmt.isolation(p, np.ingress_isolated, total))
        t.append(" · egress ")
        for cls, n in sorted(np.egress_counts.items(), key=lambda kv: kv[0].rank):
            t.append_text(fmt.egress_class(p, cls))
            t.append(f" {n} ")
        t.append("· DNS ")
        t.append_text(fmt.dns(p, np.dns_blocked, total))
        return t

    def _fill_pods(self, np: NamespacePosture | None) -> None:
        table = self.query_one("#pods-table", KTable)
        keep = table.selected_key()
        table.clear()
        for pod in np.pods if np is not None else ():
            table.add_row(*fmt.pod_cells(self.palette, pod), key=pod.subject.name)
        if keep:
            table.move_to_key(keep)

    def _fill_policies(self) -> None:
        table = self.query_one("#policies-table", KTable)
        keep = table.selected_key()
        table.clear()
        for row in nsdata.policy_rows(self.bridge, self.namespace):
            table.add_row(
                fmt.literal(row.name, "bold", 48),
                Text(row.types),
                Text(f"{row.selected}/{row.total}", style=self.palette.muted if not row.selected else ""),
                fmt.literal(", ".join(row.pods[:4]) + (f" +{len(row.pods) - 4}" if len(row.pods) > 4 else ""),
                            "", 50),
                Text(row.rules),
                key=row.name,
            )
        if keep:
            table.move_to_key(keep)

    def _fill_exposure(self) -> None:
        note = self.query_one("#exposure-note", Static)
        table = self.query_one("#exposure-table", KTable)
        filled = extras.fill_exposure(self.bridge, self.namespace, table, self.palette)
        note.update(Text("" if filled else self._overlay_note("exposure"), style=f"italic {self.palette.muted}"))
        note.display = not filled

    def _fill_findings(self) -> None:
        note = self.query_one("#findings-note", Static)
        table = self.query_one("#findings-table", KTable)
        filled = extras.fill_findings(self.bridge, self.namespace, table, self.palette)
        note.update(Text("" if filled else self._overlay_note("findings"), style=f"italic {self.palette.muted}"))
        note.display = not filled

    def _overlay_note(self, what: str) -> str:
        if self.bridge.overlay_error:
            return f"{what}: not available: {clean(self.bridge.overlay_error)}"
        return f"{what}: computing…"

    # ------------------------------------------------------------ live
    def on_batch(self, update: Update) -> None:
        if self.namespace in update.changed or extras.touches(update, self.namespace):
            self.fill()

    def restyle(self) -> None:
        super().restyle()
        self.fill()

    # ------------------------------------------------------------ actions
    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self._focus_tab()

    def action_step(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        i = TABS.index(tabs.active) if tabs.active in TABS else 0
        self.action_tab(TABS[(i + step) % len(TABS)])

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.call_after_refresh(self._focus_tab)

    @on(DataTable.RowSelected, "#pods-table")
    def _pod(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.kapp.open_pod(self.namespace, event.row_key.value)

    @on(DataTable.RowSelected, "#exposure-table")
    def _host(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.kapp.open_triage(event.row_key.value.partition("\t")[2])

    @on(DataTable.RowSelected, "#findings-table")
    def _finding(self, event: DataTable.RowSelected) -> None:
        target = extras.finding_target(self.bridge, self.namespace, event.row_key.value)
        if target is not None:
            self.kapp.run_command(target)
