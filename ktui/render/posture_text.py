"""`ktui posture`: the overview as JSON-ready data and as a plain table (docs/posture.md).

Both read the PostureReport that the TUI overview renders, so the three say the same numbers.
"""

from __future__ import annotations

from typing import Any

from ktui.analysis.exposure.status import HOST_STATUSES
from ktui.analysis.findings import Severity
from ktui.analysis.policy import EgressClass
from ktui.analysis.posture import HostView, NamespaceOverview, PostureReport
from ktui.render.safe import clean

SEVERITIES = tuple(reversed(Severity))  # critical first


def _severities(counts: tuple[tuple[Severity, int], ...] | None) -> dict[str, int] | None:
    return None if counts is None else {s.value: n for s, n in counts}


def _host_json(h: HostView) -> dict[str, Any]:
    return {"namespace": h.namespace, "host": h.host, "port": h.port, "path": h.path or None,
            "protocol": h.protocol, "tls": h.tls, "tlsStatus": h.tls_status, "tlsReason": h.tls_reason or None,
            "source": h.source, "route": h.route or None, "status": h.status, "reason": h.reason or None,
            "object": h.obj or None}


def _host_counts(hosts: tuple[HostView, ...] | None) -> dict[str, int] | None:
    if hosts is None:
        return None
    return {"entries": len(hosts), "distinct": len({(h.host, h.port) for h in hosts}),
            **{s: sum(h.status == s for h in hosts) for s in HOST_STATUSES}}


def namespace_json(n: NamespaceOverview) -> dict[str, Any]:
    return {
        "name": n.namespace, "pods": n.pods, "policies": n.policies, "policiesByKind": dict(n.policy_kinds),
        "ingressIsolated": n.ingress_isolated, "egressIsolated": n.egress_isolated,
        "egress": {c.value: k for c, k in n.egress},
        "mostOpenEgress": n.most_open_egress.value if n.most_open_egress else None,
        "dns": {"ok": n.dns_ok, "blocked": n.dns_blocked},
        "hostCounts": _host_counts(n.hosts),
        "hosts": None if n.hosts is None else [_host_json(h) for h in n.hosts],
        "findings": _severities(n.findings),
    }


def _sum(maps: list[dict[str, int] | None]) -> dict[str, int] | None:
    if any(m is None for m in maps):
        return None
    out: dict[str, int] = {}
    for m in maps:
        for k, v in (m or {}).items():
            out[k] = out.get(k, 0) + v
    return out


def posture_json(report: PostureReport) -> dict[str, Any]:
    rows = [namespace_json(n) for n in report.namespaces]
    cluster = _severities(report.cluster_findings)
    findings = _sum([r["findings"] for r in rows] + [cluster])
    # each entry once, under its own namespace (a row also lists the entries whose backends it holds)
    hosts = _host_counts(None if any(n.hosts is None for n in report.namespaces) else
                         tuple(h for n in report.namespaces for h in n.hosts or () if h.namespace == n.namespace))
    summary = {
        "namespaces": len(rows),
        "pods": report.total("pods"),
        "policies": report.total("policies"),
        "ingressIsolated": report.total("ingress_isolated"),
        "egressIsolated": report.total("egress_isolated"),
        "egress": {c.value: sum(r["egress"][c.value] for r in rows) for c in EgressClass},
        "dns": {"ok": report.total("dns_ok"), "blocked": report.total("dns_blocked")},
        "hostCounts": hosts if rows else {"entries": 0, "distinct": 0, **dict.fromkeys(HOST_STATUSES, 0)},
        "findings": findings if rows or cluster is not None else None,
    }
    return {"namespaces": rows, "cluster": {"findings": cluster}, "summary": summary}


def _egress_text(n: NamespaceOverview) -> str:
    return ",".join(f"{c.value}:{k}" for c, k in n.egress if k) or "-"


def _hosts_text(n: NamespaceOverview) -> str:
    if n.hosts is None:
        return "?"
    if not n.hosts:
        return "-"
    bad = ",".join(f"{s}:{n.hosts_with(s)}" for s in reversed(HOST_STATUSES) if s != "ok" and n.hosts_with(s))
    return f"{n.host_count}" + (f" ({bad})" if bad else "")


def _findings_text(counts: tuple[tuple[Severity, int], ...] | None) -> str:
    if counts is None:
        return "?"
    return ",".join(f"{s.value}:{k}" for s, k in counts if k) or "-"


def posture_lines(report: PostureReport) -> list[str]:
    """One row per namespace: pods, isolation, egress classes, DNS, hosts, findings; then the totals."""
    head = ("NAMESPACE", "PODS", "IN-ISO", "OUT-ISO", "EGRESS", "DNS-BLOCKED", "HOSTS", "FINDINGS")
    rows = [head]
    for n in report.namespaces:
        rows.append((clean(n.namespace), str(n.pods), f"{n.ingress_isolated}/{n.pods}",
                     f"{n.egress_isolated}/{n.pods}", _egress_text(n), str(n.dns_blocked),
                     _hosts_text(n), _findings_text(n.findings)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1] for r in rows]
    data = posture_json(report)["summary"]
    lines.append("")
    lines.append(f"cluster-scoped findings: {_findings_text(report.cluster_findings)}")
    lines.append(
        f"{data['namespaces']} namespaces, {data['pods']} pods, {data['ingressIsolated']} ingress-isolated, "
        f"{data['egressIsolated']} egress-isolated, {data['dns']['blocked']} with DNS blocked, "
        f"{data['hostCounts']['entries']} exposed entries, "
        f"{sum((data['findings'] or {}).values())} findings"
    )
    return lines
