"""The triage chains as text lines, JSON-ready dicts and Rich tables, one link per line/row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table
from rich.text import Text

from ktui.analysis.exposure.triage import Chain, Triage
from ktui.render.exposure_text import backend_chain, entry_title, entry_via
from ktui.render.safe import clean, text

MARKS = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}
STYLES = {"ok": "green", "warn": "yellow", "fail": "bold red"}


def chain_lines(c: Chain, wide: bool = False) -> list[str]:
    """The entry, then one line per link; `wide` (-o wide) adds the entry's backend chains."""
    lines = [f"{entry_title(c.entry)}  via {entry_via(c.entry)}  [{c.status}]"]
    for lk in c.links:
        obj = f"  ({clean(lk.obj)})" if lk.obj else ""
        lines.append(f"  {MARKS[lk.status]} {lk.name:<9} {clean(lk.reason)}{obj}")
    if wide:
        lines.extend(f"  -> {backend_chain(b)}" for b in c.entry.backends)
    return lines


def triage_lines(t: Triage, wide: bool = False) -> list[str]:
    target = clean(f"{t.host}{t.path}")
    if not t.found:
        return [f"{target}: no Ingress rule, route or load balancer serves it"]
    n = len(t.chains)
    lines = [f"{target}: {n} entr{'y' if n == 1 else 'ies'} answer{'s' if n == 1 else ''} it [{t.status}]"]
    for c in t.chains:
        lines.append("")
        lines.extend(chain_lines(c, wide))
    return lines


def triage_json(t: Triage) -> dict[str, Any]:
    from ktui.render.exposure_text import entry_json

    return {
        "host": t.host, "path": t.path, "found": t.found, "status": t.status if t.found else None,
        "chains": [
            {"entry": entry_json(c.entry), "status": c.status,
             "links": [{"link": lk.name, "status": lk.status, "reason": lk.reason, "object": lk.obj or None}
                       for lk in c.links]}
            for c in t.chains
        ],
    }


def chain_table(c: Chain) -> Table:
    table = Table(title=text(f"{entry_title(c.entry)} via {entry_via(c.entry)}"), expand=True)
    for col in ("", "Link", "Reason", "Look at"):
        table.add_column(col, overflow="fold")
    for lk in c.links:
        table.add_row(text(MARKS[lk.status].strip(), STYLES[lk.status]), text(lk.name), text(lk.reason), text(lk.obj))
    return table


def triage_rich(t: Triage, styles: Mapping[str, str], marks: Mapping[str, str], muted: str) -> Text:
    """The chains as one Rich Text for a screen: `styles` and `marks` per status (ok, warn, fail),
    so the TUI's theme colours it while the words stay the CLI's."""

    def status(lvl: str, label: str) -> Text:
        return Text(f"{marks.get(lvl, '?')} {label}", style=styles.get(lvl, muted))

    out = Text()
    fail = styles.get("fail", "")
    if not t.found:
        out.append(f"{marks.get('fail', '?')} no exposed entry answers {clean(t.host)}{clean(t.path)}\n",
                   style=f"bold {fail}")
        out.append("  check the host spelling; :triage with a host from the Exposure tab, or ctrl+p to pick one\n",
                   style=muted)
        return out
    n = len(t.chains)
    out.append_text(status(t.status, f"{clean(t.host)}{clean(t.path)}: {n} entr{'y' if n == 1 else 'ies'} answer"))
    out.append("\n")
    for chain in t.chains:
        e = chain.entry
        out.append("\n")
        out.append_text(status(chain.status, ""))
        out.append(f"{clean(e.source)}  {clean(e.host)}:{e.port or '-'}{clean(e.path)}\n", style="bold")
        for lk in chain.links:
            out.append("   ")
            out.append_text(status(lk.status, f"{lk.name:<10}"))
            out.append(f" {clean(lk.reason)}")
            if lk.obj:
                out.append(f"  → {clean(lk.obj)}", style=muted if lk.status == "ok" else "bold")
            out.append("\n")
    return out
