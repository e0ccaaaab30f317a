"""One namespace: tabs Exposure (its hosts and those whose backends live here), Pods (isolation
and egress class per pod, named by workload), Policies (the pods each selects), Findings, Egress
(destinations). Enter drills down: a host to its triage chain, a pod to its screen, a policy to
its description, a finding to its detail; y / d show the selected object; / filters; s sorts.

One Listing serves the tabs (switching refills it): a screen of a few widgets restyles and lays
out far faster than five tab panes, which keeps enter and tab switches within a frame.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from ktui.analysis.findings.catalogue import Finding
from ktui.analysis.posture import NamespacePosture
from ktui.render.safe import SafeText, clean, safe_text
from ktui.tui import data, extras, fmt, rows
from ktui.tui.bridge import Update
from ktui.tui.data import HostRow
from ktui.tui.egress_view import Destination, egress_destinations
from ktui.tui.screens.base import KScreen, ObjectRef
from ktui.tui.screens.egress import COLUMNS as EGRESS_COLUMNS
from ktui.tui.screens.egress import destination_row, rule_object
from ktui.tui.screens.findings import COLUMNS as FINDING_COLUMNS
from ktui.tui.screens.findings import FindingDetail, finding_row, jump_target
from ktui.tui.widgets.listing import Listing, Row
from ktui.tui.widgets.rowtable import RowTable

TABS = ("exposure", "pods", "policies", "findings", "egress")
TAB_LABELS = {"exposure": "1 Exposure", "pods": "2 Pods", "policies": "3 Policies", "findings": "4 Findings",
              "egress": "5 Egress"}


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
    HAS_OBJECTS = True
    HAS_COPY = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tab('exposure')", "Tabs 1-5"),
        Binding("2", "tab('pods')", "Pods", show=False),
        Binding("3", "tab('policies')", "Policies", show=False),
        Binding("4", "tab('findings')", "Findings", show=False),
        Binding("5", "tab('egress')", "Egress", show=False),
        Binding("h", "step(-1)", "Prev tab", show=False),
        Binding("l", "step(1)", "Next tab", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("s", "sort", "Sort"),
        Binding("0,ctrl+a", "all_namespaces", "All ns", show=False),
    ]

    def __init__(self, namespace: str, tab: str = "pods") -> None:
        super().__init__()
        self.namespace = namespace
        self.tab = tab
        self.hosts: list[HostRow] = []
        self.found: list[Finding] = []
        self.dests: list[Destination] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Static(id="ns-summary")
        yield TabBar(id="ns-tabs")
        yield Static(id="ns-note")
        yield Listing(id="ns-listing", table_id="ns-table")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.fill()

    def retarget(self, namespace: str, tab: str) -> None:
        """Show another namespace in this (already composed) screen."""
        self.namespace, self.tab = namespace, tab
        if self.is_mounted:
            self.listing.clear_filter()
            self.fill(keep_cursor=False)
            self.table.focus()

    @property
    def listing(self) -> Listing:
        return self.query_one(Listing)

    @property
    def table(self) -> RowTable:
        return self.listing.table

    @property
    def posture(self) -> NamespacePosture | None:
        return self.bridge.namespace(self.namespace)

    def fill(self, keep_cursor: bool = True) -> None:
        """Summary, tab bar and the active tab's rows (the cursor stays on its row if it can)."""
        np, p = self.posture, self.palette
        self.query_one("#ns-summary", Static).update(self._summary(np), layout=False)
        self.query_one(TabBar).show(self.tab)
        if not keep_cursor:
            self.table.clear()
        note = ""
        columns: tuple[str, ...]
        body: list[Row]
        if self.tab == "pods":
            columns, body = rows.POD_COLUMNS, rows.pod_rows(p, self.bridge, np)
        elif self.tab == "policies":
            columns, body = rows.POLICY_COLUMNS, rows.policy_rows(p, self.bridge, self.namespace)
        elif self.tab == "exposure":
            hosts = data.host_rows(self.bridge, self.namespace)
            self.hosts = hosts or []
            columns, body = rows.HOST_COLUMNS, [rows.host_row(p, i, h) for i, h in enumerate(self.hosts)]
            if hosts is None:
                note = self._overlay_note("exposure")
            elif not hosts:
                note = "nothing exposed: no Ingress, Gateway route or LoadBalancer/NodePort Service here or to here"
        elif self.tab == "egress":
            self.dests = egress_destinations(self.bridge, self.namespace)
            columns, body = EGRESS_COLUMNS, [destination_row(p, i, d) for i, d in enumerate(self.dests)]
        else:
            found = data.namespace_findings(self.bridge, self.namespace)
            self.found = list(found or ())
            columns, body = FINDING_COLUMNS, [finding_row(p, i, f, False) for i, f in enumerate(self.found)]
            if found is None:
                note = self._overlay_note("findings")
            elif not found:
                note = "no findings in this namespace"
        box = self.query_one("#ns-note", Static)
        box.update(Text(note, style=f"italic {p.muted}"))
        box.display = bool(note)
        self.listing.set_rows(columns, body, TAB_LABELS[self.tab][2:])

    def _summary(self, np: NamespacePosture | None) -> Text:
        p = self.palette
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(" namespace ", style="reverse")
        t.append(f" {clean(self.namespace)} ", style="bold")
        if np is None:
            t.append(" gone: it no longer exists in the source", style=p.fail)
            return t
        total = len(np.pods)
        t.append(f" {data.plural(total, 'pod')} · {data.plural(np.policies, 'policy', 'policies')} · ingress isolated ")
        t.append_text(fmt.isolation(p, np.ingress_isolated, total))
        t.append(" · egress ")
        for cls, n in sorted(np.egress_counts.items(), key=lambda kv: kv[0].rank):
            t.append_text(fmt.egress_class(p, cls))
            t.append(f" {n} ")
        t.append("· DNS ")
        t.append_text(fmt.dns(p, np.dns_blocked, total))
        return t

    def _overlay_note(self, what: str) -> str:
        if self.bridge.overlay_error:
            return f"{what}: not available: {clean(self.bridge.overlay_error)}"
        return f"{what}: computing…"

    # ------------------------------------------------------------ selection
    def _index(self) -> int | None:
        row = self.listing.selected()
        return int(row.key) if row is not None and row.key.isdigit() else None

    def selected_object(self) -> ObjectRef | None:
        row = self.listing.selected()
        if row is None:
            return None
        i = self._index()
        if self.tab == "pods":
            return ("Pod", self.namespace, row.key)
        if self.tab == "policies":
            return ("NetworkPolicy", self.namespace, row.key)
        if self.tab == "findings" and i is not None and i < len(self.found):
            return jump_target(self.found[i])
        if self.tab == "exposure" and i is not None and i < len(self.hosts):
            e = self.hosts[i].entry
            src = (e.route or e.source).split(" ", 1)
            ns, _, name = src[1].partition("/") if len(src) == 2 else ("", "", "")
            return (src[0], ns, name)
        if self.tab == "egress" and i is not None and i < len(self.dests):
            return rule_object(self.dests[i].first_rule())
        return None

    def copy_payload(self) -> tuple[SafeText, str] | None:
        row, i = self.listing.selected(), self._index()
        if row is None:
            return None
        if self.tab == "exposure" and i is not None and i < len(self.hosts):
            return safe_text(rows.host_target(self.hosts[i])), "host"
        if self.tab == "pods":
            return safe_text(f"ktui can-reach {self.namespace}/{row.key} DST --port 443/TCP"), "command"
        if self.tab == "egress" and i is not None and i < len(self.dests):
            return (safe_text(self.dests[i].copy), "destination") if self.dests[i].copy else None
        obj = self.selected_object()
        return (safe_text(f"{obj[1]}/{obj[2]}"), obj[0]) if obj else None

    # ------------------------------------------------------------ live
    def on_batch(self, update: Update) -> None:
        if self.namespace in update.changed or extras.touches(update, self.namespace) or (
                self.tab == "exposure" and update.overlay):
            self.fill()

    def restyle(self) -> None:
        super().restyle()
        self.fill()

    # ------------------------------------------------------------ actions
    def action_tab(self, tab: str) -> None:
        if tab != self.tab:
            self.tab = tab
            self.listing.clear_filter()
            self.fill(keep_cursor=False)
        self.table.focus()

    def action_step(self, step: int) -> None:
        self.action_tab(TABS[(TABS.index(self.tab) + step) % len(TABS)])

    def action_filter(self) -> None:
        self.listing.start_filter()

    def action_sort(self) -> None:
        self.listing.cycle_sort()

    def action_all_namespaces(self) -> None:
        self.kapp.run_command("overview")

    def action_back(self) -> None:
        if not self.listing.clear_filter():
            super().action_back()

    @on(RowTable.Selected, "#ns-table")
    def _selected(self, event: RowTable.Selected) -> None:
        key = event.key
        i = int(key) if key.isdigit() else None
        if self.tab == "pods":
            self.kapp.open_pod(self.namespace, key)
        elif self.tab == "policies":
            self.kapp.open_object("NetworkPolicy", self.namespace, key, "describe")
        elif self.tab == "exposure" and i is not None and i < len(self.hosts):
            self.kapp.open_triage(rows.host_target(self.hosts[i]))
        elif self.tab == "findings" and i is not None and i < len(self.found):
            self.app.push_screen(FindingDetail(self.found[i]))
        elif self.tab == "egress" and i is not None and i < len(self.dests):
            obj = self.selected_object()
            if obj is not None:
                self.kapp.open_object(*obj, mode="describe")
