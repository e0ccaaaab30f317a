"""Gateway API routes with their parents' conditions: text, Rich table, and the JSON contract.

`routes_json` is the `ktui routes -o json` contract of DESIGN.md, to the letter: per route kind,
namespace, name and parents; per parent the parentRef with its defaults filled in (all six keys)
and the Accepted and ResolvedRefs conditions (type, status, reason). Messages appear in the text
and table forms only.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table

from ktui.analysis.exposure.routes import ListenerStatus, RouteStatus
from ktui.render.safe import clean, text


def routes_json(statuses: list[RouteStatus]) -> dict[str, Any]:
    return {
        "routes": [
            {
                "kind": rs.kind,
                "namespace": rs.namespace,
                "name": rs.name,
                "parents": [
                    {
                        "parentRef": p.ref.to_json(),
                        "conditions": [{"type": c.type, "status": c.status, "reason": c.reason}
                                       for c in p.conditions()],
                    }
                    for p in rs.parents
                ],
            }
            for rs in statuses
        ]
    }


def _hostnames(rs: RouteStatus) -> str:
    spec = getattr(rs.route, "spec", None)
    names = list(getattr(spec, "hostnames", None) or ())
    return ", ".join(names) if names else "(none: the listener's)"


def routes_lines(statuses: list[RouteStatus], listeners: list[ListenerStatus] | None = None,
                 wide: bool = False) -> list[str]:
    """Per route its parents and their conditions (with messages), then the listeners; `wide`
    (-o wide) adds each route's hostnames."""
    lines: list[str] = []
    for rs in statuses:
        lines.append(clean(f"{rs.kind} {rs.namespace}/{rs.name}"))
        if wide:
            lines.append(clean(f"  hostnames {_hostnames(rs)}"))
        if not rs.parents:
            lines.append("  no parentRefs: attached to nothing")
        for p in rs.parents:
            lines.append(clean(f"  parent {p.ref}"))
            for c in p.conditions():
                msg = f": {c.message}" if c.message else ""
                lines.append(clean(f"    {c.type}={c.status} {c.reason}{msg}"))
    if listeners:
        lines.append("Listeners:")
        for ls in listeners:
            rr = ls.resolved_refs
            refs = "" if rr.ok else f"  ResolvedRefs=False {rr.reason}: {rr.message}"
            lines.append(clean(
                f"  {ls.owner_kind} {ls.owner_namespace}/{ls.owner_name} listener {ls.name} "
                f"{ls.protocol}:{ls.port} host {ls.hostname or '*'}: attachedRoutes {ls.attached_routes}{refs}"
            ))
    return lines


def routes_table(statuses: list[RouteStatus]) -> Table:
    table = Table(expand=True)
    for col in ("Route", "Parent", "Accepted", "ResolvedRefs", "Message"):
        table.add_column(col, overflow="fold")
    for rs in statuses:
        for p in rs.parents:
            acc, res = p.accepted, p.resolved_refs
            msg = "; ".join(m for m in (acc.message if not acc.ok else "", res.message) if m)
            table.add_row(text(f"{rs.kind} {rs.namespace}/{rs.name}"), text(str(p.ref)),
                          text(f"{acc.status} {acc.reason}", "" if acc.ok else "red"),
                          text(f"{res.status} {res.reason}", "" if res.ok else "red"), text(msg))
    return table
