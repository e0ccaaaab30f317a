"""The overview's "needs a look" line: broken hosts, blocked DNS, the findings total, open egress.

A total is shown only once final (the first list done and the background analysis caught up
with the last change); before that the line says "computing…", and a number from an analysis
that is behind says "partial" -- a figure that moves from 2998 to 1798 with no event in between
is worse than none.
"""

from __future__ import annotations

from rich.text import Text

from ktui.render.safe import clean
from ktui.tui.bridge import Bridge
from ktui.tui.changes import ChangeTracker
from ktui.tui.data import plural
from ktui.tui.themes import Palette


def _sep(t: Text, parts: int) -> None:
    if parts:
        t.append("  ·  ")


def attention(bridge: Bridge, tracker: ChangeTracker, p: Palette) -> Text:
    nps = bridge.namespaces()
    t = Text(no_wrap=True, overflow="ellipsis")
    if not nps:
        t.append(" computing the posture…" if bridge.job is not None else
                 " waiting for the first list…" if not bridge.synced else " no namespaces", style=p.muted)
        return t
    final = tracker.final()
    t.append(" needs a look: ", style="bold")
    parts = 0
    failing = sorted(((ns, s.failing) for ns, s in (bridge.exposure or {}).items() if s.failing),
                     key=lambda kv: (-kv[1], kv[0]))
    if failing:
        names = ", ".join(f"{clean(ns)} ({n})" for ns, n in failing[:3])
        t.append(f"✘ broken hosts in {names}", style=f"bold {p.fail}")
        parts += 1
    dns = sorted((np for np in nps if np.dns_blocked), key=lambda np: (-np.dns_blocked, np.namespace))
    if dns:
        _sep(t, parts)
        names = ", ".join(f"{clean(np.namespace)} ({np.dns_blocked})" for np in dns[:3])
        more = f" +{len(dns) - 3}" if len(dns) > 3 else ""
        t.append(f"✘ DNS blocked in {names}{more}", style=p.fail)
        parts += 1
    if bridge.findings is not None and bridge.synced:
        _sep(t, parts)
        total = len(bridge.found)
        t.append(plural(total, "finding"), style=p.warn)
        if not final:
            t.append(" (partial: computing…)", style=f"italic {p.muted}")
        parts += 1
    open_ns = sum(1 for np in nps if np.pods and np.egress_isolated == 0)
    if open_ns:
        _sep(t, parts)
        t.append(f"egress open in {open_ns}/{len(nps)} ns", style=p.muted)
        parts += 1
    if not parts:
        t.append("✔ nothing" if final else "computing…", style=p.ok if final else f"italic {p.muted}")
    if bridge.exposure is None or bridge.findings is None or not bridge.synced:
        what = "not available" if bridge.overlay_error else "computing…"
        t.append(f"  ·  exposure/findings: {what}", style=f"italic {p.muted}")
    return t
