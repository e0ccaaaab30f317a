"""The change feed panel: the newest posture changes, newest first, sized to its box; and the
one-line rendering of a change shared with the feed screen.

It renders from the app's ChangeTracker on each batch instead of appending to a log, so a theme
change recolours old lines too and the panel costs the same however long the session runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

from ktui.analysis.policy.egress import EgressClass
from ktui.analysis.posture import Cause
from ktui.render.safe import clean
from ktui.tui.themes import Palette

if TYPE_CHECKING:
    from ktui.tui.changes import ChangeTracker, FeedItem

EGRESS_VALUES = {c.value for c in EgressClass}
KIND_WORDS = {"NetworkPolicy": "policy", "Namespace": "namespace", "Pod": "pod"}


def causes_text(causes: tuple[Cause, ...], limit: int = 2) -> str:
    shown = ", ".join(f"{KIND_WORDS.get(c.kind, c.kind)} {clean(c.name)} {c.verb}" for c in causes[:limit])
    more = f" +{len(causes) - limit} more" if len(causes) > limit else ""
    return f"{shown}{more}"


def _value(p: Palette, value: str, what: str) -> Text:
    if what == "egress" and value in EGRESS_VALUES:
        return Text(value, style=p.egress(value))
    if what == "host" and value in ("ok", "warn", "fail"):
        return Text(value, style=p.level(value))
    if what == "DNS":
        return Text(value, style=p.ok if value == "ok" else p.fail)
    return Text(clean(value))


def change_text(p: Palette, item: FeedItem, with_causes: bool = True) -> Text:
    """`shop: Deployment web: egress internet -> external  (policy web-egress changed)`."""
    line = Text()
    if item.problem and item.fixed:
        line.append("fixed: ", style=p.ok)
        line.append(clean(item.problem), style=p.muted)
        return line
    if item.problem:
        line.append("problem: ", style=p.warn)
        line.append(clean(item.problem))
        return line
    c = item.change
    assert c is not None
    line.append(clean(c.namespace), style="bold")
    line.append(": ")
    if c.what in ("workload", "namespace", "host", "finding") and (c.before in ("", "absent") or
                                                                  c.after in ("", "absent")):
        style = p.ok if (c.what == "finding" and not c.after) else p.warn if c.what == "finding" else ""
        line.append(clean(c.words()), style=style)
    else:
        line.append(f"{clean(c.subject)}: {'status' if c.what == 'host' else c.what} ")
        line.append_text(_value(p, c.before, c.what))
        line.append(" -> ")
        line.append_text(_value(p, c.after, c.what))
    if with_causes and c.causes:
        line.append(f"  ({causes_text(c.causes)})", style=p.muted)
    return line


class ChangeFeed(Widget):
    DEFAULT_CSS = "ChangeFeed { height: 6; }"

    def __init__(self, tracker: ChangeTracker, palette: Palette, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tracker = tracker
        self.palette = palette
        self.border_title = "Changes (f: all)"
        self._version = -1

    def follow(self) -> None:
        """After a batch: redraw only if the tracker has new lines (most batches add none)."""
        if self.tracker.version != self._version:
            self._version = self.tracker.version
            self.refresh()

    def set_palette(self, palette: Palette) -> None:
        self.palette = palette
        self.refresh()

    def render(self) -> RenderableType:
        rows = max(1, self.content_size.height)
        entries = list(self.tracker.items)[-rows:][::-1]
        if not entries:
            return Text("No posture changes since the first sync. They appear here as they happen.",
                        style=f"italic {self.palette.muted}")
        width = max(10, self.content_size.width)
        out = Text(no_wrap=True, overflow="ellipsis")
        for i, e in enumerate(entries):
            if i:
                out.append("\n")
            line = Text(e.stamp + " ", style=self.palette.muted)
            line.append_text(change_text(self.palette, e))
            line.truncate(width, overflow="ellipsis")  # one line each; the feed screen has the rest
            out.append_text(line)
        return out
