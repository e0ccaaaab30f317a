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

from ktui.analysis.exposure.tls import TlsState, tls_state
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
    if bridge.exposure is None:
        return None
    out: list[HostRow] = []
    seen: set[int] = set()
    for summary in bridge.exposure.values():
        for h in summary.entries:
            e = h.entry
            wanted = getattr(e, "namespaces", (e.namespace,))
            if namespace not in wanted or id(h) in seen:
                continue
            seen.add(id(h))
            tls = getattr(h, "tls", None)
            if not isinstance(tls, TlsState):
                tls = tls_state(bridge.state, e, live=bridge.live)
            out.append(HostRow(e, h.status, h.reason, h.obj, tls))
    out.sort(key=lambda r: (r.entry.host, r.entry.port or 0, r.entry.path, r.entry.source))
    return out


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
