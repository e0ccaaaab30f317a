"""The workload-level connectivity list: who may open what to whom, with external IP ranges.

Generic over the tiers (connsides.py). Three things keep it fast on big clusters:
- pods that no policy can tell apart (same workload, namespace, labels, ports, host network and
  the same address segments between every tier's boundaries) are evaluated once, through one
  representative;
- each rule's peers are resolved once to the representatives they match, and a destination whose
  ingress is closed only looks at the sources its Allow and Pass rules name;
- the port set of a side for a set of matched rules is memoized across sides with the same rules.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

from ktui.analysis.core.portset import PortSet
from ktui.analysis.core.subjects import ExternalRange, Subject, WorkloadId, cluster_subjects
from ktui.analysis.policy.connsides import SideTable, port_kinds
from ktui.analysis.policy.engine import PolicyEngine
from ktui.store import ClusterState


@dataclass(frozen=True, slots=True)
class Connection:
    src: str
    dst: str
    conns: PortSet

    def line(self) -> str:
        return f"{self.src} => {self.dst} : {self.conns.describe()}"

    def to_json(self) -> dict[str, object]:
        return {"src": self.src, "dst": self.dst, "conns": self.conns.to_json()}


class ConnectivityBuilder:
    def __init__(self, state: ClusterState, engine: PolicyEngine | None = None) -> None:
        self.state = state
        self.engine = engine or PolicyEngine(state)
        self.reps = self._representatives(cluster_subjects(state))
        self.table = SideTable(self.engine, self.reps, port_kinds(self.reps))
        self._range_cache: dict[str, list[ExternalRange]] = {}

    def _representatives(self, subjects: list[Subject]) -> list[Subject]:
        """One subject per class of pods that every tier treats alike."""
        cuts: dict[int, list[int]] = {}
        for version, point in self.engine.boundaries(None):
            cuts.setdefault(version, []).append(point)
        for points in cuts.values():
            points.sort()
        seen: set[object] = set()
        reps = []
        for s in subjects:
            segments = tuple(sorted({(ip.version, bisect.bisect_right(cuts.get(ip.version, ()), int(ip)))
                                     for ip in s.ips}))
            key = (s.workload, s.namespace, s.label_set, s.service_account, s.ports, s.host_network,
                   segments)
            if key not in seen:
                seen.add(key)
                reps.append(s)
        return reps

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
            table = self.table
            everyone = range(len(reps))
            for d in everyone:
                ing = table.side(d, "ingress")
                found = table.sources(ing)
                sources = everyone if found is None else found
                for s in sources:
                    if reps[s].workload == reps[d].workload:
                        continue
                    conns = table.allowed(ing, s, d)
                    if conns:
                        conns = conns & table.allowed(table.side(s, "egress"), d, d)
                        add(names[s], names[d], conns)
        self._external(focus_idx, names, add)
        return [Connection(s, d, c) for (s, d), c in sorted(pairs.items())]

    def external_ranges(self, direction: str) -> list[ExternalRange]:
        """Address ranges cut at every boundary in play for the direction (sources: ingress;
        destinations: egress)."""
        cached = self._range_cache.get(direction)
        if cached is None:
            cached = self._range_cache[direction] = self.engine.external_ranges(direction)
        return cached

    def _external(self, targets: list[int], names: list[str], add: Callable[[str, str, PortSet], None]) -> None:
        table = self.table
        for direction in ("ingress", "egress"):
            ranges = self.external_ranges(direction)
            labels = [str(r) for r in ranges]
            # range_ports hands sides alike the same list: its non-empty entries are found once
            nonempty: dict[int, tuple[list[PortSet], list[tuple[str, PortSet]]]] = {}
            for i in targets:
                # ingress: the pod is the destination and resolves its own named ports;
                # egress to an address: a named port resolves to nothing
                side = table.side(i, direction)
                allowed = table.range_ports(side, direction, ranges, i if direction == "ingress" else None)
                found = nonempty.get(id(allowed))
                if found is None or found[0] is not allowed:
                    found = nonempty[id(allowed)] = (allowed, [
                        (label, conns) for label, conns in zip(labels, allowed, strict=True) if conns])
                for label, conns in found[1]:
                    if direction == "ingress":
                        add(label, names[i], conns)
                    else:
                        add(names[i], label, conns)

def connectivity(
    state: ClusterState, engine: PolicyEngine | None = None, focus: WorkloadId | None = None
) -> list[Connection]:
    """Every allowed workload pair (and external range), sorted by source then destination."""
    return ConnectivityBuilder(state, engine).build(focus)
