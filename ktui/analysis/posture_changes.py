"""What changed in posture between two states, with the objects behind each change.

Two levels: `posture_deltas` compares the namespace figures the overview is judged on (moved
here from posture.py); `posture_changes` compares per-namespace snapshots fact by fact for the
change feed: per workload (egress class, DNS, isolation), per exposed host (appeared, gone,
status changed), per finding (added, fixed). Snapshots are per workload (a Deployment's pods as
one row), so an edited egress policy that moves one workload from internet to external is a
change even when the namespace's most open class stays the same. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ktui.analysis.core.owners import display_workload, workload_label
from ktui.analysis.findings.catalogue import Finding
from ktui.analysis.policy.egress import EgressClass
from ktui.store import Change, ClusterState

if TYPE_CHECKING:
    from ktui.analysis.posture import NamespacePosture

GLOBAL_KINDS = frozenset({"AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"})


def level(count: int, total: int) -> str:
    """'none', 'some' or 'all': how the UI and the feed speak about per-pod counts."""
    if total == 0 or count == 0:
        return "none"
    return "all" if count == total else "some"


@dataclass(frozen=True, slots=True)
class PostureSummary:
    """The figures a posture change is judged on; pod churn that keeps them is not a change."""

    pods: int
    policies: int
    ingress_isolated: int
    egress_isolated: int
    dns_blocked: int
    most_open: EgressClass | None

    def material(self) -> tuple[object, ...]:
        n = self.pods
        return (self.policies, level(self.ingress_isolated, n), level(self.egress_isolated, n),
                level(self.dns_blocked, n), self.most_open)


def summarize(np: NamespacePosture) -> PostureSummary:
    return PostureSummary(len(np.pods), np.policies, np.ingress_isolated, np.egress_isolated,
                          np.dns_blocked, np.most_open_egress)


@dataclass(frozen=True, slots=True)
class Cause:
    """An object change that came with a posture change: what to look at."""

    kind: str
    namespace: str
    name: str
    verb: str  # added | changed | removed


@dataclass(frozen=True, slots=True)
class PostureDelta:
    namespace: str
    before: PostureSummary | None
    after: PostureSummary | None
    causes: tuple[Cause, ...]

    def facts(self) -> list[tuple[str, str, str]]:
        """(what, before, after) for each figure whose meaning changed."""
        b, a = self.before, self.after
        if b is None or a is None:
            return [("namespace", "absent" if b is None else "present", "absent" if a is None else "present")]
        out: list[tuple[str, str, str]] = []
        if b.most_open != a.most_open:
            out.append(("egress", b.most_open.value if b.most_open else "no pods",
                        a.most_open.value if a.most_open else "no pods"))
        for what, bn, an in (("ingress isolated", b.ingress_isolated, a.ingress_isolated),
                             ("egress isolated", b.egress_isolated, a.egress_isolated),
                             ("DNS blocked", b.dns_blocked, a.dns_blocked)):
            if level(bn, b.pods) != level(an, a.pods):
                out.append((what, f"{bn}/{b.pods}", f"{an}/{a.pods}"))
        if b.policies != a.policies:
            out.append(("policies", str(b.policies), str(a.policies)))
        return out


_CAUSE_ORDER = {"NetworkPolicy": 0, "Namespace": 1}


def posture_deltas(
    before: Mapping[str, NamespacePosture], after: Mapping[str, NamespacePosture],
    namespaces: Iterable[str], changes: Iterable[Change],
) -> list[PostureDelta]:
    """The material posture changes among `namespaces`, each with the object changes behind it."""
    by_ns: dict[str, list[Cause]] = {}
    global_causes: list[Cause] = []
    for c in changes:
        verb = "added" if c.old is None else "removed" if c.new is None else "changed"
        cause = Cause(c.kind, c.namespace, c.name, verb)
        if c.kind == "Namespace":
            by_ns.setdefault(c.name, []).append(cause)
        elif c.kind in GLOBAL_KINDS:
            global_causes.append(cause)
        else:
            by_ns.setdefault(c.namespace, []).append(cause)
    out = []
    for ns in sorted(namespaces):
        b, a = before.get(ns), after.get(ns)
        sb = summarize(b) if b is not None else None
        sa = summarize(a) if a is not None else None
        if sb is not None and sa is not None and sb.material() == sa.material():
            continue
        causes = by_ns.get(ns, []) + global_causes
        if not causes:  # moved by a change elsewhere (the DNS pods' namespace): name that change
            causes = [c for cs in by_ns.values() for c in cs if c.kind != "Pod"][:3]
        causes.sort(key=lambda c: _CAUSE_ORDER.get(c.kind, 2))
        out.append(PostureDelta(ns, sb, sa, tuple(dict.fromkeys(causes))))
    return out


_CLASSES = tuple(EgressClass)  # most open first


@dataclass(frozen=True, slots=True)
class WorkloadPosture:
    """One workload's pods summed up: its most open egress class, DNS, isolation levels."""

    pods: int
    egress: str  # the most open class among its pods
    dns: str  # ok | blocked | "2/3 blocked"
    ingress_isolated: str  # none | some | all
    egress_isolated: str


@dataclass(frozen=True, slots=True)
class NamespaceSnapshot:
    """What the feed compares. hosts / findings are None while not computed yet (not news)."""

    namespace: str
    workloads: Mapping[str, WorkloadPosture] = field(default_factory=dict)
    hosts: Mapping[str, str] | None = None  # "host:port/path (via)" -> status
    findings: Mapping[tuple[str, ...], str] | None = None  # Finding.key -> "CODE Kind name"


@dataclass(frozen=True, slots=True)
class PostureChange:
    namespace: str
    subject: str  # "Deployment web", "host api.example.com:443/pay", "finding KTUI-NP003", "namespace"
    what: str  # egress | DNS | ingress isolation | egress isolation | workload | host | finding | namespace
    before: str
    after: str
    causes: tuple[Cause, ...] = ()

    def words(self) -> str:
        """The change in one line, without the causes."""
        if self.what in ("workload", "namespace", "host", "finding") and self.before in ("", "absent"):
            return f"{self.subject}: {'appeared' if self.what != 'finding' else 'new'}" + (
                f" ({self.after})" if self.after and self.after != "present" else "")
        if self.what in ("workload", "namespace", "host", "finding") and self.after in ("", "absent"):
            return f"{self.subject}: {'fixed' if self.what == 'finding' else 'gone'}"
        return f"{self.subject}: {'status' if self.what == 'host' else self.what} {self.before} -> {self.after}"


def workload_postures(np: NamespacePosture, state: ClusterState) -> dict[str, WorkloadPosture]:
    """The namespace's pods grouped by the workload users know them by."""
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(np.pods):
        groups.setdefault(workload_label(display_workload(state, p.subject)), []).append(i)
    out: dict[str, WorkloadPosture] = {}
    for name, idx in groups.items():
        pods = [np.pods[i] for i in idx]
        n = len(pods)
        most = min(_CLASSES.index(p.egress.cls) for p in pods)
        blocked = sum(not p.egress.dns for p in pods)
        dns = "ok" if not blocked else ("blocked" if blocked == n else f"{blocked}/{n} blocked")
        out[name] = WorkloadPosture(n, _CLASSES[most].value, dns,
                                    level(sum(p.ingress_isolated for p in pods), n),
                                    level(sum(p.egress_isolated for p in pods), n))
    return out


def snapshot(np: NamespacePosture | None, state: ClusterState, namespace: str = "",
             hosts: Iterable[tuple[str, str]] | None = None,
             found: Iterable[Finding] | None = None) -> NamespaceSnapshot:
    """A namespace's snapshot from its posture, its hosts' (label, status) and its findings."""
    ns = np.namespace if np is not None else namespace
    return NamespaceSnapshot(
        ns,
        workload_postures(np, state) if np is not None else {},
        dict(hosts) if hosts is not None else None,
        {f.key: f"{f.code} {f.object.kind} {f.object.name}" for f in found} if found is not None else None,
    )


_FIELDS = (("egress", "egress"), ("DNS", "dns"), ("ingress isolation", "ingress_isolated"),
           ("egress isolation", "egress_isolated"))


def _workload_changes(ns: str, before: Mapping[str, WorkloadPosture], after: Mapping[str, WorkloadPosture],
                      causes: tuple[Cause, ...]) -> list[PostureChange]:
    out = []
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name), after.get(name)
        if b is None and a is not None:
            out.append(PostureChange(ns, name, "workload", "absent", f"egress {a.egress}", causes))
        elif a is None:
            out.append(PostureChange(ns, name, "workload", "present", "absent", causes))
        else:
            for what, attr in _FIELDS:
                if getattr(b, attr) != getattr(a, attr):
                    out.append(PostureChange(ns, name, what, getattr(b, attr), getattr(a, attr), causes))
    return out


def posture_changes(before: NamespaceSnapshot | None, after: NamespaceSnapshot | None,
                    causes: Iterable[Cause] = ()) -> list[PostureChange]:
    """Every change from `before` to `after` (None: the namespace did not exist)."""
    why = tuple(dict.fromkeys(causes))
    if before is None and after is None:
        return []
    if before is None or after is None:
        ns = (after or before).namespace  # type: ignore[union-attr]
        return [PostureChange(ns, "namespace", "namespace", "absent" if before is None else "present",
                              "absent" if after is None else "present", why)]
    ns = after.namespace
    out = [] if before.workloads is after.workloads else _workload_changes(ns, before.workloads, after.workloads, why)
    if before.hosts is not None and after.hosts is not None:
        for host in sorted(set(before.hosts) | set(after.hosts)):
            b, a = before.hosts.get(host, ""), after.hosts.get(host, "")
            if b != a:
                out.append(PostureChange(ns, f"host {host}", "host", b or "absent", a or "absent", why))
    if before.findings is not None and after.findings is not None:
        for key in sorted(set(before.findings) ^ set(after.findings)):
            text = after.findings.get(key) or before.findings.get(key, "")
            new = key in after.findings
            out.append(PostureChange(ns, f"finding {text}", "finding", "" if new else "present",
                                     "present" if new else "", why))
    return out


def causes_of(changes: Iterable[object]) -> dict[str, list[Cause]]:
    """Store changes (ktui.store.Change) as causes per namespace (a Namespace change under its name)."""
    out: dict[str, list[Cause]] = {}
    for c in changes:
        kind, ns, name = getattr(c, "kind", ""), getattr(c, "namespace", ""), getattr(c, "name", "")
        old, new = getattr(c, "old", None), getattr(c, "new", None)
        verb = "added" if old is None else "removed" if new is None else "changed"
        out.setdefault(name if kind == "Namespace" else ns, []).append(Cause(kind, ns, name, verb))
    return out
