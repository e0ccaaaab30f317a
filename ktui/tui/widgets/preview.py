"""The overview's preview of the selected namespace: its exposed hosts (host, port, path, status,
TLS, backend health, via), its egress openness (class counts, DNS, destinations: the internet,
CIDRs with ports, other namespaces) and its top findings. Beside the table on a wide terminal,
below it on a narrow one; the pseudo-row "(cluster)" previews the cluster-scoped findings."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Static

from ktui.analysis.findings.catalogue import Finding
from ktui.render.safe import clean
from ktui.tui import data, fmt
from ktui.tui.bridge import Bridge
from ktui.tui.egress_view import namespace_egress
from ktui.tui.rows import tls_cell
from ktui.tui.screens.egress import KIND_STYLE, short_list
from ktui.tui.screens.findings import LEVEL
from ktui.tui.themes import Palette

CLUSTER_ROW = "(cluster)"
MAX_HOSTS = 8
MAX_DESTS = 8
MAX_SETS = 8  # egress policy sets asked per preview draw (the Egress view asks them all)
MAX_FINDINGS = 4
REST = 0.15  # seconds the cursor rests on a namespace before its destinations are asked


def _heading(t: Text, title: str, p: Palette, hint: str = "") -> None:
    if t:
        t.append("\n")
    t.append(title, style="bold underline")
    if hint:
        t.append(f"  {hint}", style=p.muted)
    t.append("\n")


def _findings(t: Text, p: Palette, found: list[Finding] | None, with_ns: bool = False) -> None:
    if found is None:
        t.append("  computing…\n", style=f"italic {p.muted}")
        return
    if not found:
        t.append("  none\n", style=p.ok)
        return
    for f in sorted(found, key=lambda f: -f.severity.rank)[:MAX_FINDINGS]:
        lvl = LEVEL[f.severity]
        t.append(f"  {f.severity.value:<8}", style=f"bold {p.level(lvl)}" if lvl else p.muted)
        where = f"{f.object.namespace}/" if with_ns and f.object.namespace else ""
        t.append(f" {clean(f.object.kind)} {clean(where)}{clean(f.object.name)}: ", style="bold")
        t.append(clean(f.message) + "\n")
    if len(found) > MAX_FINDINGS:
        t.append(f"  … {len(found) - MAX_FINDINGS} more\n", style=p.muted)


def hosts_text(bridge: Bridge, p: Palette, namespace: str) -> Text:
    """One line per host (wrapped, never cut): status host:port/path, TLS, backends, via."""
    hosts = data.host_rows(bridge, namespace)
    if hosts is None:
        return Text("  computing…\n", style=f"italic {p.muted}")
    if not hosts:
        return Text("  nothing exposed\n", style=p.muted)
    t = Text()
    for h in hosts[:MAX_HOSTS]:
        e = h.entry
        t.append("  ")
        t.append_text(fmt.status(p, h.status, "") if h.status in ("ok", "warn", "fail")
                      else fmt.unavailable(p, "? "))
        t.append(f"{clean(e.host)}:{e.port or '-'}{clean(e.path) if e.path not in ('', '/') else ''}", style="bold")
        if h.tls.status != "none":
            t.append("  TLS ")
            t.append_text(tls_cell(p, h))
        t.append(f"  → {clean(h.backend_health)}")
        t.append(f"  via {clean(e.route or e.source)}\n", style=p.muted)
    if len(hosts) > MAX_HOSTS:
        t.append(f"  … {len(hosts) - MAX_HOSTS} more (1: Exposure tab)\n", style=p.muted)
    return t


def egress_text(bridge: Bridge, p: Palette, namespace: str, limit: int = MAX_SETS) -> tuple[Text, bool]:
    """The egress part, and whether some policy set is still to be asked. `limit=0` asks none: only
    the answers already cached (the UI thread's way; the rest is asked off it, see NamespacePreview)."""
    t = Text()
    np = bridge.namespace(namespace)
    if np is None:
        return t, False
    total = len(np.pods)
    t.append("  classes ")
    if not np.egress_counts:
        t.append("no pods  ", style=p.muted)
    for cls, n in sorted(np.egress_counts.items(), key=lambda kv: kv[0].rank):
        t.append_text(fmt.egress_class(p, cls))
        t.append(f" {n}  ")
    t.append("· DNS ")
    t.append_text(fmt.dns(p, np.dns_blocked, total))
    t.append("\n")
    view = namespace_egress(bridge, namespace, limit=limit)
    dests = view.destinations
    for d in dests[:MAX_DESTS]:
        t.append("  → ")
        t.append(clean(d.target), style=p.egress(KIND_STYLE.get(d.kind, "cluster")))
        t.append(f"  {clean(d.port_text())}", style="bold")
        t.append(f"  ({clean(short_list(d.workloads, 2))})\n", style=p.muted)
    if len(dests) > MAX_DESTS:
        t.append(f"  … {len(dests) - MAX_DESTS} more (e: Egress view)\n", style=p.muted)
    pending = view.partial and view.judged < min(view.sets, MAX_SETS)
    if pending:
        t.append("  computing destinations…\n", style=f"italic {p.muted}")
    elif view.partial:
        t.append(f"  partial: pods of {view.judged} of {view.sets} egress policy sets (e: Egress view for all)\n",
                 style=f"italic {p.muted}")
    return t, pending


class NamespacePreview(VerticalScroll):
    """Three Statics (hosts, egress, findings) for the namespace under the overview's cursor."""

    DEFAULT_CSS = """
    NamespacePreview { border: round $primary 50%; padding: 0 1; }
    NamespacePreview > Static { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=False)
        self.namespace = ""
        self._wanted: tuple[Bridge, Palette, str] | None = None  # destinations to ask once the cursor rests
        self._timer: Timer | None = None
        self._asking = False
        self._shown_title = ""

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="pv-hosts-title")
        yield Static(id="pv-hosts")
        yield Static(id="pv-egress")
        yield Static(id="pv-findings")

    def show(self, bridge: Bridge, p: Palette, namespace: str | None) -> None:
        self.namespace = namespace or ""
        title = self.query_one("#pv-hosts-title", Static)
        hosts = self.query_one("#pv-hosts", Static)
        egress = self.query_one("#pv-egress", Static)
        findings = self.query_one("#pv-findings", Static)
        if not namespace:
            self._title("Preview")
            for box in (title, hosts, egress, findings):
                _put(box, Text())
            return
        t = Text()
        if namespace == CLUSTER_ROW:
            self._title("cluster-scoped findings")
            _heading(t, "Findings of no namespace", p, "IngressClass, GatewayClass, admin policies… (enter lists them)")
            _findings(t, p, _cluster_findings(bridge), with_ns=True)
            _put(title, t)
            for box in (hosts, egress, findings):
                _put(box, Text())
            return
        self._title(f"{clean(namespace)} · enter opens · e egress")
        n = len(data.host_rows(bridge, namespace) or ())
        _heading(t, f"Exposed hosts ({n})" if n else "Exposed hosts", p, "here and routed to here")
        _put(title, t)
        _put(hosts, hosts_text(bridge, p, namespace))
        self._show_egress(bridge, p, namespace, limit=0)
        f = Text()
        found = data.namespace_findings(bridge, namespace)
        _heading(f, "Top findings" + (f" ({len(found)})" if found else ""), p)
        _findings(f, p, list(found) if found is not None else None)
        _put(findings, f)

    def _title(self, title: str) -> None:
        if title != self._shown_title:  # setting it redraws the preview, even when equal
            self._shown_title = title
            self.border_title = Text(title)


    def _show_egress(self, bridge: Bridge, p: Palette, namespace: str, limit: int) -> None:
        e = Text()
        _heading(e, "Egress", p, "destinations, ports (workloads)")
        body, pending = egress_text(bridge, p, namespace, limit)
        e.append_text(body)
        _put(self.query_one("#pv-egress", Static), e)
        if pending:
            self._wanted = (bridge, p, namespace)
            if self._timer is None and not self._asking:
                self._timer = self.set_timer(REST, self._ask)

    async def _ask(self) -> None:
        """The cursor rested on a namespace whose destinations are not cached: ask the policy
        package off the UI thread (polling held, so the store stays still), one policy set at a
        time (tens of ms at 10,000 pods: events are drained between two), then draw them if the
        cursor is still there; one question at a time, the latest namespace wins."""
        self._timer = None
        if self._wanted is None or self._asking:
            return
        bridge, p, namespace = self._wanted
        self._wanted = None
        self._asking = True
        try:
            for _ in range(2 * MAX_SETS):  # (a policy changing meanwhile starts the answers again)
                view = await self.app.analyse(  # type: ignore[attr-defined]
                    lambda: namespace_egress(bridge, namespace, limit=MAX_SETS, ask=1))
                elsewhere = self._wanted is not None and self._wanted[2] != namespace
                if (not view.partial or view.judged >= min(view.sets, MAX_SETS) or elsewhere
                        or not self.is_mounted or self.namespace != namespace):
                    break
        finally:
            self._asking = False
        if self.is_mounted and self.namespace == namespace:
            self._show_egress(bridge, p, namespace, limit=0)
        if self._wanted is not None and self.is_mounted:
            self._timer = self.set_timer(REST, self._ask)


def _put(box: Static, text: Text) -> None:
    """The box shows `text`; unchanged, it is left alone (an update lays the screen out again:
    the preview is redrawn on each background result, and most leave it as it was)."""
    if not fmt.same(text, getattr(box, "_ktui_shown", None)):
        box._ktui_shown = text  # type: ignore[attr-defined]
        box.update(text)


def _cluster_findings(bridge: Bridge) -> list[Finding] | None:
    found = data.namespace_findings(bridge, "")
    return list(found) if found is not None else None
