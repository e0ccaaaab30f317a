"""What a change does to posture: OLD and NEW states compared, for release reviews.

Four views: exposed entries added or removed (exposure module), egress class per workload,
allowed connections (connectivity list) and findings (by their key, so wording and line numbers
do not count as change). External address ranges are cut at the ipBlock boundaries of both sides
before comparing, so a new ipBlock that splits 0.0.0.0/0 does not read as a change by itself.

NEW "widens" OLD when it allows a connection OLD did not (a new workload's too), a workload's
egress class gets more open, or an entry is newly exposed.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ktui.analysis.core.portset import EMPTY, PortSet, difference
from ktui.analysis.core.subjects import ExternalRange, WorkloadId
from ktui.analysis.exposure.entries import Exposure, exposures
from ktui.analysis.findings.catalogue import Finding
from ktui.analysis.findings.checks import ProblemLike, findings
from ktui.analysis.findings.context import CheckContext
from ktui.analysis.policy.connectivity import Connection, connectivity
from ktui.analysis.policy.egress import EgressClass, EgressPosture, dns_subjects, egress_posture
from ktui.store import ClusterState

EXTERNAL = "[External]"


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
def _parse_range(text: str) -> ExternalRange | None:
    if not text.endswith(EXTERNAL):
        return None
    first, _, last = text[: -len(EXTERNAL)].partition("-")
    a, b = ipaddress.ip_address(first), ipaddress.ip_address(last)
    return ExternalRange(a.version, int(a), int(b))


Side = dict[tuple[str, str], PortSet]  # (src, dst) -> ports between workloads
Ranged = list[tuple[ExternalRange, PortSet]]
ExtSide = dict[tuple[str, str, bool], Ranged]  # (workload, direction, external end is the source)


def _split(conns: Iterable[Connection]) -> tuple[Side, ExtSide]:
    """Internal pairs, and per (workload, direction) the external ranges with their ports."""
    internal: Side = {}
    external: ExtSide = defaultdict(list)
    for c in conns:
        src_r, dst_r = _parse_range(c.src), _parse_range(c.dst)
        if src_r is not None:
            external[(c.dst, "ingress", True)].append((src_r, c.conns))
        elif dst_r is not None:
            external[(c.src, "egress", False)].append((dst_r, c.conns))
        else:
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
        edges = sorted(points)
        for lo, nxt in itertools.pairwise(edges):
            o, n = _ports_at(old, version, lo), _ports_at(new, version, lo)
            prev = out[-1] if out else None
            if prev and prev[0].version == version and prev[0].last + 1 == lo and (prev[1], prev[2]) == (o, n):
                out[-1] = (ExternalRange(version, prev[0].first, nxt - 1), o, n)
            else:
                out.append((ExternalRange(version, lo, nxt - 1), o, n))
    return [c for c in out if c[1] != c[2]]


def connection_changes(
    old: Iterable[Connection], new: Iterable[Connection]
) -> tuple[list[ConnChange], list[ConnChange]]:
    """(added, removed): per pair, the ports NEW allows that OLD did not, and the reverse."""
    old_in, old_ext = _split(old)
    new_in, new_ext = _split(new)
    triples: list[tuple[str, str, PortSet, PortSet]] = []
    for pair in sorted(set(old_in) | set(new_in)):
        triples.append((*pair, old_in.get(pair, EMPTY), new_in.get(pair, EMPTY)))
    for key in sorted(set(old_ext) | set(new_ext)):
        workload, _, is_src = key
        for r, o, n in _external_changes(old_ext.get(key, []), new_ext.get(key, [])):
            src, dst = (str(r), workload) if is_src else (workload, str(r))
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


def top_names(state: ClusterState) -> dict[str, str]:
    """`ns/rs[ReplicaSet]` -> `ns/deploy[Deployment]` (and Job -> CronJob) where the owner is in view,
    so a live cluster's pods and rendered manifests' workloads compare under the same names."""
    ctx = CheckContext(state)
    out: dict[str, str] = {}
    for s in ctx.subjects:
        name = str(s.workload)
        if name not in out:
            top = ctx.top_workload(s.workload)
            out[name] = str(WorkloadId(top.namespace, top.name, top.kind))
    return out


def rename(conns: Iterable[Connection], names: dict[str, str]) -> list[Connection]:
    """The connections under the outermost owners' names; pairs that meet are merged."""
    merged: dict[tuple[str, str], PortSet] = {}
    for c in conns:
        src, dst = names.get(c.src, c.src), names.get(c.dst, c.dst)
        if src == dst:
            continue  # two ReplicaSets of one Deployment (a rollout) talking: the same workload
        merged[(src, dst)] = merged.get((src, dst), EMPTY) | c.conns
    return [Connection(src, dst, ports) for (src, dst), ports in merged.items()]


# ------------------------------------------------------------------ egress and hosts
def workload_egress(state: ClusterState) -> dict[str, EgressPosture]:
    """The most open egress posture among each workload's pods (DNS: ok only if ok for all)."""
    ctx = CheckContext(state)
    dns = dns_subjects(state)
    out: dict[str, EgressPosture] = {}
    for s in ctx.subjects:
        if s.host_network:
            continue
        p = egress_posture(ctx.engine, s, dns)
        top = ctx.top_workload(s.workload)
        name = str(WorkloadId(top.namespace, top.name, top.kind))
        prev = out.get(name)
        if prev is None or p.cls.rank < prev.cls.rank or (p.cls == prev.cls and not p.dns):
            out[name] = p
    return out


def egress_changes(old: ClusterState, new: ClusterState) -> list[EgressChange]:
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


def host_changes(old: ClusterState, new: ClusterState) -> tuple[list[HostChange], list[HostChange]]:
    a = {_host(e) for e in exposures(old)}
    b = {_host(e) for e in exposures(new)}
    key = lambda h: (h.namespace, h.host, h.port or 0, h.path, h.source)  # noqa: E731
    return sorted(b - a, key=key), sorted(a - b, key=key)


def diff_states(
    old: ClusterState,
    new: ClusterState,
    *,
    old_problems: Iterable[ProblemLike] = (),
    new_problems: Iterable[ProblemLike] = (),
    complete: bool = False,
) -> PostureDiff:
    added, removed = connection_changes(rename(connectivity(old), top_names(old)),
                                        rename(connectivity(new), top_names(new)))
    hosts_added, hosts_removed = host_changes(old, new)
    fa = {f.key: f for f in findings(old, old_problems, complete=complete)}
    fb = {f.key: f for f in findings(new, new_problems, complete=complete)}
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
    "EgressChange",
    "HostChange",
    "PostureDiff",
    "connection_changes",
    "diff_states",
    "minus",
    "rename",
    "top_names",
]
