"""The triage chains as text lines, JSON-ready dicts and Rich tables, one link per line/row."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from ktui.analysis.exposure.triage import Chain, Triage
from ktui.render.exposure_text import entry_title, entry_via
from ktui.render.safe import clean, text

MARKS = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}
STYLES = {"ok": "green", "warn": "yellow", "fail": "bold red"}


def chain_lines(c: Chain) -> list[str]:
    lines = [f"{entry_title(c.entry)}  via {entry_via(c.entry)}  [{c.status}]"]
    for lk in c.links:
        obj = f"  ({clean(lk.obj)})" if lk.obj else ""
        lines.append(f"  {MARKS[lk.status]} {lk.name:<9} {clean(lk.reason)}{obj}")
    return lines


def triage_lines(t: Triage) -> list[str]:
    target = clean(f"{t.host}{t.path}")
    if not t.found:
        return [f"{target}: no Ingress rule, route or load balancer serves it"]
    n = len(t.chains)
    lines = [f"{target}: {n} entr{'y' if n == 1 else 'ies'} answer{'s' if n == 1 else ''} it [{t.status}]"]
    for c in t.chains:
        lines.append("")
        lines.extend(chain_lines(c))
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
