"""The status line: context, sync state per kind (forbidden and absent shown), time since the
last event. It reads the bridge; the app refreshes it on every batch and once a second."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ktui.render.safe import clean
from ktui.sources.base import SyncState
from ktui.tui.bridge import Bridge
from ktui.tui.fmt import same
from ktui.tui.themes import Palette


def age(seconds: float | None) -> str:
    if seconds is None:
        return "no events yet"
    if seconds < 60:
        return f"{int(seconds)}s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    return f"{int(seconds // 3600)}h ago"


def status_text(bridge: Bridge, p: Palette) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(" ctx ", style="reverse")
    t.append(f" {clean(bridge.context or '-')} ", style="bold")
    counts = {s: 0 for s in SyncState}
    for st in bridge.statuses.values():
        counts[st.state] += 1
    if not bridge.statuses:
        t.append(" connecting… ", style=p.warn)
    elif counts[SyncState.SYNCING]:
        t.append(f" syncing {counts[SyncState.SYNCING]} kinds ", style=p.warn)
    elif counts[SyncState.RECONNECTING]:
        t.append(" reconnecting ", style=f"bold {p.warn}")
    else:
        t.append(" live ", style=p.ok)
    t.append(f" │ last event {age(bridge.since_last_event())}", style=p.muted)
    pods = bridge.state.count('Pod')
    t.append(f" │ {len(bridge.posture.by_namespace)} ns · {pods} pod{'' if pods == 1 else 's'}", style=p.muted)
    forbidden = sorted(k for k, s in bridge.statuses.items() if s.state is SyncState.FORBIDDEN)
    absent = sorted(k for k, s in bridge.statuses.items() if s.state is SyncState.ABSENT)
    if forbidden:
        t.append(" │ forbidden: " + " ".join(forbidden[:3]) + (f" +{len(forbidden) - 3}" if len(forbidden) > 3 else ""),
                 style=f"bold {p.fail}")
    if absent:
        t.append(f" │ absent: {' '.join(absent[:3])}" + (f" +{len(absent) - 3}" if len(absent) > 3 else ""),
                 style=p.muted)
    if bridge.problems:
        n = len(bridge.problems)
        t.append(f" │ {n} problem{'' if n == 1 else 's'}", style=p.warn)
    if forbidden or absent or bridge.problems:
        t.append("  (:ctx)", style=p.muted)
    return t


class StatusLine(Static):
    """One line; the context name is cleaned because a kubeconfig is user data too."""

    _last = Text()

    def show(self, bridge: Bridge, p: Palette) -> None:
        text = status_text(bridge, p)
        if not same(text, self._last):  # most batches change nothing it shows
            self._last = text
            self.update(text, layout=False)  # one line, always: no relayout
