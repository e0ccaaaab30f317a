"""What the screens read from the bridge's background results, in one place: the exposed entries
that concern a namespace (its own and those whose backends live there), each with its status and
its TLS verdict, and the findings per namespace or of the whole cluster. The screens build rows
from these and never derive an answer of their own; until the results land these return None
(the screens say "computing…").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ktui.analysis.exposure.tls import TlsState
from ktui.analysis.findings.catalogue import Finding
from ktui.tui.bridge import Bridge


@dataclass(frozen=True, slots=True)
class HostRow:
    """One exposed entry as a screen lists it."""

    entry: Any  # ktui.analysis.exposure.entries.Exposure
    status: str  # ok | unknown | warn | fail
    reason: str
    obj: str
    tls: TlsState

    @property
    def backend_health(self) -> str:
        parts = []
        for b in self.entry.backends:
            ep = b.endpoints
            parts.append(f"{b.label()} {ep.ready} ready" if ep.known else f"{b.label()} (endpoints unknown)")
        return ", ".join(parts) or "-"

    @property
    def via(self) -> str:
        e = self.entry
        return f"{e.route} on {e.source}" if e.route else e.source


def host_rows(bridge: Bridge, namespace: str) -> list[HostRow] | None:
    """Entries of `namespace` and entries whose backends are in it (routes cross namespaces)."""
    index = _host_index(bridge)
    return None if index is None else index.get(namespace, [])


_INDEX: dict[int, tuple[object, dict[str, list[HostRow]]]] = {}


def _host_index(bridge: Bridge) -> dict[str, list[HostRow]] | None:
    """Every namespace's rows, built once per background result (the bridge replaces its
    exposure dict with each): the overview asks per namespace, on every batch."""
    exposure = bridge.exposure
    if exposure is None:
        return None
    hit = _INDEX.get(id(bridge))  # unseen kinds reach the overlay's replica: a new result follows them
    if hit is not None and hit[0] is exposure:
        return hit[1]
    index: dict[str, list[HostRow]] = {}
    seen: set[tuple[object, ...]] = set()  # a summary per backend namespace would list an entry twice
    for summary in exposure.values():
        for h in summary.entries:
            e = h.entry
            key = (e.source, e.route, e.rule, e.listener, e.host, e.port, e.path, e.protocol, e.attached)
            if key in seen:
                continue
            seen.add(key)
            row = HostRow(e, h.status, h.reason, h.obj, h.tls)  # TLS judged in the overlay's Analysis
            for ns in dict.fromkeys(getattr(e, "namespaces", (e.namespace,))):
                index.setdefault(ns, []).append(row)
    for rows in index.values():
        rows.sort(key=lambda r: (r.entry.host, r.entry.port or 0, r.entry.path, r.entry.source))
    _INDEX[id(bridge)] = (exposure, index)  # holding it: an id is reused once freed
    return index


def all_findings(bridge: Bridge) -> tuple[Finding, ...] | None:
    if bridge.findings is None:
        return None
    return tuple(bridge.found)


def namespace_findings(bridge: Bridge, namespace: str) -> Sequence[Finding] | None:
    """The findings of a namespace; "" is the cluster's own (IngressClass, GatewayClass ...)
    and those of namespaces ktui does not hold."""
    if bridge.findings is None:
        return None
    if namespace:
        s = bridge.findings.get(namespace)
        return s.findings if s is not None else ()
    held = set(bridge.posture.by_namespace)
    return tuple(f for f in bridge.found if f.object.namespace not in held)


def plural(n: int, word: str, many: str = "") -> str:
    """`1 problem`, `2 problems` (and `1 policy` / `2 policies` with many=)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def shown_path(where: str) -> str:
    """A file (or file:line) as a user would type it: relative to the working directory when it
    is under it (and stable in snapshots), else as given."""
    import os

    path, sep, line = where.rpartition(":") if where.rpartition(":")[2].isdigit() else (where, "", "")
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return where
    return (path if rel.startswith("..") else rel) + sep + line
