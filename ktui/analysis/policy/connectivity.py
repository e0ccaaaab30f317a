"""The workload-level connectivity list: who may open what to whom, with external IP ranges.

Three things keep it fast on big clusters:
- pods that no policy can tell apart (same workload, namespace, labels, ports and the same
  ipBlocks holding their IPs) are evaluated once, through one representative;
- each rule's peers are resolved once to the set of representatives they match, and a
  destination whose ingress is isolated only looks at the sources its rules name;
- PortSets are immutable and their algebra memoized, since few distinct sets occur.
Admin policies add first-match tiers around NetworkPolicy (adminpolicy.combine); a side that no
admin policy selects keeps the plain NetworkPolicy path.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ktui.analysis.core.portset import ALL, EMPTY, PortSet
from ktui.analysis.core.subjects import ExternalRange, Subject, WorkloadId, cluster_subjects
from ktui.analysis.policy.admin_rules import ALLOW, CompiledAdminPolicy
from ktui.analysis.policy.connsides import AdminPath, Matched, NamedPorts, Side
from ktui.analysis.policy.engine import NetpolEngine
from ktui.analysis.policy.netpol_rules import (
    CompiledBlock,
    CompiledPolicy,
    CompiledRule,
    named_ports,
    peer_matches_external,
    peer_matches_subject,
)
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
    for version, cuts in sorted(points.items()):
        lo, hi = UNIVERSE[version]
        start = lo
        for edge in sorted(p for p in cuts if lo < p <= hi):
            ranges.append(ExternalRange(version, start, edge - 1))
            start = edge
        ranges.append(ExternalRange(version, start, hi))
    return ranges


def _blocks(policies: Iterable[CompiledPolicy], direction: str | None) -> list[CompiledBlock]:
    out: list[CompiledBlock] = []
    for cp in policies:
        for d in ("ingress", "egress") if direction is None else (direction,):
            for rule in cp.rules(d):
                out.extend(p.block for p in rule.peers or () if p.block is not None)
    return out


def _admin_blocks(policies: Iterable[CompiledAdminPolicy], direction: str | None) -> list[CompiledBlock]:
    """The CIDRs of admin `networks` peers (egress only, by the API)."""
    return [b for cp in policies for d in ("ingress", "egress") if direction in (None, d)
            for rule in cp.rules(d) for p in rule.peers for b in p.blocks]


class ConnectivityBuilder:
    def __init__(self, state: ClusterState, engine: NetpolEngine | None = None) -> None:
        self.state = state
        self.engine = engine or NetpolEngine(state)
        self.policies = [cp for ns in state.namespace_names() for cp in self.engine.policies_in(ns)]
        self.admin_policies = self.engine.admin_tiers().all()
        self.reps = self._representatives(cluster_subjects(state))
        self._ports: list[NamedPorts] = [named_ports(s) for s in self.reps]
        self._by_ns: dict[str, list[int]] = {}
        for i, s in enumerate(self.reps):
            self._by_ns.setdefault(s.namespace, []).append(i)
        self._hits: dict[tuple[int, int], frozenset[int]] = {}
        self._sides: dict[tuple[int, str], Side] = {}
        self._range_cache: dict[str, list[ExternalRange]] = {}
        self.admin: AdminPath | None = None  # the admin tiers' path, only when the state has admin policies
        if self.admin_policies:
            self.admin = AdminPath(self.engine, self.reps, self._ports, self.external_ranges)

    def _representatives(self, subjects: list[Subject]) -> list[Subject]:
        """One subject per class of pods that every policy treats alike."""
        ips = sorted(int(ip) for s in subjects for ip in s.ips if ip.version == 4)
        blocks = _blocks(self.policies, None) + _admin_blocks(self.admin_policies, None)
        relevant = [b for b in blocks if any(
            v != 4 or bisect.bisect_left(ips, lo) < bisect.bisect_right(ips, hi)
            for v, lo, hi in b.intervals
        )]
        seen: set[object] = set()
        reps = []
        for s in subjects:
            in_blocks = frozenset(
                i for i, b in enumerate(relevant) if any(b.contains_ip(ip) for ip in s.ips)
            )
            key = (s.workload, s.namespace, frozenset(s.labels.items()), s.ports, in_blocks)
            if key not in seen:
                seen.add(key)
                reps.append(s)
        return reps

    def _rule_hits(self, cp: CompiledPolicy, rule: CompiledRule) -> frozenset[int]:
        key = (id(cp), id(rule))
        found = self._hits.get(key)
        if found is not None:
            return found
        hit: set[int] = set()
        ns_labels = self.engine.ns_labels
        for peer in rule.peers or ():
            if peer.block is not None:
                candidates: Iterable[int] = (i for i, s in enumerate(self.reps) if s.ips)
            elif peer.namespace_selector is None:
                candidates = self._by_ns.get(cp.namespace, ())
            else:
                sel = peer.namespace_selector
                candidates = (i for ns, idx in self._by_ns.items() if sel.matches(ns_labels(ns)) for i in idx)
            hit.update(
                i for i in candidates
                if i not in hit and peer_matches_subject(peer, cp.namespace, self.reps[i], ns_labels)
            )
        found = self._hits[key] = frozenset(hit)
        return found

    def _side(self, i: int, direction: str) -> Side:
        side = self._sides.get((i, direction))
        if side is None:
            policies = self.engine.selecting(self.reps[i], direction)
            rules = [
                (rule, None if rule.peers is None else self._rule_hits(cp, rule))
                for cp in policies
                for rule in cp.rules(direction)
            ]
            side = self._sides[(i, direction)] = Side(bool(policies), rules)
            if self.admin is not None:
                self.admin.attach(side, i, direction, policies)
        return side

    def _allowed(self, side: Side, other: int, dst: int, index: dict[int, Matched] | None = None) -> PortSet:
        """What `side` allows with representative `other`; ports resolved on the destination `dst`."""
        if side.admin is None:
            if not side.isolated:
                return ALL
            out = EMPTY
            for rule, hits in side.rules:
                if hits is None or other in hits:
                    out = out | (rule.numeric if not rule.has_named_ports else rule.port_set(self._ports[dst]))
            return out
        assert self.admin is not None
        return self.admin.allowed(side, other, dst, index)

    def build(self, focus: WorkloadId | None = None) -> list[Connection]:
        pairs: dict[tuple[str, str], PortSet] = {}

        def add(src: str, dst: str, conns: PortSet) -> None:
            if conns:
                old = pairs.get((src, dst))
                pairs[(src, dst)] = conns if old is None else old | conns

        reps = self.reps
        names = [str(s.workload) for s in reps]
        focus_idx = [i for i, s in enumerate(reps) if focus is None or s.workload == focus]
        if focus is not None:
            # One workload: pair it with every other representative through the engine directly;
            # resolving every rule's peers for the whole cluster would cost more than it saves.
            for f in focus_idx:
                for o, other in enumerate(reps):
                    if other.workload != focus:
                        add(names[f], names[o], self.engine.connection(reps[f], other))
                        add(names[o], names[f], self.engine.connection(other, reps[f]))
        else:
            for d in range(len(reps)):
                ing = self._side(d, "ingress")
                if not ing.isolated or any(h is None for _, h in ing.rules):
                    sources: Iterable[int] = range(len(reps))
                else:  # only the peers of NetworkPolicy rules, and of admin Allow rules, can get in
                    named = [h for _, h in ing.rules if h is not None]
                    named += [h for r, h in ing.admin or () if r.verdict == ALLOW]
                    sources = sorted(set().union(*named))
                index = self.admin.index(ing) if self.admin and ing.admin is not None else None  # this d only
                for s in sources:
                    if reps[s].workload == reps[d].workload:
                        continue
                    conns = self._allowed(ing, s, d, index)
                    if conns:
                        conns = conns & self._allowed(self._side(s, "egress"), d, d)
                        add(names[s], names[d], conns)
        self._external(focus_idx, names, add)
        return [Connection(s, d, c) for (s, d), c in sorted(pairs.items())]

    def external_ranges(self, direction: str) -> list[ExternalRange]:
        """Address ranges cut at every boundary in play for the direction (sources: ingress
        ipBlocks; destinations: egress ipBlocks, admin networks and selected node addresses)."""
        cached = self._range_cache.get(direction)
        if cached is not None:
            return cached
        blocks = _blocks(self.policies, direction) + _admin_blocks(self.admin_policies, direction)
        points = [p for b in blocks for p in b.boundaries()]
        versions = {v for b in blocks for v, _, _ in b.intervals}
        if direction == "egress":
            for cp in self.admin_policies:
                for rule in cp.egress_rules:
                    for peer in rule.peers:
                        if peer.node_selector is not None:
                            for version, addr in self.engine.admin.node_addresses(peer.node_selector):
                                points += [(version, addr), (version, addr + 1)]
                                versions.add(version)
        cached = self._range_cache[direction] = split_ranges(points, versions)
        return cached

    def _external(self, targets: list[int], names: list[str], add: Callable[[str, str, PortSet], None]) -> None:
        path = self.admin
        for direction in ("ingress", "egress"):
            ranges = self.external_ranges(direction)
            labels = [str(r) for r in ranges]
            for i in targets:
                side = self._side(i, direction)
                # ingress: the pod is the destination and resolves its own named ports;
                # egress to an address: a named port resolves to nothing
                dst = i if direction == "ingress" else None
                dst_ports = self._ports[i] if direction == "ingress" else {}
                admin = path.range_matches(side, direction) if path and side.admin is not None else None
                for k, (r, label) in enumerate(zip(ranges, labels, strict=True)):
                    conns = self._external_allowed(side, r, dst_ports)
                    if path is not None and admin is not None:
                        conns = path.tiers(side, ((), *admin[k]), dst, None if not side.isolated else conns)
                    if direction == "ingress":
                        add(label, names[i], conns)
                    else:
                        add(names[i], label, conns)

    @staticmethod
    def _external_allowed(side: Side, r: ExternalRange, dst_ports: NamedPorts) -> PortSet:
        """NetworkPolicy: only rules with no peers, or with an ipBlock holding the whole range, match addresses."""
        if not side.isolated:
            return ALL
        out = EMPTY
        for rule, hits in side.rules:
            if hits is None or any(peer_matches_external(p, r) for p in rule.peers or ()):
                out = out | (rule.numeric if not rule.has_named_ports else rule.port_set(dst_ports))
        return out


def connectivity(
    state: ClusterState, engine: NetpolEngine | None = None, focus: WorkloadId | None = None
) -> list[Connection]:
    """Every allowed workload pair (and external range), sorted by source then destination."""
    return ConnectivityBuilder(state, engine).build(focus)
