"""Help: every key, and the two walk-throughs an on-call engineer needs first."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("Everywhere", (
        ("?", "this help"), (":", "command line (:ns NAME, :pod NS/NAME, :triage HOST[/PATH], :ctx, :theme NAME)"),
        ("ctrl+p", "command palette (fuzzy: namespaces, pods, hosts, themes)"),
        ("esc", "back (or clear the filter)"), ("j / k, ↑ / ↓", "move"), ("enter", "open (drill down)"),
        ("f", "change feed"), ("T", "next theme"), ("q", "quit"),
    )),
    ("Overview", (
        ("/", "filter namespaces by name"), ("s", "cycle sort: name, findings, hosts, egress, dns, pods"),
        ("t", "triage a host"),
    )),
    ("Namespace", (("1 2 3 4, h / l", "tabs: Exposure, Pods, Policies, Findings"),)),
    ("Pod", (("c", "can-reach query: type a destination, enter, a port like 53/UDP, enter"),
             ("r", "recompute who can reach it"))),
)

WALKTHROUGHS = (
    ("A host is broken", "On the overview the HOSTS column marks failing hosts with ✘ (s sorts by hosts). "
     "Enter the namespace, tab 1 Exposure, enter on the host: the triage chain shows each link "
     "ok / warn / fail and the object to look at. Or type :triage HOST."),
    ("A pod cannot reach DNS", "The DNS column says ✘ N blocked. Enter the namespace, tab 2 Pods, enter "
     "on a blocked pod: the DNS section shows the deciding rules and the Egress section every rule "
     "in words. Try c, then kube-system/<dns pod> and 53/UDP, to ask again."),
    ("Egress classes", "open (no egress policy) > internet (0.0.0.0/0 allowed) > external (some CIDRs) "
     "> cluster (only pods/namespaces) > denied (nothing allowed)."),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
        Binding("j", "scroll(1)", show=False),
        Binding("k", "scroll(-1)", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(self._body())

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = "ktui help · esc closes"
        box.focus()

    def action_scroll(self, step: int) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_relative(y=step, animate=False)

    @staticmethod
    def _body() -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for section, keys in KEYS:
            grid.add_row(Text(section, style="bold underline"), "")
            for key, what in keys:
                grid.add_row(Text(key), Text(what))
            grid.add_row("", "")
        grid.add_row(Text("How do I…", style="bold underline"), "")
        for title, text in WALKTHROUGHS:
            grid.add_row(Text(title), Text(text))
        return grid
