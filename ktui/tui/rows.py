"""Rows of the namespace screen's tabs (and the overview's preview): cells cut to fit, and a
detail line holding the long text in full. Built from analysis results; cluster strings clean."""

from __future__ import annotations

from rich.text import Text

from ktui.analysis.core.owners import display_workload, workload_label
from ktui.analysis.posture import NamespacePosture
from ktui.render.safe import clean
from ktui.tui import fmt, nsdata
from ktui.tui.bridge import Bridge
from ktui.tui.data import HostRow
from ktui.tui.extras import target
from ktui.tui.themes import Palette
from ktui.tui.widgets.listing import Row

HOST_COLUMNS = ("HOST", "PORT", "PATH", "STATUS", "TLS", "BACKEND", "VIA", "WHY")
POD_COLUMNS = ("POD", "WORKLOAD", "INGRESS", "EGRESS", "CLASS", "DNS", "POLICIES")
POLICY_COLUMNS = ("POLICY", "TYPES", "SELECTS", "PODS", "RULES")
TLS_MARK = {"ok": "✔", "warn": "!", "fail": "✘", "unknown": "?"}


def tls_cell(p: Palette, h: HostRow) -> Text:
    st = h.tls.status
    if st == "none":
        return Text("-", style=p.muted)
    style = p.level(st) if st in ("ok", "warn", "fail") else p.muted
    return Text(f"{TLS_MARK.get(st, '?')} {st}", style=style)


def host_target(h: HostRow) -> str:
    return target(h)  # type: ignore[arg-type]


def host_row(p: Palette, i: int, h: HostRow) -> Row:
    e = h.entry
    detail = Text()
    detail.append_text(fmt.status(p, h.status if h.status in ("ok", "warn", "fail") else "", h.status))
    detail.append(f" {clean(e.host)}:{e.port or '-'}{clean(e.path)}", style="bold")
    if h.reason:
        detail.append(f" — {clean(h.reason)}", style=p.level(h.status))
    if h.obj:
        detail.append(f"  → {clean(h.obj)}", style="bold")
    if h.tls.status != "none":
        detail.append("\nTLS: ")
        detail.append(clean(h.tls.reason), style=p.level(h.tls.status) if h.tls.status != "unknown" else p.muted)
    detail.append(f"\nvia {clean(h.via)} · backends {clean(h.backend_health)}", style=p.muted)
    status = fmt.status(p, h.status) if h.status in ("ok", "warn", "fail") else fmt.unavailable(p, "? unknown")
    return Row(str(i), [
        fmt.literal(e.host, "bold", 40), Text(str(e.port or "-")), fmt.literal(e.path or "-", "", 24), status,
        tls_cell(p, h), fmt.literal(h.backend_health, "", 36), fmt.literal(h.via, p.muted, 40),
        fmt.literal(h.reason or "-", p.level(h.status) if h.reason else p.muted, 60),
    ], detail, sort=(e.host, e.port or 0, e.path, ("ok", "unknown", "warn", "fail").index(h.status)
                     if h.status in ("ok", "unknown", "warn", "fail") else 9, h.tls.status,
                     h.backend_health, h.via, h.reason))


def pod_rows(p: Palette, bridge: Bridge, np: NamespacePosture | None) -> list[Row]:
    out = []
    for pod in np.pods if np is not None else ():
        cells = fmt.pod_cells(p, pod)
        w = display_workload(bridge.state, pod.subject)
        cells[1] = fmt.literal(workload_label(w) if w.kind != "Pod" else "-", p.muted, 40)
        policies = sorted(set(pod.ingress_policies) | set(pod.egress.policies))
        detail = Text(f"{clean(pod.subject.name)} · {clean(workload_label(w))} · policies: "
                      f"{clean(', '.join(policies)) or 'none'}", style=p.muted) if len(policies) > 2 else None
        out.append(Row(pod.subject.name, cells, detail))
    return out


def policy_rows(p: Palette, bridge: Bridge, namespace: str) -> list[Row]:
    out = []
    for row in nsdata.policy_rows(bridge, namespace):
        pods = ", ".join(row.pods[:4]) + (f" +{len(row.pods) - 4}" if len(row.pods) > 4 else "")
        detail = Text(f"{clean(row.name)} selects: {clean(', '.join(row.pods)) or 'no pods'}", style=p.muted) \
            if len(row.pods) > 4 else None
        out.append(Row(row.name, [
            fmt.literal(row.name, "bold", 48), Text(row.types),
            Text(f"{row.selected}/{row.total}", style=p.muted if not row.selected else ""),
            fmt.literal(pods, "", 50), Text(row.rules),
        ], detail, sort=(row.name, row.types, row.selected, pods, row.rules)))
    return out
