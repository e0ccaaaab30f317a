"""The posture overview as data: the object `ktui posture` prints and the TUI renders, built from
the PostureIndex's per-namespace summaries, the hosts with their status and the findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ktui.analysis.exposure.status import HostHealth
from ktui.analysis.findings import Finding, Severity
from ktui.analysis.policy import EgressClass

if TYPE_CHECKING:
    from ktui.analysis.posture import NamespacePosture

__all__ = ["HostView", "NamespaceOverview", "PostureReport", "host_view", "namespace_overview", "posture_report"]


@dataclass(frozen=True, slots=True)
class HostView:
    """One exposed entry as the overview lists it: where, how, its status (exposure.host_status)
    and its TLS verdict (exposure.tls). `namespace` is the entry's own: a namespace also lists the
    entries whose backends live in it."""

    namespace: str
    host: str
    port: int | None
    path: str
    protocol: str
    tls: bool
    source: str
    route: str
    status: str  # ok | unknown | warn | fail
    reason: str
    obj: str
    tls_status: str  # none | ok | unknown | warn | fail
    tls_reason: str


def host_view(h: HostHealth) -> HostView:
    e = h.entry
    return HostView(e.namespace, e.host, e.port, e.path, e.protocol, e.tls, e.source, e.route, h.status, h.reason,
                    h.obj, h.tls.status, h.tls.reason)


def _by_severity(found: Iterable[Finding]) -> tuple[tuple[Severity, int], ...]:
    counts = dict.fromkeys(reversed(Severity), 0)  # critical first
    for f in found:
        counts[f.severity] += 1
    return tuple(counts.items())


@dataclass(frozen=True, slots=True)
class NamespaceOverview:
    """One namespace as the overview shows it: the object `ktui posture` prints and the TUI renders.

    hosts / findings are None while unknown (the TUI, before its background analysis answers).
    """

    namespace: str
    pods: int  # subjects: pods that count (core.subjects) and workload templates standing in
    policies: int
    ingress_isolated: int
    egress_isolated: int
    egress: tuple[tuple[EgressClass, int], ...]  # every class, most open first
    most_open_egress: EgressClass | None  # None: no pods
    dns_ok: int
    dns_blocked: int
    hosts: tuple[HostView, ...] | None
    findings: tuple[tuple[Severity, int], ...] | None  # every severity, critical first
    policy_kinds: tuple[tuple[str, int], ...] = ()  # (kind, count) behind `policies`, every kind, tier order

    @property
    def host_count(self) -> int:
        """Distinct (host, port): what the HOSTS column counts."""
        return len({(h.host, h.port) for h in self.hosts or ()})

    def hosts_with(self, status: str) -> int:
        return sum(h.status == status for h in self.hosts or ())

    @property
    def findings_total(self) -> int:
        return sum(n for _, n in self.findings or ())

    @property
    def worst_finding(self) -> Severity | None:
        return next((s for s, n in self.findings or () if n), None)


def namespace_overview(np: NamespacePosture, hosts: Iterable[HostHealth] | None,
                       found: Iterable[Finding] | None) -> NamespaceOverview:
    """The overview row of one namespace from its posture, its hosts and its findings."""
    return NamespaceOverview(
        np.namespace, len(np.pods), np.policies, np.ingress_isolated, np.egress_isolated,
        tuple((c, np.egress_counts.get(c, 0)) for c in EgressClass), np.most_open_egress,
        len(np.pods) - np.dns_blocked, np.dns_blocked,
        None if hosts is None else tuple(host_view(h) for h in hosts),
        None if found is None else _by_severity(found),
        np.policy_kinds,
    )


@dataclass(frozen=True, slots=True)
class PostureReport:
    """Every namespace's overview, the findings no namespace holds (cluster-scoped, or of a
    namespace ktui does not hold), and the totals."""

    namespaces: tuple[NamespaceOverview, ...]
    cluster_findings: tuple[tuple[Severity, int], ...] | None

    def total(self, attr: str) -> int:
        return sum(int(getattr(n, attr)) for n in self.namespaces)


def posture_report(by_namespace: Mapping[str, NamespacePosture],
                   hosts: Mapping[str, Sequence[HostHealth]] | None,
                   found: Iterable[Finding] | None) -> PostureReport:
    """The posture as data: the one builder behind `ktui posture` and the TUI overview."""
    per_ns: dict[str, list[Finding]] | None = None
    elsewhere: list[Finding] = []
    if found is not None:
        per_ns = {ns: [] for ns in by_namespace}
        for f in found:
            per_ns.get(f.object.namespace, elsewhere).append(f)
    rows = tuple(
        namespace_overview(by_namespace[ns], None if hosts is None else hosts.get(ns, ()),
                           None if per_ns is None else per_ns[ns])
        for ns in sorted(by_namespace)
    )
    return PostureReport(rows, None if found is None else _by_severity(elsewhere))
