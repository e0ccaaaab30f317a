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

from ktui.analysis.core.portset import EMPTY, PortSet
from ktui.analysis.core.subjects import ExternalRange, Subject, WorkloadId, cluster_subjects
from ktui.analysis.core.verdicts import RuleRef
from ktui.analysis.policy.dns import DNS_LABELS, DNS_STAND_IN, dns_check, dns_subjects
from ktui.analysis.policy.engine import PolicyEngine
from ktui.analysis.policy.ranges import is_public, range_cidrs
from ktui.analysis.policy.tier import ALLOW, PASS, End, Unknown

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


def _probes(engine: PolicyEngine) -> list[Subject]:
    """One in-cluster peer per class no tier tells apart (namespace, labels, ports, and the address
    segment between the tiers' boundaries each IP falls in): what "some in-cluster peer" is tried on."""
    def compute() -> list[Subject]:
        cuts: dict[int, list[int]] = {}
        for version, point in engine.boundaries(None):
            cuts.setdefault(version, []).append(point)
        for points in cuts.values():
            points.sort()
        seen: set[object] = set()
        out = []
        for s in _subjects(engine):
            segments = frozenset((ip.version, bisect.bisect_right(cuts.get(ip.version, ()), int(ip))) for ip in s.ips)
            key = (s.namespace, frozenset(s.labels.items()), s.ports, segments)
            if key not in seen:
                seen.add(key)
                out.append(s)
        return out
    return engine.per_version("egress-probes", compute)


def _subjects(engine: PolicyEngine) -> list[Subject]:
    return engine.per_version("cluster-subjects", lambda: cluster_subjects(engine.state))


def _reaches_cluster(engine: PolicyEngine, subject: Subject, extra: list[Subject]) -> tuple[bool, str | None]:
    """(some in-cluster peer is allowed, why it cannot be told). Peers no Allow or Pass rule names
    can only get through when undecided traffic comes out allowed."""
    sides = engine.select(subject, "egress")
    closed = any(s.end is End.DENY or s.unknown is not None for _, s in sides)
    candidates = [*extra, *_probes(engine)]
    if closed:
        candidates = [p for p in candidates
                      if any(r.action in (ALLOW, PASS) and tier.peer_index(r, p) is not False
                             for tier, s in sides for r in s.rules)]
    unknown: str | None = None
    for peer in candidates:
        result = engine.direction_sets(subject, peer, "egress")
        if result.allowed:
            return True, None
        if result.unknown and unknown is None:
            unknown = _why(engine, subject, peer) or "some peers cannot be evaluated"
    return False, unknown


def _why(engine: PolicyEngine, subject: Subject, peer: Subject | ExternalRange) -> str | None:
    for tier, side in engine.select(subject, "egress"):
        if side.unknown is not None:
            return side.unknown
        for rule in side.rules:
            m = tier.peer_index(rule, peer)
            if isinstance(m, Unknown):
                return m.reason
    return None


def egress_posture(engine: PolicyEngine, subject: Subject, dns_pods: list[Subject] | None = None) -> EgressPosture:
    sides = engine.select(subject, "egress")
    policies = tuple(p for _, s in sides for p in s.policies)
    if not engine.restricts(subject, "egress"):
        return EgressPosture(EgressClass.OPEN, True, EMPTY, policies)
    dns = dns_check(engine, subject, dns_pods)
    results = [(r, engine.direction_sets(subject, r, "egress")) for r in engine.external_ranges("egress")]
    unknown = next((_why(engine, subject, r) or "some addresses cannot be evaluated"
                    for r, res in results if res.unknown), None)
    if unknown is not None:
        return EgressPosture(EgressClass.UNKNOWN, dns.ok, EMPTY, policies, unknown)
    internet = EMPTY
    for version in sorted({r.version for r, _ in results}):
        public = [res.allowed for r, res in results if r.version == version and is_public(r)]
        if public:
            ports = public[0]
            for p in public[1:]:
                ports = ports & p
            internet = internet | ports
    if internet:
        cls = EgressClass.INTERNET
    elif any(res.allowed for _, res in results):
        cls = EgressClass.EXTERNAL
    else:
        reached, unknown = _reaches_cluster(engine, subject, dns_pods or [DNS_STAND_IN])
        cls = EgressClass.CLUSTER if reached else (EgressClass.UNKNOWN if unknown else EgressClass.DENIED)
    names = tuple(n for tier, _ in sides for n in getattr(tier, "destination_names", lambda _s: ())(subject))
    if names and cls in (EgressClass.CLUSTER, EgressClass.DENIED):
        cls = EgressClass.EXTERNAL  # FQDN destinations: outside the cluster, by name
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
