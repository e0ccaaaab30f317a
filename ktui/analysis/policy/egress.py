"""How open a pod's egress is, judged on what all the tiers together allow (DESIGN.md).

open > unknown > internet > external > cluster > denied:
- open: nothing restricts egress (no tier isolates the pod, no Deny rule selects it);
- unknown: the answer depends on objects ktui cannot see;
- internet: some ports are allowed to every public address range (ranges cut at every tier's
  boundaries, so 0.0.0.0/1 + 128.0.0.0/1 is the internet, and a Pass-only policy changes nothing);
- external: some external range is allowed; cluster: some in-cluster peer is; else denied.
The DNS flag is dns.py's, the same everywhere. egress_destinations lists what is allowed, where
to, and the rules that open it (the namespace Egress view).
"""

from __future__ import annotations

import bisect
import enum
from dataclasses import dataclass
from typing import cast

from ktui.analysis.core.portset import EMPTY, PortSet
from ktui.analysis.core.subjects import ExternalRange, Subject, WorkloadId, namespace_subjects, subject_namespaces
from ktui.analysis.core.verdicts import RuleRef
from ktui.analysis.policy.connsides import Side, SideTable, address_table, port_kinds
from ktui.analysis.policy.dns import DNS_LABELS, DNS_STAND_INS, dns_check, dns_subjects
from ktui.analysis.policy.engine import PolicyEngine
from ktui.analysis.policy.ranges import is_public, range_cidrs
from ktui.analysis.policy.tier import ALLOW, Unknown

__all__ = ["DNS_LABELS", "Destination", "EgressClass", "EgressPosture", "dns_subjects", "egress_destinations",
           "egress_posture"]


class EgressClass(enum.Enum):
    OPEN = "open"
    UNKNOWN = "unknown"
    INTERNET = "internet"
    EXTERNAL = "external"
    CLUSTER = "cluster"
    DENIED = "denied"

    @property
    def rank(self) -> int:
        """0 for the most open class."""
        return list(EgressClass).index(self)


@dataclass(frozen=True, slots=True)
class EgressPosture:
    cls: EgressClass
    dns: bool
    internet_ports: PortSet  # the ports open to the whole internet (class INTERNET)
    policies: tuple[str, ...]  # every tier's policies selecting the pod for egress, in tier order
    unknown: str | None = None  # why the class is UNKNOWN (or DNS cannot be told)
    names: tuple[str, ...] = ()  # destinations allowed by DNS name (Cilium toFQDNs), never resolved


class _Probes:
    """One in-cluster peer per class no tier tells apart (namespace, labels, ports, host network,
    and the address segment between the tiers' boundaries each IP falls in): what "some
    in-cluster peer" is tried on. Refreshed per namespace whose objects changed (all of them when
    the tiers' boundaries move: the segments follow them); the table over them and the classes
    judged on it are dropped when the tiers are rebuilt or the set of classes changes (a new label
    set, a class's last pod gone).
    """

    def __init__(self, engine: PolicyEngine) -> None:
        self.engine = engine
        self.cuts: dict[int, list[int]] = {}
        self.per_ns: dict[str, tuple[int, list[tuple[object, Subject]]]] = {}
        self.keys: tuple[object, ...] = ()
        self.reps: list[Subject] = []
        self._table: SideTable | None = None
        self.judged: dict[tuple[object, ...], Judged] = {}  # cluster part by (side sig, DNS targets)
        self.targets: list[list[Subject]] = []
        self._version = -1
        self._policy_key = -1

    def _new_policies(self) -> None:
        """The tiers were rebuilt: new sides; the classes stay unless the boundaries moved."""
        self._policy_key = self.engine.policy_key
        cuts: dict[int, list[int]] = {}
        for version, point in self.engine.boundaries(None):
            cuts.setdefault(version, []).append(point)
        sorted_cuts = {v: sorted(points) for v, points in cuts.items()}
        if sorted_cuts != self.cuts:
            self.cuts = sorted_cuts
            self.per_ns.clear()
            self.keys = ()
            self.reps = []
        self._table = None
        self.judged.clear()
        self.targets.clear()

    def _key(self, s: Subject) -> object:
        cuts = self.cuts
        segments = frozenset((ip.version, bisect.bisect_right(cuts.get(ip.version, ()), int(ip))) for ip in s.ips)
        return (s.namespace, frozenset(s.labels.items()), s.ports, s.host_network, segments)

    def refresh(self) -> None:
        state = self.engine.state
        if self._version == state.version:
            return
        self._version = state.version
        if self._policy_key != self.engine.policy_key:
            self._new_policies()
        cache = cast(dict[tuple[str, str], tuple[object, Subject]], self.engine.ctx.cache("subjects"))
        names = state.namespace_names()
        moved = set(self.per_ns) - set(names)
        for ns in moved:
            del self.per_ns[ns]
        for ns in names:
            v = state.namespace_version(ns)
            held = self.per_ns.get(ns)
            if held is None or held[0] != v:
                seen: set[object] = set()
                firsts = []
                for s in namespace_subjects(state, ns, cache):
                    k = self._key(s)
                    if k not in seen:
                        seen.add(k)
                        firsts.append((k, s))
                old = held[1] if held is not None else []
                if [k for k, _ in old] == [k for k, _ in firsts]:
                    firsts = old  # the same classes: keep their representatives
                self.per_ns[ns] = (v, firsts)
                moved.add(ns)
        if not moved:
            return
        keys = tuple(k for ns in names for k, _ in self.per_ns[ns][1])
        if keys != self.keys:
            self.keys = keys
            self.reps = [s for ns in names for _, s in self.per_ns[ns][1]]
            self._table = None
            self.judged.clear()
            self.targets.clear()

    def table(self) -> SideTable:
        """The connectivity list's sides over the probes (rule hits and port sets memoized)."""
        if self._table is None:
            self._table = SideTable(self.engine, self.reps, port_kinds(self.reps))
        return self._table


def _probes(engine: PolicyEngine) -> _Probes:
    holder = engine.ctx.cache("egress")  # kept across versions: refreshed by what changed
    probes = holder.get("probes")
    if not isinstance(probes, _Probes):
        probes = holder["probes"] = _Probes(engine)
    probes.refresh()
    return probes


def _subjects(engine: PolicyEngine, namespace: str | None = None) -> list[Subject]:
    """The cluster's subjects (or one namespace's); a pod whose object did not change keeps its
    Subject across state versions."""
    cache = cast(dict[tuple[str, str], tuple[object, Subject]], engine.ctx.cache("subjects"))
    if namespace is not None:
        return namespace_subjects(engine.state, namespace, cache)
    return engine.per_version("cluster-subjects", lambda: [
        s for ns in subject_namespaces(engine.state) for s in namespace_subjects(engine.state, ns, cache)])


def _why(engine: PolicyEngine, subject: Subject, peer: Subject | ExternalRange | None) -> str:
    for tier, side in engine.select(subject, "egress"):
        if side.unknown is not None:
            return side.unknown
        if peer is None:
            continue
        for rule in side.rules:
            m = tier.peer_index(rule, peer)
            if isinstance(m, Unknown):
                return m.reason
    return "some peers cannot be evaluated"


Judged = tuple[EgressClass, PortSet, str | None]


@dataclass(slots=True)
class _Ranges:
    """The egress address ranges of one policy key, with the public ones per IP version."""

    ranges: list[ExternalRange]
    public: list[list[int]]  # per IP version in use: positions of the public ranges


def _ranges(engine: PolicyEngine) -> _Ranges:
    def compute() -> _Ranges:
        ranges = engine.external_ranges("egress")
        public = [[k for k, r in enumerate(ranges) if r.version == v and is_public(r)]
                  for v in sorted({r.version for r in ranges})]
        return _Ranges(ranges, [p for p in public if p])
    return engine.per_policy("egress-ranges", compute)


def _judge(engine: PolicyEngine, subject: Subject, extra: list[Subject]) -> Judged:
    """The class from the effective sets: every address range, then the in-cluster peers.
    Shared by the pods whose egress the tiers select alike (same rules: same side signature)."""
    table = address_table(engine)
    side = table.side_of(subject, "egress")
    memo: dict[int, Judged | None] = engine.per_policy("egress-classes", dict)
    if side.sig not in memo:
        memo[side.sig] = _by_addresses(engine, table, side, subject)
    found = memo[side.sig]
    if found is not None:
        return found
    probes = _probes(engine)
    key = (side.sig, *(id(d) for d in extra))  # the DNS targets are tried as in-cluster peers too
    found = probes.judged.get(key)
    if found is None:
        probe_table = probes.table()
        found = probes.judged[key] = _cluster_or_denied(
            engine, probe_table, probe_table.side_of(subject, "egress"), subject, extra)
        probes.targets.append(extra)  # keeps the ids in the key alive
    return found


def _by_addresses(engine: PolicyEngine, table: SideTable, side: Side, subject: Subject) -> Judged | None:
    """UNKNOWN, INTERNET or EXTERNAL from the address ranges alone; None: ask the in-cluster peers."""
    info = _ranges(engine)
    ranges = info.ranges
    allowed = table.range_ports(side, "egress", ranges, None)
    matched = table.range_matched(side, "egress", ranges)
    if table.cannot_tell(side, matched):
        k = next((k for k, m in enumerate(matched) if any(x < 0 for x in m)), None)
        return EgressClass.UNKNOWN, EMPTY, _why(engine, subject, ranges[k] if k is not None else None)
    internet = EMPTY
    for positions in info.public:
        common = allowed[positions[0]]
        for k in positions[1:]:
            if not common:
                break
            common = common & allowed[k]
        internet = internet | common
    if internet:
        return EgressClass.INTERNET, internet, None
    if any(allowed):
        return EgressClass.EXTERNAL, EMPTY, None
    return None


def _cluster_or_denied(engine: PolicyEngine, table: SideTable, side: Side, subject: Subject,
                       extra: list[Subject]) -> Judged:
    """Some in-cluster peer allowed (the DNS pods / stand-in, or a probe: those of the pod's own
    namespace first, they are the likeliest), or none."""
    if any(engine.allowed_ports(subject, d, "egress") for d in extra):
        return EgressClass.CLUSTER, EMPTY, None
    sources = table.sources(side)
    if sources is None:
        own = table.by_ns.get(subject.namespace, [])
        rest = set(own)
        candidates: list[int] = [*own, *(c for c in range(len(table.reps)) if c not in rest)]
    else:
        candidates = list(sources)
    if any(table.allowed(side, c, c) for c in candidates):
        return EgressClass.CLUSTER, EMPTY, None
    index = table.index(side) if not side.open else {}
    if table.cannot_tell(side, index.values()):
        return EgressClass.UNKNOWN, EMPTY, _why(engine, subject, next(
            (table.reps[o] for o, m in index.items() if o >= 0 and any(x < 0 for x in m)), None))
    return EgressClass.DENIED, EMPTY, None


def egress_posture(engine: PolicyEngine, subject: Subject, dns_pods: list[Subject] | None = None) -> EgressPosture:
    sides = engine.select(subject, "egress")
    policies = tuple(p for _, s in sides for p in s.policies)
    if not engine.restricts(subject, "egress"):
        return EgressPosture(EgressClass.OPEN, True, EMPTY, policies)
    dns = dns_check(engine, subject, dns_pods)
    cls, internet, unknown = _judge(engine, subject, dns_pods or list(DNS_STAND_INS))
    # destinations by DNS name (Cilium toFQDNs): outside the cluster, never resolved, listed
    names = tuple(n for tier, _ in sides for n in getattr(tier, "destination_names", lambda _s: ())(subject))
    if names and cls in (EgressClass.CLUSTER, EgressClass.DENIED):
        cls = EgressClass.EXTERNAL
    return EgressPosture(cls, dns.ok, internet, policies, unknown or dns.unknown, names)


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a pod's egress may go: address ranges (as CIDRs) or a workload, the ports, and the
    Allow rules that open it."""

    cidrs: tuple[str, ...]  # for addresses; () for a workload
    workload: WorkloadId | None
    ports: PortSet
    rules: tuple[RuleRef, ...]

    @property
    def target(self) -> str:
        return ", ".join(self.cidrs) if self.workload is None else str(self.workload)


def _opening_rules(engine: PolicyEngine, subject: Subject, peer: Subject | ExternalRange,
                   ports: PortSet) -> tuple[RuleRef, ...]:
    dst = peer if isinstance(peer, Subject) else None
    out = []
    for tier, side in engine.select(subject, "egress"):
        for rule in side.rules:
            if rule.action != ALLOW:
                continue
            m = tier.peer_index(rule, peer)
            if m is False or isinstance(m, Unknown):
                continue
            if rule.port_set(dst) & ports:
                out.append(rule.ref(m, None))
    return tuple(out)


def egress_destinations(engine: PolicyEngine, subject: Subject) -> list[Destination]:
    """What the pod's egress allows: adjacent address ranges with the same ports and rules merged
    (then as CIDRs), then in-cluster workloads; an open pod gets one entry for everything."""
    out: list[Destination] = []
    pending: tuple[ExternalRange, PortSet, tuple[RuleRef, ...]] | None = None

    def flush() -> None:
        if pending is not None:
            r, ports, rules = pending
            out.append(Destination(tuple(range_cidrs(r)), None, ports, rules))

    for r in engine.external_ranges("egress"):
        ports = engine.allowed_ports(subject, r, "egress")
        if not ports:
            flush()
            pending = None
            continue
        rules = _opening_rules(engine, subject, r, ports)
        if pending is not None and pending[0].version == r.version and pending[0].last + 1 == r.first \
                and pending[1] == ports and pending[2] == rules:
            pending = (ExternalRange(r.version, pending[0].first, r.last), ports, rules)
        else:
            flush()
            pending = (r, ports, rules)
    flush()
    by_workload: dict[WorkloadId, tuple[PortSet, tuple[RuleRef, ...]]] = {}
    for peer in _subjects(engine):
        if peer.workload == subject.workload:
            continue
        ports = engine.allowed_ports(subject, peer, "egress")
        if ports:
            old_ports, old_rules = by_workload.get(peer.workload, (EMPTY, ()))
            rules = _opening_rules(engine, subject, peer, ports)
            by_workload[peer.workload] = (old_ports | ports, old_rules + tuple(r for r in rules if r not in old_rules))
    out.extend(Destination((), w, p, rules) for w, (p, rules) in sorted(by_workload.items(), key=lambda kv: str(kv[0])))
    return out
