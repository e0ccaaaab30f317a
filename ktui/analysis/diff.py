"""What a change does to posture: OLD and NEW states compared, for release reviews.

Four views, all read from each side's Analysis: exposed entries added or removed, egress class
per workload, allowed connections (the connectivity list, compared by structure: workloads and
address ranges, never their text) and findings (by their key, so wording and line numbers do
not count as change). External address ranges are cut at the ipBlock boundaries of both sides
before comparing, so a new ipBlock that splits 0.0.0.0/0 does not read as a change by itself.

NEW "widens" OLD when it allows a connection OLD did not (a new workload's too), a workload's
egress class gets more open, or an entry is newly exposed.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ktui.analysis.analysis import Analysis
from ktui.analysis.core.portset import EMPTY, PortSet, difference
from ktui.analysis.core.subjects import ExternalRange, WorkloadId
from ktui.analysis.exposure.entries import Exposure
from ktui.analysis.findings import Finding
from ktui.analysis.policy import EgressClass, EgressPosture
from ktui.store import ClusterState


def minus(a: PortSet, b: PortSet) -> PortSet:
    """The ports in a and not in b."""
    return difference(a, b)


@dataclass(frozen=True, slots=True)
class ConnChange:
    """One pair whose allowed ports changed: `delta` is what was added (or removed)."""

    src: str
    dst: str
    delta: PortSet
    old: PortSet
    new: PortSet

    def to_json(self) -> dict[str, object]:
        return {"src": self.src, "dst": self.dst, "ports": self.delta.to_json(),
                "old": self.old.to_json(), "new": self.new.to_json()}


@dataclass(frozen=True, slots=True)
class EgressChange:
    workload: str
    old: EgressClass | None  # None: the workload is not in OLD
    new: EgressClass | None
    old_dns: bool | None
    new_dns: bool | None

    @property
    def widened(self) -> bool:
        return self.old is not None and self.new is not None and self.new.rank < self.old.rank

    def to_json(self) -> dict[str, object]:
        return {"workload": self.workload, "old": self.old.value if self.old else None,
                "new": self.new.value if self.new else None, "oldDns": self.old_dns, "newDns": self.new_dns,
                "widened": self.widened}


@dataclass(frozen=True, slots=True)
class HostChange:
    namespace: str
    source: str
    host: str
    port: int | None
    protocol: str
    path: str

    def __str__(self) -> str:
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.protocol} {self.host}{port}{self.path} ({self.source})"

    def to_json(self) -> dict[str, object]:
        return {"namespace": self.namespace, "source": self.source, "host": self.host, "port": self.port,
                "protocol": self.protocol, "path": self.path}


@dataclass(frozen=True)
class PostureDiff:
    hosts_added: list[HostChange] = field(default_factory=list)
    hosts_removed: list[HostChange] = field(default_factory=list)
    egress_changes: list[EgressChange] = field(default_factory=list)
    connections_added: list[ConnChange] = field(default_factory=list)
    connections_removed: list[ConnChange] = field(default_factory=list)
    findings_added: list[Finding] = field(default_factory=list)
    findings_fixed: list[Finding] = field(default_factory=list)

    @property
    def widening(self) -> bool:
        return bool(self.connections_added or self.hosts_added or any(e.widened for e in self.egress_changes))

    @property
    def empty(self) -> bool:
        return not (self.hosts_added or self.hosts_removed or self.egress_changes or self.connections_added
                    or self.connections_removed or self.findings_added or self.findings_fixed)


# ------------------------------------------------------------------ connections
End = WorkloadId | ExternalRange


@dataclass(frozen=True, slots=True)
class Edge:
    """One allowed pair, by structure: workloads under their outermost owner, or address ranges."""

    src: End
    dst: End
    conns: PortSet


def top_names(analysis: Analysis) -> dict[WorkloadId, WorkloadId]:
    """`ns/rs[ReplicaSet]` -> `ns/deploy[Deployment]` (and Job -> CronJob) where the owner is in view,
    so a live cluster's pods and rendered manifests' workloads compare under the same names."""
    out: dict[WorkloadId, WorkloadId] = {}
    for s in analysis.subjects:
        if s.workload not in out:
            top = analysis.check_context.top_workload(s.workload)
            out[s.workload] = WorkloadId(top.namespace, top.name, top.kind)
    return out


def edges(analysis: Analysis) -> list[Edge]:
    """The connectivity list, structured and under the outermost owners' names; pairs that meet
    are merged, and a workload talking to itself (two ReplicaSets of a rollout) is left out."""
    ends, names = analysis.connection_ends, top_names(analysis)
    merged: dict[tuple[End, End], PortSet] = {}
    for c in analysis.connectivity:
        src, dst = ends[c.src], ends[c.dst]
        if isinstance(src, WorkloadId):
            src = names.get(src, src)
        if isinstance(dst, WorkloadId):
            dst = names.get(dst, dst)
        if src == dst:
            continue
        merged[(src, dst)] = merged.get((src, dst), EMPTY) | c.conns
    return [Edge(src, dst, ports) for (src, dst), ports in merged.items()]


Side = dict[tuple[WorkloadId, WorkloadId], PortSet]  # between workloads
Ranged = list[tuple[ExternalRange, PortSet]]
ExtSide = dict[tuple[WorkloadId, str, bool], Ranged]  # (workload, direction, external end is the source)


def _split(conns: Iterable[Edge]) -> tuple[Side, ExtSide]:
    """Internal pairs, and per (workload, direction) the external ranges with their ports."""
    internal: Side = {}
    external: ExtSide = defaultdict(list)
    for c in conns:
        if isinstance(c.src, ExternalRange) and isinstance(c.dst, WorkloadId):
            external[(c.dst, "ingress", True)].append((c.src, c.conns))
        elif isinstance(c.dst, ExternalRange) and isinstance(c.src, WorkloadId):
            external[(c.src, "egress", False)].append((c.dst, c.conns))
        elif isinstance(c.src, WorkloadId) and isinstance(c.dst, WorkloadId):
            internal[(c.src, c.dst)] = c.conns
    return internal, external


def _ports_at(ranges: Ranged, version: int, point: int) -> PortSet:
    for r, ports in ranges:
        if r.version == version and r.first <= point <= r.last:
            return ports
    return EMPTY


def _external_changes(old: Ranged, new: Ranged) -> list[tuple[ExternalRange, PortSet, PortSet]]:
    """(range, old ports, new ports) over the common refinement, merged where nothing differs."""
    cuts: dict[int, set[int]] = defaultdict(set)
    for r, _ in (*old, *new):
        cuts[r.version].update((r.first, r.last + 1))
    out: list[tuple[ExternalRange, PortSet, PortSet]] = []
    for version, points in cuts.items():
        edges_ = sorted(points)
        for lo, nxt in itertools.pairwise(edges_):
            o, n = _ports_at(old, version, lo), _ports_at(new, version, lo)
            prev = out[-1] if out else None
            if prev and prev[0].version == version and prev[0].last + 1 == lo and (prev[1], prev[2]) == (o, n):
                out[-1] = (ExternalRange(version, prev[0].first, nxt - 1), o, n)
            else:
                out.append((ExternalRange(version, lo, nxt - 1), o, n))
    return [c for c in out if c[1] != c[2]]


def connection_changes(old: Iterable[Edge], new: Iterable[Edge]) -> tuple[list[ConnChange], list[ConnChange]]:
    """(added, removed): per pair, the ports NEW allows that OLD did not, and the reverse."""
    old_in, old_ext = _split(old)
    new_in, new_ext = _split(new)
    triples: list[tuple[str, str, PortSet, PortSet]] = []
    for a, b in set(old_in) | set(new_in):
        triples.append((str(a), str(b), old_in.get((a, b), EMPTY), new_in.get((a, b), EMPTY)))
    for key in set(old_ext) | set(new_ext):
        workload, _, is_src = key
        for r, o, n in _external_changes(old_ext.get(key, []), new_ext.get(key, [])):
            src, dst = (str(r), str(workload)) if is_src else (str(workload), str(r))
            triples.append((src, dst, o, n))
    added, removed = [], []
    for src, dst, o, n in triples:
        plus, less = minus(n, o), minus(o, n)
        if plus:
            added.append(ConnChange(src, dst, plus, o, n))
        if less:
            removed.append(ConnChange(src, dst, less, o, n))
    key_fn = lambda c: (c.src, c.dst)  # noqa: E731
    return sorted(added, key=key_fn), sorted(removed, key=key_fn)


# ------------------------------------------------------------------ egress and hosts
def workload_egress(analysis: Analysis) -> dict[str, EgressPosture]:
    """The most open egress posture among each workload's pods (DNS: ok only if ok for all)."""
    names = top_names(analysis)
    out: dict[str, EgressPosture] = {}
    for s in analysis.subjects:
        if s.host_network:
            continue
        p = analysis.egress(s)
        name = str(names.get(s.workload, s.workload))
        prev = out.get(name)
        if prev is None or p.cls.rank < prev.cls.rank or (p.cls == prev.cls and not p.dns):
            out[name] = p
    return out


def egress_changes(old: Analysis, new: Analysis) -> list[EgressChange]:
    a, b = workload_egress(old), workload_egress(new)
    out = []
    for name in sorted(set(a) | set(b)):
        pa, pb = a.get(name), b.get(name)
        ca, cb = (pa.cls if pa else None), (pb.cls if pb else None)
        da, db = (pa.dns if pa else None), (pb.dns if pb else None)
        if pa is None or pb is None or ca != cb or da != db:
            out.append(EgressChange(name, ca, cb, da, db))
    return out


def _host(e: Exposure) -> HostChange:
    return HostChange(e.namespace, e.source, e.host, e.port, e.protocol, e.path)


def host_changes(old: Analysis, new: Analysis) -> tuple[list[HostChange], list[HostChange]]:
    a = {_host(e) for e in old.hosts()}
    b = {_host(e) for e in new.hosts()}
    key = lambda h: (h.namespace, h.host, h.port or 0, h.path, h.source)  # noqa: E731
    return sorted(b - a, key=key), sorted(a - b, key=key)


def diff_states(old: Analysis | ClusterState, new: Analysis | ClusterState) -> PostureDiff:
    """NEW against OLD. Give each side's Analysis (built with the same `complete`, and with the
    loader's problems); a bare ClusterState is analysed as manifests."""
    old = old if isinstance(old, Analysis) else Analysis.of(old)
    new = new if isinstance(new, Analysis) else Analysis.of(new)
    added, removed = connection_changes(edges(old), edges(new))
    hosts_added, hosts_removed = host_changes(old, new)
    fa = {f.key: f for f in old.findings}
    fb = {f.key: f for f in new.findings}
    return PostureDiff(
        hosts_added=hosts_added,
        hosts_removed=hosts_removed,
        egress_changes=egress_changes(old, new),
        connections_added=added,
        connections_removed=removed,
        findings_added=[f for k, f in fb.items() if k not in fa],
        findings_fixed=[f for k, f in fa.items() if k not in fb],
    )


__all__ = [
    "ConnChange",
    "Edge",
    "EgressChange",
    "HostChange",
    "PostureDiff",
    "connection_changes",
    "diff_states",
    "edges",
    "minus",
    "top_names",
]
