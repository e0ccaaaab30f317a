"""`:` commands and the command palette: one vocabulary for both, run by the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from ktui.render.safe import SafeText, clean, safe_text
from ktui.tui import extras

if TYPE_CHECKING:
    from ktui.tui.app import KtuiApp

VERBS = {
    "ns": "ns", "namespace": "ns", "pod": "pod", "po": "pod", "triage": "triage", "ctx": "ctx",
    "context": "ctx", "theme": "theme", "feed": "feed", "help": "help", "q": "quit", "quit": "quit",
    "q!": "quit", "quit!": "quit", "qa": "quit", "overview": "overview", "home": "overview",
    "egress": "egress", "findings": "findings",
}
MAX_PALETTE_PODS = 5000


@dataclass(frozen=True, slots=True)
class Command:
    verb: str
    arg: str


class CommandError(ValueError):
    pass


def parse(text: str) -> Command:
    text = text.strip().lstrip(":").strip()
    if not text:
        raise CommandError("empty command; try ns NAME, pod NS/NAME, triage HOST, ctx, help")
    word, _, arg = text.partition(" ")
    verb = VERBS.get(word.lower())
    if verb is None:
        raise CommandError(f"unknown command {clean(word)!r}; try ns, pod, triage, egress, ctx, theme, feed, help, q")
    arg = arg.strip()
    if verb in ("triage",) and not arg:
        raise CommandError(f"{word} needs an argument, e.g. :{word} {_example(verb)}")
    return Command(verb, arg)


def _example(verb: str) -> str:
    return {"ns": "payments", "pod": "payments/api-0", "triage": "shop.example.com/cart",
            "theme": "light"}.get(verb, "")


def suggestions(app: KtuiApp) -> list[SafeText]:
    """Completions for the command line: namespaces, pods, hosts, themes, bare verbs -- cleaned:
    a completion is written to the terminal as the user types."""
    out = ["ctx", "feed", "help", "overview", "quit", "egress"]
    names = sorted(app.bridge.posture.by_namespace)
    out += [f"ns {n}" for n in names]
    out += [f"egress {n}" for n in names]
    out += [f"theme {t}" for t in app.theme_names()]
    out += [f"triage {h}" for h in extras.host_names(app.bridge)]
    for n in names:
        out += [f"pod {n}/{p.subject.name}" for p in app.bridge.posture.by_namespace[n].pods]
    return [safe_text(x) for x in out]


class KtuiCommands(Provider):
    """Namespaces, pods, hosts and themes in the command palette (names shown literally)."""

    @property
    def kapp(self) -> KtuiApp:
        from ktui.tui.app import KtuiApp

        assert isinstance(self.app, KtuiApp)
        return self.app

    def _entries(self) -> Iterator[tuple[str, str, str]]:
        """(what is matched and shown, the : command it runs, help)."""
        bridge = self.kapp.bridge
        yield "Change feed", "feed", "every posture change of the session"
        yield "Context and sync state", "ctx", "context, per-kind sync state, problems"
        yield "Help", "help", "keys and walk-throughs"
        for name in sorted(bridge.posture.by_namespace):
            yield f"namespace {clean(name)}", f"ns {name}", "open the namespace"
        for host in extras.host_names(bridge):
            yield f"triage {clean(host)}", f"triage {host}", "the triage chain for this host"
        for theme in self.kapp.theme_names():
            yield f"theme {theme}", f"theme {theme}", "switch theme"
        shown = 0
        for np in bridge.posture.by_namespace.values():
            for pod in np.pods:
                if shown >= MAX_PALETTE_PODS:
                    return
                shown += 1
                ref = f"{np.namespace}/{pod.subject.name}"
                yield f"pod {clean(ref)}", f"pod {ref}", "open the pod"

    async def discover(self) -> Hits:
        for shown, command, help_text in list(self._entries())[:8]:
            yield DiscoveryHit(Content(shown), partial(self.kapp.run_command, command), shown, help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for shown, command, help_text in self._entries():
            score = matcher.match(shown)
            if score > 0:
                yield Hit(score, _highlight(shown, matcher), partial(self.kapp.run_command, command),
                          shown, help_text)


def _highlight(shown: str, matcher: Matcher) -> Content:
    """Like Matcher.highlight, but never parsing the candidate as markup."""
    content = Content(shown)
    score, offsets = matcher.fuzzy_search.match(matcher.query, shown)
    for offset in offsets if score else ():
        if not shown[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
