"""One pod: the policies that select it per direction with every rule in words, DNS, who can
reach it and what it can reach, the exposure paths ending at it, and a can-reach query."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Static

from ktui.analysis.core.owners import display_workload, workload_label
from ktui.analysis.policy.explain import Explanation, explain
from ktui.analysis.posture import PodPosture
from ktui.render.safe import SafeText, clean, safe_text
from ktui.tui import extras, podview, queries
from ktui.tui.bridge import Update
from ktui.tui.screens.base import KScreen, ObjectRef


class QueryInput(Input):
    """A can-reach field: esc leaves the field (back to the pod), not the screen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "Leave", show=False)]

    def action_leave(self) -> None:
        self.screen.query_one("#pod-body").focus()


def resolve_named_port(bridge: object, src_ns: str, dst: str, port: str) -> str:
    """`http` or `http/TCP` -> the number the destination pod declares under that name (what a
    NetworkPolicy named port resolves to); anything else is returned as typed."""
    name, _, proto = port.strip().partition("/")
    if not name or name.isdigit():
        return port
    try:
        peer = queries.parse_peer(bridge, dst, src_ns)  # type: ignore[arg-type]
    except queries.QueryError:
        return port
    want = (proto or "").upper()
    for cp in getattr(peer, "ports", ()):
        if cp.name == name and (not want or cp.protocol == want):
            return f"{cp.container_port}/{cp.protocol}"
    return port


class PodScreen(KScreen):
    AUTO_FOCUS = "#pod-body"
    HAS_OBJECTS = True
    HAS_COPY = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "query", "Can reach?"),
        Binding("r", "recompute", "Recompute"),
        Binding("j", "scroll(1)", "Down", show=False),
        Binding("k", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, namespace: str, name: str) -> None:
        super().__init__()
        self.namespace = namespace
        self.pod_name = name
        self.explained: Explanation | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Static(id="pod-header")
        with VerticalScroll(id="pod-body"):
            yield Static(id="pod-policies")
            yield Static(id="pod-dns")
            yield Static(id="pod-exposure")
            yield Static(id="pod-reach")
        with Horizontal(id="query"):
            yield Static(Text("can reach?"), id="query-label")
            yield QueryInput(placeholder="destination NS/POD, workload or IP", id="query-dst")
            yield QueryInput(placeholder="443/TCP, or a port name like http", id="query-port")
        yield Static(id="query-result")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.fill()
        self.query_one("#pod-body").focus()
        self.compute_reach()

    def retarget(self, namespace: str, name: str) -> None:
        """Show another pod in this (already composed) screen."""
        self.namespace, self.pod_name, self.explained = namespace, name, None
        if not self.is_mounted:
            return
        for box in self.query(Input):
            box.value = ""
        self.query_one("#query-result", Static).update("")
        body = self.query_one("#pod-body", VerticalScroll)
        body.scroll_home(animate=False)
        body.focus()
        self.fill()
        self.compute_reach()

    def selected_object(self) -> ObjectRef | None:
        return ("Pod", self.namespace, self.pod_name)

    def copy_payload(self) -> tuple[SafeText, str] | None:
        """The `ktui can-reach` command line of the last query (or a template for one)."""
        dst, port = getattr(self, "last_query", ("DST", "443/TCP"))
        line = f"ktui can-reach {self.namespace}/{self.pod_name} {dst or 'DST'} --port {port or '443/TCP'}"
        return safe_text(line), "command"

    def posture(self) -> PodPosture | None:
        np = self.bridge.namespace(self.namespace)
        for pod in np.pods if np is not None else ():
            if pod.subject.name == self.pod_name:
                return pod
        return None

    def fill(self) -> None:
        p = self.palette
        posture = self.posture()
        workload = workload_label(display_workload(self.bridge.state, posture.subject)) if posture else ""
        self.query_one("#pod-header", Static).update(
            podview.header(p, self.namespace, self.pod_name, posture, workload), layout=False)
        subject = posture.subject if posture is not None else None
        if subject is None:
            for sid in ("#pod-policies", "#pod-dns", "#pod-reach"):
                self.query_one(sid, Static).update("")
            return
        e = explain(self.bridge.state, subject, self.bridge.engine, with_reachability=False)
        body = podview.labels(p, posture)
        body.append_text(podview.direction(p, e.ingress, posture))
        body.append_text(podview.direction(p, e.egress, posture, self.bridge.analysis.egress_path(subject)))
        self.query_one("#pod-policies", Static).update(body)
        self.query_one("#pod-dns", Static).update(podview.dns(p, queries.dns_check(self.bridge, subject)))
        self.query_one("#pod-exposure", Static).update(podview.exposure(
            p, extras.entries_to_pod(self.bridge, self.namespace, self.pod_name) if self.bridge.exposure is not None
            else None))
        self.query_one("#pod-reach", Static).update(podview.reachability(p, self.explained))

    @work(exclusive=True, group="reach")
    async def compute_reach(self) -> None:
        """Who-can-reach builds a connectivity list over the whole cluster: on big clusters that
        takes a moment, so it runs after the first frame, with polling held so the store is still."""
        posture = self.posture()
        if posture is None:
            return
        self.explained = None
        self.query_one("#pod-reach", Static).update(podview.reachability(self.palette, None))
        self.explained = await self.kapp.analyse(
            lambda: explain(self.bridge.state, posture.subject, self.bridge.engine)
        )
        self.query_one("#pod-reach", Static).update(podview.reachability(self.palette, self.explained))

    # ------------------------------------------------------------ live
    def on_batch(self, update: Update) -> None:
        if self.namespace not in update.changed and not update.overlay:
            return
        self.fill()
        if update.first_sync or any(d.namespace == self.namespace for d in update.deltas):
            self.compute_reach()

    def restyle(self) -> None:
        super().restyle()
        self.fill()

    # ------------------------------------------------------------ actions
    def action_scroll(self, step: int) -> None:
        self.query_one("#pod-body", VerticalScroll).scroll_relative(y=step, animate=False)

    def action_recompute(self) -> None:
        self.fill()
        self.compute_reach()

    def action_query(self) -> None:
        self.query_one("#query-dst", Input).focus()

    @on(Input.Submitted, "#query-dst")
    def _dst_done(self) -> None:
        self.query_one("#query-port", Input).focus()

    @on(Input.Submitted, "#query-port")
    def _run_query(self) -> None:
        self.run_query(self.query_one("#query-dst", Input).value, self.query_one("#query-port", Input).value)

    def run_query(self, dst: str, port: str) -> None:
        out = self.query_one("#query-result", Static)
        posture = self.posture()
        if posture is None:
            out.update(Text("the pod is gone", style=self.palette.fail))
            return
        self.last_query = (dst, port)
        port = resolve_named_port(self.bridge, self.namespace, dst, port)
        try:
            v = queries.can_reach(self.bridge, posture.subject, dst, port)
        except queries.QueryError as exc:
            out.update(Text(clean(exc), style=self.palette.warn))
            return
        text = podview.verdict(self.palette, v)
        text.rstrip()
        out.update(text)
