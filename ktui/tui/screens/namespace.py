"""One namespace: tabs Exposure, Pods (isolation and egress class per pod), Policies (the pods each
selects) and Findings. Enter on a pod opens it; on a host, its triage chain.

One table serves the four tabs (switching refills it): a screen of a few widgets restyles and
lays out far faster than four tab panes, which keeps enter and tab switches within a frame.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from ktui.analysis.posture import NamespacePosture
from ktui.render.safe import clean
from ktui.tui import extras, fmt, nsdata
from ktui.tui.bridge import Update
from ktui.tui.screens.base import KScreen
from ktui.tui.widgets.table import KTable

POD_COLUMNS = ("POD", "KIND", "INGRESS", "EGRESS", "CLASS", "DNS", "POLICIES")
POLICY_COLUMNS = ("POLICY", "TYPES", "SELECTS", "PODS", "RULES")
TABS = ("exposure", "pods", "policies", "findings")
TAB_LABELS = {"exposure": "1 Exposure", "pods": "2 Pods", "policies": "3 Policies", "findings": "4 Findings"}


class TabBar(Static):
    """The tab labels on one line; clicking a label switches to it."""

    def show(self, active: str) -> None:
        t = Text(no_wrap=True)
        self.spans: list[tuple[int, int, str]] = []
        for tab in TABS:
            start = len(t)
            t.append(f" {TAB_LABELS[tab]} ", style="bold reverse" if tab == active else "")
            self.spans.append((start, len(t), tab))
            t.append(" ")
        self.update(t, layout=False)

    def on_click(self, event: events.Click) -> None:
        for start, end, tab in getattr(self, "spans", ()):
            if start <= event.x < end and isinstance(self.screen, NamespaceScreen):
                self.screen.action_tab(tab)


class NamespaceScreen(KScreen):
    AUTO_FOCUS = "#ns-table"
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
        self.tab = tab

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Static(id="ns-summary")
        yield TabBar(id="ns-tabs")
        yield Static(id="ns-note")
        yield KTable(id="ns-table")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.fill()

    def retarget(self, namespace: str, tab: str) -> None:
        """Show another namespace in this (already composed) screen."""
        self.namespace, self.tab = namespace, tab
        if self.is_mounted:
            self.fill(keep_cursor=False)
            self.table.focus()

    @property
    def table(self) -> KTable:
        return self.query_one("#ns-table", KTable)

    @property
    def posture(self) -> NamespacePosture | None:
        return self.bridge.namespace(self.namespace)

    def fill(self, keep_cursor: bool = True) -> None:
        """Summary, tab bar and the active tab's rows (the cursor stays on its row if it can)."""
        np = self.posture
        self.query_one("#ns-summary", Static).update(self._summary(np), layout=False)
        self.query_one(TabBar).show(self.tab)
        table = self.table
        keep = table.selected_key() if keep_cursor else None
        table.clear(columns=True)
        note = ""
        if self.tab == "pods":
            self._fill_pods(np)
        elif self.tab == "policies":
            self._fill_policies()
        elif self.tab == "exposure":
            if not extras.fill_exposure(self.bridge, self.namespace, table, self.palette):
                note = self._overlay_note("exposure")
            elif not table.row_count:
                note = "nothing exposed: no Ingress, Gateway route or LoadBalancer/NodePort Service here"
        elif not extras.fill_findings(self.bridge, self.namespace, table, self.palette):
            note = self._overlay_note("findings")
        elif not table.row_count:
            note = "no findings in this namespace"
        box = self.query_one("#ns-note", Static)
        box.update(Text(note, style=f"italic {self.palette.muted}"))
        box.display = bool(note)
        if keep:
            table.move_to_key(keep)
        table.border_title = Text(f"{TAB_LABELS[self.tab][2:]} · {table.row_count}")

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
        table = self.table
        table.add_columns(*POD_COLUMNS)
        for pod in np.pods if np is not None else ():
            table.add_row(*fmt.pod_cells(self.palette, pod), key=pod.subject.name)

    def _fill_policies(self) -> None:
        table = self.table
        table.add_columns(*POLICY_COLUMNS)
        for row in nsdata.policy_rows(self.bridge, self.namespace):
            pods = ", ".join(row.pods[:4]) + (f" +{len(row.pods) - 4}" if len(row.pods) > 4 else "")
            table.add_row(
                fmt.literal(row.name, "bold", 48),
                Text(row.types),
                Text(f"{row.selected}/{row.total}", style=self.palette.muted if not row.selected else ""),
                fmt.literal(pods, "", 50),
                Text(row.rules),
                key=row.name,
            )

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
        if tab != self.tab:
            self.tab = tab
            self.fill(keep_cursor=False)
        self.table.focus()

    def action_step(self, step: int) -> None:
        self.action_tab(TABS[(TABS.index(self.tab) + step) % len(TABS)])

    @on(DataTable.RowSelected, "#ns-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is None:
            return
        if self.tab == "pods":
            self.kapp.open_pod(self.namespace, key)
        elif self.tab == "exposure":
            self.kapp.open_triage(key.partition("\t")[2])
        elif self.tab == "findings":
            target = extras.finding_target(self.bridge, self.namespace, key)
            if target is not None:
                self.kapp.run_command(target)
