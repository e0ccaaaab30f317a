"""Exposed entries as plain text, JSON-ready dicts and Rich tables (the CLI and the TUI say the same).

An entry reads left to right as the traffic flows: host:port path (protocol, TLS) via the rule or
route, then the backend chain Service:port -> targetPort -> endpoints -> pods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from ktui.analysis.exposure.backends import Backend
from ktui.analysis.exposure.entries import Exposure
from ktui.analysis.exposure.status import HostHealth
from ktui.render.columns import columns
from ktui.render.safe import clean, text


def entry_title(e: Exposure) -> str:
    port = f":{e.port}" if e.port is not None else ""
    path = f" {e.path}" if e.path else ""
    kind = f" ({e.path_type})" if e.path and e.path_type else ""
    tls = ", TLS" + (f" {e.tls_mode}" if e.tls_mode and e.tls_mode != "Terminate" else "") if e.tls else ""
    return clean(f"{e.host}{port}{path}{kind} {e.protocol}{tls}")


def entry_via(e: Exposure) -> str:
    if e.route:
        return clean(", ".join(x for x in (e.listener, e.route) if x))
    return clean(f"{e.source} {e.rule}".strip())


def endpoints_text(b: Backend) -> str:
    ep = b.endpoints
    if not ep.known:
        return "endpoints unknown"
    return f"{ep.ready} ready endpoint(s)" + (f", {ep.not_ready} not ready" if ep.not_ready else "")


def backend_chain(b: Backend) -> str:
    """Service ns/name:port -> targetPort N -> endpoints -> pods, or where the chain breaks."""
    weight = f" (weight {b.weight})" if b.weight is not None and b.weight != 1 else ""
    head = f"{b.kind} {b.label()}{weight}" if b.kind == "Service" else b.ref
    if b.kind == "Service" and not b.exists and not b.ref_reason:
        return clean(f"{head}: not found")
    if b.problem:
        return clean(f"{head}: {b.problem}")
    parts = [head, f"targetPort {b.target_port}", endpoints_text(b)]
    if b.pods:
        shown = ", ".join(str(p) for p in b.pods[:3]) + (f" +{len(b.pods) - 3}" if len(b.pods) > 3 else "")
        parts.append(shown)
    elif b.selector:
        parts.append("no pods selected")
    else:
        parts.append("no selector")
    return clean(" -> ".join(parts))


def hosts_lines(entries: list[Exposure], health: Sequence[HostHealth] | None = None) -> list[str]:
    """Per namespace, each entry with its route and backend chains; with `health` (one per
    entry), a failing entry also says why (the triage chain's failing link; -o json has every status)."""
    lines: list[str] = []
    namespace = None
    for i, e in enumerate(entries):
        if e.namespace != namespace:
            namespace = e.namespace
            lines.append(clean(namespace))
        lines.append(f"  {entry_title(e)}  via {entry_via(e)}")
        if e.addresses:
            lines.append(f"      address {clean(', '.join(e.addresses))}")
        if not e.attached or (e.problem and not e.backends):
            lines.append(f"      ! {clean(e.problem)}")
        lines.extend(f"      -> {backend_chain(b)}" for b in e.backends)
        if e.redirect and not e.backends:
            lines.append(f"      -> {clean(e.redirect)}")
        h = health[i] if health is not None else None
        if h is not None and h.status == "fail":
            lines.append(f"      {h.status}: {clean(h.reason)}" + (f" ({clean(h.obj)})" if h.obj else ""))
    return lines


HOSTS_HEADER = ("NAMESPACE", "HOST", "PORT", "PATH", "PROTOCOL", "TLS", "STATUS", "REASON")
HOSTS_WIDE = ("NAMESPACE", "HOST", "PORT", "PATH", "PROTOCOL", "TLS", "STATUS", "VIA", "BACKENDS", "ENDPOINTS",
              "ADDRESS", "REASON")


def _reason(e: Exposure, h: HostHealth | None) -> str:
    """Why the status is not ok: the failing link and its object; a refused route's reason."""
    if h is not None and h.status != "ok" and h.reason:
        return h.reason + (f" ({h.obj})" if h.obj and h.obj not in h.reason else "")
    return e.problem if not e.attached or e.listener_only else ""


def _endpoints(e: Exposure) -> str:
    known = [b for b in e.backends if b.kind == "Service" and b.exists]
    if not known:
        return ""
    if not all(b.endpoints.known for b in known):
        return "unknown"
    ready = sum(b.endpoints.ready for b in known)
    not_ready = sum(b.endpoints.not_ready for b in known)
    return f"{ready} ready" + (f", {not_ready} not ready" if not_ready else "")


def hosts_columns(entries: Sequence[Exposure], health: Sequence[HostHealth | None], tls: Sequence[str],
                  wide: bool = False) -> list[str]:
    """`ktui hosts` (-o table / wide): one row per entry with its status (exposure/status.py) and
    its TLS status (exposure/tls.py, "-" without TLS); wide adds how it is reached and the backends."""
    rows: list[list[object]] = []
    for e, h, t in zip(entries, health, tls, strict=True):
        path = f"{e.path} ({e.path_type})" if e.path and e.path_type else e.path
        status = h.status if h is not None else ""
        row: list[object] = [e.namespace, e.host, "" if e.port is None else e.port, path, e.protocol,
                             "-" if t == "none" else t, status]
        if wide:
            backends = "; ".join(backend_chain(b) for b in e.backends) or e.redirect
            row += [entry_via(e), backends, _endpoints(e), ", ".join(e.addresses)]
        rows.append([*row, _reason(e, h)])
    return columns(HOSTS_WIDE if wide else HOSTS_HEADER, rows)


def _backend_json(b: Backend) -> dict[str, Any]:
    sp = b.service_port
    return {
        "kind": b.kind, "namespace": b.namespace, "name": b.name, "port": b.port, "weight": b.weight,
        "exists": b.exists, "servicePort": None if sp is None else {"port": sp.port, "name": sp.name,
                                                                     "protocol": sp.protocol},
        "targetPort": b.target_port, "selector": dict(b.selector) if b.selector else None,
        "endpoints": {"known": b.endpoints.known, "ready": b.endpoints.ready, "notReady": b.endpoints.not_ready},
        "pods": [{"namespace": p.namespace, "name": p.name, "kind": p.kind, "ready": p.ready} for p in b.pods],
        "podsFrom": b.pods_from, "problem": b.problem or None, "refReason": b.ref_reason or None,
    }


def entry_json(e: Exposure) -> dict[str, Any]:
    k = e.klass
    return {
        "namespace": e.namespace, "host": e.host, "port": e.port, "path": e.path or None,
        "pathType": e.path_type or None, "protocol": e.protocol, "tls": e.tls, "tlsMode": e.tls_mode or None,
        "certificates": [{"namespace": c.namespace, "name": c.name, "problem": c.message if c.reason else None}
                         for c in e.certs],
        "addresses": list(e.addresses), "addressSource": e.address_source or None,
        "source": e.source, "rule": e.rule or None, "route": e.route or None, "listener": e.listener or None,
        "class": None if k is None else {"kind": k.kind, "name": k.name or None, "controller": k.controller or None,
                                         "exists": k.exists, "how": k.how, "problem": k.problem or None},
        "attached": e.attached, "problem": e.problem or None, "regex": e.regex,
        "defaultBackend": e.default_backend, "redirect": e.redirect or None, "notes": list(e.notes),
        "backends": [_backend_json(b) for b in e.backends],
    }


def hosts_json(entries: list[Exposure], health: Sequence[HostHealth] | None = None,
               tls: Sequence[str] | None = None) -> dict[str, Any]:
    """{"entries": [...]}; with `health`, each entry also has "status" (ok, unknown, warn, fail:
    the host status `ktui posture` and the TUI show) and "statusReason"; with `tls`, "tlsStatus"
    (ok, warn, fail, unknown, or none without TLS)."""
    out = [entry_json(e) for e in entries]
    for d, h in zip(out, health or (), strict=False):
        d["status"], d["statusReason"] = h.status, h.reason or None
    for d, t in zip(out, tls or (), strict=False):
        d["tlsStatus"] = t
    return {"entries": out}


def hosts_table(entries: list[Exposure]) -> Table:
    """The entries as a Rich table, one row per entry (strings made inert by ktui.render.safe)."""
    table = Table(show_lines=False, expand=True)
    for col in ("Namespace", "Host", "Port", "Path", "Protocol", "Via", "Backends"):
        table.add_column(col, overflow="fold")
    for e in entries:
        path = f"{e.path} ({e.path_type})" if e.path else ""
        proto = e.protocol + (" TLS" if e.tls else "")
        backends = "\n".join(backend_chain(b) for b in e.backends) or clean(e.redirect or e.problem)
        style = "" if e.attached else "dim"
        table.add_row(text(e.namespace), text(e.host), text(e.port if e.port is not None else ""), text(path),
                      text(proto), text(entry_via(e)), text(backends), style=style)
    return table
