"""A namespace's egress: where its pods may open connections (the internet, CIDRs, other
namespaces, its own pods), on which ports, which workloads, opened by which rule."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from ktui.analysis.core.verdicts import RuleRef
from ktui.render.safe import SafeText, clean, safe_text
from ktui.tui import fmt
from ktui.tui.bridge import Update
from ktui.tui.egress_view import Destination, PathRow, egress_destinations, namespace_paths
from ktui.tui.screens.base import ObjectRef
from ktui.tui.screens.listed import ListingScreen
from ktui.tui.themes import Palette
from ktui.tui.widgets.listing import Listing, Row

COLUMNS = ("DESTINATION", "PORTS", "WORKLOADS", "OPENED BY")
KIND_STYLE = {"open": "open", "anywhere": "open", "internet": "internet", "cidr": "external",
              "namespace": "cluster", "pods": "cluster"}


def short_list(items: Iterable[str], n: int = 3) -> str:
    ordered = sorted(items)
    return ", ".join(ordered[:n]) + (f" +{len(ordered) - n}" if len(ordered) > n else "")


def rule_object(r: RuleRef | None) -> ObjectRef | None:
    """The policy behind an opening rule, for y / d (any tier: NetworkPolicy, admin, Calico, Cilium)."""
    return None if r is None else (r.kind, r.namespace, r.policy_name or r.policy.rpartition("/")[2])


def destination_row(p: Palette, i: int, d: Destination) -> Row:
    style = p.egress(KIND_STYLE.get(d.kind, "cluster"))
    detail = Text()
    detail.append(clean(d.target), style=f"bold {style}")
    detail.append(f" · {clean(d.port_text())}\n")
    detail.append("workloads: " + clean(", ".join(sorted(d.workloads))) + "\n", style=p.muted)
    detail.append("opened by: " + clean(", ".join(sorted(d.rules))), style=p.muted)
    return Row(str(i), [Text(clean(d.target), style=style, no_wrap=True), Text(clean(d.port_text()), no_wrap=True),
                        Text(clean(short_list(d.workloads)), no_wrap=True),
                        Text(clean(short_list(d.rules, 2)), style=p.muted, no_wrap=True)], detail,
               sort=(d.order, d.port_text(), len(d.workloads), short_list(d.rules)))


def paths_text(p: Palette, rows: list[PathRow]) -> Text:
    """How the namespace's traffic leaves the cluster (egress gateways, NAT, the pods' own
    addresses), a line per path with the workloads behind it; empty when nothing is declared."""
    t = Text()
    for row in rows:
        if t:
            t.append("\n")
        text = row.path.describe()  # the pod-ip path already reads "leaves with its own pod address"
        t.append("" if text.startswith("leaves") else "leaves ", style=p.muted)
        t.append(clean(text), style=p.muted if row.path.how == "pod-ip" else "bold")
        t.append("  ← " + clean(short_list(row.workloads)), style=p.muted)
    return t


class EgressScreen(ListingScreen):
    AUTO_FOCUS = "#egress-table"
    DEFAULT_CSS = """
    #egress-paths { height: auto; max-height: 6; padding: 0 1; }
    """
    HAS_OBJECTS = True
    HAS_COPY = True

    def __init__(self, namespace: str) -> None:
        super().__init__()
        self.namespace = namespace
        self.dests: list[Destination] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Static(id="egress-summary")
        yield Static(id="egress-paths")
        yield Listing(id="egress", table_id="egress-table")
        yield from self.compose_footer()

    def fill(self) -> None:
        p = self.palette
        np = self.bridge.namespace(self.namespace)
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(" egress ", style="reverse")
        t.append(f" {clean(self.namespace)} ", style="bold")
        if np is None:
            t.append(" gone: it no longer exists in the source", style=p.fail)
        else:
            total = len(np.pods)
            for cls, n in sorted(np.egress_counts.items(), key=lambda kv: kv[0].rank):
                t.append_text(fmt.egress_class(p, cls))
                t.append(f" {n}  ")
            t.append("· DNS ")
            t.append_text(fmt.dns(p, np.dns_blocked, total))
        self.query_one("#egress-summary", Static).update(t, layout=False)
        paths = paths_text(p, namespace_paths(self.bridge, self.namespace))
        box = self.query_one("#egress-paths", Static)
        box.display = bool(paths)
        box.update(paths)
        self.dests = egress_destinations(self.bridge, self.namespace)
        rows = [destination_row(p, i, d) for i, d in enumerate(self.dests)]
        self.query_one(Listing).set_rows(COLUMNS, rows, "Destinations")

    def _selected(self) -> Destination | None:
        row = self.query_one(Listing).selected()
        return self.dests[int(row.key)] if row is not None else None

    def selected_object(self) -> ObjectRef | None:
        d = self._selected()
        return rule_object(d.first_rule()) if d is not None else None

    def copy_payload(self) -> tuple[SafeText, str] | None:
        d = self._selected()
        return (safe_text(d.copy), "destination") if d is not None and d.copy else None

    def on_batch(self, update: Update) -> None:
        if self.namespace in update.changed:
            self.fill()

