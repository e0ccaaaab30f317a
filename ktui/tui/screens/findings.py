"""Findings: a list (of a namespace, or the cluster's own: IngressClass, GatewayClass and the
namespaces ktui does not hold) and one finding's detail: the full message, the fix, where it is
written, and enter to jump to the object."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ktui.analysis.findings.catalogue import Finding, Severity
from ktui.render.safe import SafeText, clean, safe_text
from ktui.tui import data
from ktui.tui.bridge import Update
from ktui.tui.screens.base import KScreen, ObjectRef
from ktui.tui.screens.listed import ListingScreen
from ktui.tui.themes import Palette
from ktui.tui.widgets.listing import Listing, Row
from ktui.tui.widgets.rowtable import RowTable

LEVEL = {Severity.CRITICAL: "fail", Severity.HIGH: "fail", Severity.MEDIUM: "warn", Severity.LOW: "", Severity.INFO: ""}
COLUMNS = ("SEVERITY", "CODE", "OBJECT", "MESSAGE")


def finding_row(p: Palette, i: int, f: Finding, with_ns: bool) -> Row:
    lvl = LEVEL[f.severity]
    o = f.object
    name = f"{o.kind} {o.namespace + '/' if with_ns and o.namespace else ''}{o.name}"
    detail = Text()
    detail.append(f"{f.code} ", style="bold")
    detail.append(clean(f.message))
    detail.append(f"\nfix: {clean(f.fix)}", style=p.muted)
    return Row(
        str(i),
        [Text(f.severity.value, style=f"bold {p.level(lvl)}" if lvl else p.muted), Text(f.code),
         Text(clean(name), style="bold", no_wrap=True), Text(clean(f.message), no_wrap=True)],
        detail,
        sort=(-f.severity.rank, f.code, name, f.message),
    )


def jump_target(f: Finding) -> ObjectRef:
    o = f.object
    return (o.kind, o.namespace, o.name)


class FindingDetail(KScreen):
    """One finding in full; enter jumps to its object (a pod, else the namespace's tab, else YAML)."""

    AUTO_FOCUS = "#finding-body"
    HAS_OBJECTS = True
    HAS_COPY = True
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter,o", "jump", "Go to object")]

    def __init__(self, finding: Finding) -> None:
        super().__init__()
        self.finding = finding

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        with VerticalScroll(id="finding-body"):
            yield Static(self.body(), id="finding-text")
        yield from self.compose_footer()

    def body(self) -> Text:
        f, p = self.finding, self.palette
        lvl = LEVEL[f.severity]
        t = Text()
        t.append(f" {f.severity.value} ", style=f"reverse {p.level(lvl)}" if lvl else "reverse")
        t.append(f" {f.code} {clean(f.slug)}\n\n", style="bold")
        o = f.object
        t.append("object   ", style="bold")
        t.append(f"{clean(o.kind)} {clean(o.namespace) + '/' if o.namespace else ''}{clean(o.name)}\n")
        if o.where:
            t.append("where    ", style="bold")
            t.append(clean(data.shown_path(o.where)) + "\n", style=p.muted)
        if f.detail:
            t.append("detail   ", style="bold")
            t.append(clean(f.detail) + "\n", style=p.muted)
        t.append("\n")
        t.append(clean(f.message) + "\n\n")
        t.append("fix  ", style=f"bold {p.ok}")
        t.append(clean(f.fix) + "\n\n")
        t.append("enter: go to the object · y: its YAML · d: describe it · C: copy its name", style=p.muted)
        return t

    def selected_object(self) -> ObjectRef | None:
        return jump_target(self.finding)

    def copy_payload(self) -> tuple[SafeText, str] | None:
        o = self.finding.object
        return safe_text(f"{o.namespace}/{o.name}" if o.namespace else o.name), o.kind

    def action_jump(self) -> None:
        kind, ns, name = jump_target(self.finding)
        app = self.kapp
        if kind == "Pod" or (ns and kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
                                             "CronJob", "ReplicationController")):
            app.open_pod(ns, name)  # a workload opens its pod (or lists its pods)
        elif kind == "NetworkPolicy" and ns:
            app.open_namespace(ns, "policies")
        elif ns and kind in ("Ingress", "Service", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute",
                             "Gateway"):
            app.open_namespace(ns, "exposure")
        else:
            app.open_object(kind, ns, name, "describe")


class FindingsScreen(ListingScreen):
    """`:findings`: the cluster's own findings (no namespace ktui holds), or a namespace's."""

    AUTO_FOCUS = "#findings-table"
    HAS_OBJECTS = True

    def __init__(self, namespace: str) -> None:
        super().__init__()
        self.namespace = namespace
        self.found: list[Finding] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Static(id="findings-note")
        yield Listing(id="findings", table_id="findings-table")
        yield from self.compose_footer()

    def fill(self) -> None:
        found = data.namespace_findings(self.bridge, self.namespace)
        where = f"namespace {clean(self.namespace)}" if self.namespace else "cluster-scoped and unheld namespaces"
        note = self.query_one("#findings-note", Static)
        if found is None:
            note.update(Text(f"findings of the {where}: computing…", style=f"italic {self.palette.muted}"))
            found = ()
        else:
            note.update(Text(f"findings of the {where}: {data.plural(len(found), 'finding')} · enter opens one",
                             style=self.palette.muted))
        self.found = list(found)
        rows = [finding_row(self.palette, i, f, not self.namespace) for i, f in enumerate(self.found)]
        self.query_one(Listing).set_rows(COLUMNS, rows, "Findings")

    def selected_finding(self) -> Finding | None:
        row = self.query_one(Listing).selected()
        return self.found[int(row.key)] if row is not None else None

    def selected_object(self) -> ObjectRef | None:
        f = self.selected_finding()
        return jump_target(f) if f is not None else None

    def on_batch(self, update: Update) -> None:
        if update.overlay or update.first_sync:
            self.fill()


    @on(RowTable.Selected)
    def _open(self, _event: RowTable.Selected) -> None:
        f = self.selected_finding()
        if f is not None:
            self.app.push_screen(FindingDetail(f))
