"""Help: every key, and the two walk-throughs an on-call engineer needs first."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

EVERYWHERE = (
    ("?", "this help (it lists the keys of the screen you came from)"),
    (":", "command line; tab or → completes; esc closes it"),
    ("ctrl+p", "command palette (fuzzy: namespaces, pods, hosts, ktui themes)"),
    ("j / k, ↑ / ↓, g / G", "move, top, bottom (in lists)"),
    ("T", "next theme"), ("q", "quit"),
)
COMMANDS = (
    (":ns [NAME]", "a namespace; without a name, the list to pick from"),
    (":pod [NS/NAME]", "a pod, or a workload (its pod, or its pods to pick from); without one, the list"),
    (":egress [NS]", "a namespace's egress destinations"),
    (":triage HOST[/PATH]", "the chain behind a host"),
    (":findings", "the cluster's own findings (no namespace)"),
    (":feed  :ctx  :theme NAME  :overview", "change feed, context and sync state, theme, back home"),
    (":q  :q!", "quit"),
)
HIDDEN_KEYS = {"h": "previous tab", "l": "next tab", "0": "all namespaces", "1": "tab 1: Exposure",
               "2": "tab 2: Pods", "3": "tab 3: Policies", "4": "tab 4: Findings", "5": "tab 5: Egress",
               "r": "recompute (who can reach the pod, the triage chain)", "ctrl+a": "all namespaces"}

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


NAVIGATION = {"up", "down", "pageup", "pagedown", "home", "end", "tab", "shift+tab", "j", "k", "g", "G",
              "ctrl+d", "ctrl+u", "question_mark", "colon", "q", "T", "ctrl+p", "ctrl+c", "ctrl+q"}
KEY_LABELS = {"slash": "/", "escape": "esc", "ctrl+a": "ctrl+a"}


def screen_keys(screen: Screen[object] | None) -> list[tuple[str, str]]:
    """The keys that work on `screen`: its bindings and its focused widget's, minus those its
    check_action refuses (so y, d, C, f appear only where they do something)."""
    if screen is None:
        return []
    out: dict[str, tuple[str, str]] = {}
    for key, (_node, binding, enabled, _tip) in screen.active_bindings.items():
        if not enabled or key in NAVIGATION:
            continue
        what = HIDDEN_KEYS.get(key, "") or (binding.description if binding.show else "")
        if what:
            label = KEY_LABELS.get(key, key)
            prev = out.get(binding.action)
            out[binding.action] = (f"{prev[0]} / {label}", prev[1]) if prev else (label, what)
    return list(out.values())


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
        Binding("j", "scroll(1)", show=False),
        Binding("k", "scroll(-1)", show=False),
    ]

    def __init__(self, under: Screen[object] | None = None) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(self._body())

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = "ktui help · esc closes"
        box.focus()

    def action_scroll(self, step: int) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_relative(y=step, animate=False)

    def _body(self) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        name = type(self.under).__name__.replace("Screen", "") if self.under is not None else ""
        sections = ((f"Here ({name})" if name else "Here", screen_keys(self.under)),
                    ("Everywhere", EVERYWHERE), ("Commands", COMMANDS))
        for section, keys in sections:
            if not keys:
                continue
            grid.add_row(Text(section, style="bold underline"), "")
            for key, what in keys:
                grid.add_row(Text(key), Text(what))
            grid.add_row("", "")
        grid.add_row(Text("How do I…", style="bold underline"), "")
        for title, text in WALKTHROUGHS:
            grid.add_row(Text(title), Text(text))
        return grid
