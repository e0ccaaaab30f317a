"""The workload-level connectivity list: who may open what to whom, with external IP ranges.

Built per destination and per source rather than per pair: a destination whose ingress is
isolated only needs the sources its rules name, so well-policied clusters cost far less than
N x N; the PortSet algebra is memoized because few distinct sets occur.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ktui.analysis.netpol import NetpolEngine
from ktui.analysis.policyrules import CompiledPolicy, CompiledRule, named_ports
from ktui.analysis.portset import ALL, EMPTY, PortSet
from ktui.analysis.subjects import ExternalRange, Subject, WorkloadId, cluster_subjects
from ktui.store import ClusterState

UNIVERSE = {4: (0, 2**32 - 1), 6: (0, 2**128 - 1)}


@dataclass(frozen=True, slots=True)
class Connection:
    src: str
    dst: str
    conns: PortSet

    def line(self) -> str:
        return f"{self.src} => {self.dst} : {self.conns.describe()}"

    def to_json(self) -> dict[str, object]:
        return {"src": self.src, "dst": self.dst, "conns": self.conns.to_json()}


def split_ranges(boundaries: Iterable[tuple[int, int]], versions: set[int]) -> list[ExternalRange]:
    """Cut each address family's universe at the given points; IPv4 always, IPv6 when used."""
    points: dict[int, set[int]] = {v: set() for v in versions | {4}}
    for version, point in boundaries:
        points.setdefault(version, set()).add(point)
    ranges = []
    for version, cuts in points.items():
        lo, hi = UNIVERSE[version]
        edges = sorted(p for p in cuts if lo < p <= hi)
        start = lo
        for edge in edges:
            ranges.append(ExternalRange(version, start, edge - 1))
            start = edge
        ranges.append(ExternalRange(version, start, hi))
    return ranges


def _block_points(policies: Iterable[CompiledPolicy], direction: str) -> tuple[list[tuple[int, int]], set[int]]:
    points: list[tuple[int, int]] = []
    versions: set[int] = set()
    for cp in policies:
        for rule in cp.rules(direction):
            for peer in rule.peers or ():
                if peer.block is not None:
                    points.extend(peer.block.boundaries())
                    versions.update(v for v, _, _ in peer.block.intervals)
    return points, versions


class _Side:
    """One subject's rules for one direction, pre-sorted into 'any peer' and 'named peers'."""

    __slots__ = ("any_rules", "isolated", "specific")

    def __init__(self) -> None:
        self.isolated = False
        self.any_rules: list[CompiledRule] = []
        self.specific: dict[int, list[CompiledRule]] = defaultdict(list)


class ConnectivityBuilder:
    def __init__(self, state: ClusterState, engine: NetpolEngine | None = None) -> None:
        self.state = state
        self.engine = engine or NetpolEngine(state)
        self.subjects = cluster_subjects(state)
        self._index = {id(s): i for i, s in enumerate(self.subjects)}
        self._by_ns: dict[str, list[Subject]] = defaultdict(list)
        for s in self.subjects:
            self._by_ns[s.namespace].append(s)
        self._peer_cache: dict[tuple[int, int, int], list[int]] = {}
        self._ports = [named_ports(s) for s in self.subjects]

    def _peer_subjects(self, cp: CompiledPolicy, rule: CompiledRule, peer_i: int) -> list[int]:
        key = (id(cp), id(rule), peer_i)
        found = self._peer_cache.get(key)
        if found is not None:
            return found
        assert rule.peers is not None
        peer = rule.peers[peer_i]
        if peer.block is not None:
            candidates: Iterable[Subject] = (s for s in self.subjects if s.ips)
        elif peer.namespace_selector is None:
            candidates = self._by_ns.get(cp.namespace, ())
        else:
            nss = [
                ns for ns in self._by_ns
                if peer.namespace_selector.matches(self.engine.ns_labels(ns))
            ]
            candidates = (s for ns in nss for s in self._by_ns[ns])
        from ktui.analysis.policyrules import peer_matches_subject

        found = [
            self._index[id(s)]
            for s in candidates
            if peer_matches_subject(peer, cp.namespace, s, self.engine.ns_labels)
        ]
        self._peer_cache[key] = found
        return found

    def _side(self, subject: Subject, direction: str) -> _Side:
        side = _Side()
        for cp in self.engine.selecting(subject, direction):
            side.isolated = True
            for rule in cp.rules(direction):
                if rule.peers is None:
                    side.any_rules.append(rule)
                    continue
                hit: set[int] = set()
                for peer in rule.peers:
                    hit.update(self._peer_subjects(cp, rule, peer.index))
                for i in hit:
                    side.specific[i].append(rule)
        return side

    @staticmethod
    def _ports_of(rules: Iterable[CompiledRule], dst_ports: dict[tuple[str, str], tuple[int, ...]] | None) -> PortSet:
        out = EMPTY
        for rule in rules:
            out = out | rule.port_set(dst_ports)
        return out

    def build(self, focus: WorkloadId | None = None) -> list[Connection]:
        subjects = self.subjects
        ingress = [self._side(s, "ingress") for s in subjects]
        egress = [self._side(s, "egress") for s in subjects]
        pairs: dict[tuple[str, str], PortSet] = {}

        def add(src: str, dst: str, conns: PortSet) -> None:
            if conns:
                old = pairs.get((src, dst))
                pairs[(src, dst)] = conns if old is None else old | conns

        n = len(subjects)
        for d, dst in enumerate(subjects):
            ing = ingress[d]
            dst_ports = self._ports[d]
            any_in = self._ports_of(ing.any_rules, dst_ports) if ing.isolated else ALL
            sources: Iterable[int] = range(n) if any_in else ing.specific.keys()
            for s in sources:
                src = subjects[s]
                if src.workload == dst.workload:
                    continue
                if focus is not None and focus not in (src.workload, dst.workload):
                    continue
                allowed_in = any_in
                if ing.isolated and s in ing.specific:
                    allowed_in = allowed_in | self._ports_of(ing.specific[s], dst_ports)
                if not allowed_in:
                    continue
                eg = egress[s]
                if eg.isolated:
                    allowed_out = self._ports_of(eg.any_rules, dst_ports)
                    if d in eg.specific:
                        allowed_out = allowed_out | self._ports_of(eg.specific[d], dst_ports)
                    allowed_in = allowed_in & allowed_out
                add(str(src.workload), str(dst.workload), allowed_in)
        self._external(focus, add)
        return [Connection(s, d, c) for (s, d), c in sorted(pairs.items())]

    def _external(self, focus: WorkloadId | None, add: object) -> None:
        assert callable(add)
        policies = [cp for ns in self.state.namespace_names() for cp in self.engine.policies_in(ns)]
        for direction in ("ingress", "egress"):
            points, versions = _block_points(policies, direction)
            ranges = split_ranges(points, versions)
            for subject in self.subjects:
                if focus is not None and subject.workload != focus:
                    continue
                for r in ranges:
                    conns = self.engine.allowed_ports(subject, r, direction)
                    if direction == "ingress":
                        add(str(r), str(subject.workload), conns)
                    else:
                        add(str(subject.workload), str(r), conns)


def connectivity(
    state: ClusterState, engine: NetpolEngine | None = None, focus: WorkloadId | None = None
) -> list[Connection]:
    """Every allowed workload pair (and external range), sorted by source then destination."""
    return ConnectivityBuilder(state, engine).build(focus)
