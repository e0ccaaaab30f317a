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
from collections.abc import Sequence
from dataclasses import dataclass

from ktui.analysis.core.portset import EMPTY, PortSet
from ktui.analysis.core.subjects import ExternalRange, Subject, WorkloadId, namespace_subjects, subject_namespaces
from ktui.analysis.core.verdicts import RuleRef
from ktui.analysis.policy.connsides import Side, SideTable, address_table
from ktui.analysis.policy.dns import DNS_LABELS, DNS_STAND_INS, dns_check, dns_subjects
from ktui.analysis.policy.egress_probes import EgressClass, Judged, Token, probes, why
from ktui.analysis.policy.engine import PolicyEngine, Sides
from ktui.analysis.policy.ranges import is_public, range_cidrs
from ktui.analysis.policy.tier import ALLOW, Tier, TierRule, Unknown

__all__ = ["DNS_LABELS", "Destination", "EgressClass", "EgressPosture", "dns_subjects", "egress_destinations",
           "egress_moves", "egress_posture", "egress_signature"]


@dataclass(frozen=True, slots=True)
class EgressPosture:
    cls: EgressClass
    dns: bool
    internet_ports: PortSet  # the ports open to the whole internet (class INTERNET)
    policies: tuple[str, ...]  # every tier's policies selecting the pod for egress, in tier order
    unknown: str | None = None  # why the class is UNKNOWN (or DNS cannot be told)
    names: tuple[str, ...] = ()  # destinations allowed by DNS name (Cilium toFQDNs), never resolved


def _subjects(engine: PolicyEngine, namespace: str | None = None) -> list[Subject]:
    """The cluster's subjects (or one namespace's); a pod whose object did not change keeps its
    Subject across state versions."""
    cache = engine.pod_subjects
    if namespace is not None:
        return namespace_subjects(engine.state, namespace, cache)
    return engine.per_version("cluster-subjects", lambda: [
        s for ns in subject_namespaces(engine.state) for s in namespace_subjects(engine.state, ns, cache)])


@dataclass(slots=True)
class _Ranges:
    """The egress address ranges of one policy key, with the public ones per IP version."""

    ranges: list[ExternalRange]
    public: list[list[int]]  # per IP version in use: positions of the public ranges, ascending


def _ranges(engine: PolicyEngine) -> _Ranges:
    def compute() -> _Ranges:
        ranges = engine.external_ranges("egress")
        public = [[k for k, r in enumerate(ranges) if r.version == v and is_public(r)]
                  for v in sorted({r.version for r in ranges})]
        return _Ranges(ranges, [p for p in public if p])
    return engine.per_policy("egress-ranges", compute)


def _public_in(positions: list[int], start: int, end: int) -> bool:
    """Some of the (ascending) public positions lie in [start, end)."""
    k = bisect.bisect_left(positions, start)
    return k < len(positions) and positions[k] < end


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
    return probes(engine).judge(side.ident, subject, extra)


def egress_signature(engine: PolicyEngine, subject: Subject) -> tuple[object, ...]:
    """What the pod's egress class rests on besides the probes: its side's tiers and rules (the
    idents `egress_moves` reports)."""
    return address_table(engine).side_of(subject, "egress").ident


def egress_moves(engine: PolicyEngine, token: Token | None) -> tuple[Token, set[object] | None]:
    """The current token, and the egress signatures whose class may have moved since `token`
    because pods came or went elsewhere (None: any may have; an empty set: none)."""
    found = probes(engine)
    return found.token(), (None if token is None else found.moved_since(token))


def _by_addresses(engine: PolicyEngine, table: SideTable, side: Side, subject: Subject) -> Judged | None:
    """UNKNOWN, INTERNET or EXTERNAL from the address ranges alone; None: ask the in-cluster peers."""
    info = _ranges(engine)
    ranges = info.ranges
    # over runs of ranges the same rules match (segments), not range by range: thousands of
    # ranges at 100,000 pods, a few runs per side
    segments = table.range_segments(side, "egress", ranges)
    if table.cannot_tell(side, (m for _, _, m in segments)):
        k = next((start for start, _, m in segments if any(x < 0 for x in m)), None)
        return EgressClass.UNKNOWN, EMPTY, why(engine, subject, ranges[k] if k is not None else None)
    allowed = [(start, end, table.ports(side, m, None)) for start, end, m in segments]
    internet = EMPTY
    for positions in info.public:
        common: PortSet | None = None
        for start, end, ports in allowed:
            if _public_in(positions, start, end):
                common = ports if common is None else common & ports
                if not common:
                    break
        internet = internet | (common or EMPTY)
    if internet:
        return EgressClass.INTERNET, internet, None
    if any(ports for _, _, ports in allowed):
        return EgressClass.EXTERNAL, EMPTY, None
    return None


def _dns_ingress_rules(engine: PolicyEngine, dns_pods: list[Subject] | None) -> list[tuple[Tier, TierRule]]:
    """The rules of the DNS targets' ingress sides (once per state version and DNS pods)."""
    memo: dict[tuple[int, ...], tuple[object, list[tuple[Tier, TierRule]]]] = engine.per_version("dns-ingress", dict)
    targets = dns_pods or list(DNS_STAND_INS)
    key = tuple(id(d) for d in targets)
    hit = memo.get(key)
    if hit is None:
        found: dict[int, tuple[Tier, TierRule]] = {}
        for d in targets:
            for tier, side in engine.select(d, "ingress"):
                for rule in side.rules if side.unknown is None else ():
                    found.setdefault(id(rule), (tier, rule))
        hit = memo[key] = (targets, list(found.values()))  # the targets kept alive: their ids are the key
    return hit[1]


def _shared_key(engine: PolicyEngine, subject: Subject, sides: Sides,
                dns_pods: list[Subject] | None) -> tuple[object, ...]:
    """What the class and the DNS flag rest on: the egress side (tiers and rules), the tiers'
    unknown reasons, how the DNS targets' ingress rules see the pod, and which targets."""
    seen = tuple(("?", m.reason) if isinstance(m, Unknown) else "-" if m is False else m
                 for tier, rule in _dns_ingress_rules(engine, dns_pods) for m in (tier.peer_index(rule, subject),))
    return (address_table(engine).side_of(subject, "egress").sig, tuple(s.unknown for _, s in sides), seen,
            *(id(d) for d in dns_pods or ()))


def egress_posture(engine: PolicyEngine, subject: Subject, dns_pods: list[Subject] | None = None) -> EgressPosture:
    """The class and the DNS flag; pods whose answer rests on the same things (`_shared_key`: in a
    namespace, mostly the label sets its policies select alike) share it within a state version."""
    sides = engine.select(subject, "egress")
    policies = tuple(p for _, s in sides for p in s.policies)
    if not engine.restricts(subject, "egress"):
        return EgressPosture(EgressClass.OPEN, True, EMPTY, policies)
    # destinations by DNS name (Cilium toFQDNs): outside the cluster, never resolved, listed
    names = tuple(n for tier, _ in sides for n in getattr(tier, "destination_names", lambda _s: ())(subject))
    memo: dict[tuple[object, ...], tuple[EgressClass, bool, PortSet, str | None, object]] = engine.per_version(
        "egress-postures", dict)
    key = _shared_key(engine, subject, sides, dns_pods)
    hit = memo.get(key)
    if hit is None:
        dns = dns_check(engine, subject, dns_pods)
        cls, internet, unknown = _judge(engine, subject, dns_pods or list(DNS_STAND_INS))
        hit = memo[key] = (cls, dns.ok, internet, unknown or dns.unknown, dns_pods)  # dns_pods: ids in the key
    cls = hit[0]
    if names and cls in (EgressClass.CLUSTER, EgressClass.DENIED):
        cls = EgressClass.EXTERNAL
    return EgressPosture(cls, hit[1], hit[2], policies, hit[3], names)


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


def egress_destinations(engine: PolicyEngine, subject: Subject,
                        peers: Sequence[Subject] | None = None) -> list[Destination]:
    """What the pod's egress allows: adjacent address ranges with the same ports and rules merged
    (then as CIDRs), then in-cluster workloads; an open pod gets one entry for everything.
    `peers`: every subject of the cluster when the caller holds them (else listed here)."""
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
    # peers no tier tells apart (engine.alike_ids) get the same ports and rules: asked once per
    # class, not once per pod; the subject's own workload is left out at the end
    per_class: dict[int, tuple[PortSet, tuple[RuleRef, ...]]] = {}
    if peers is None:
        peers = _subjects(engine)
    for peer, number in zip(peers, engine.alike_ids(peers), strict=True):
        found = per_class.get(number)
        if found is None:
            ports = engine.allowed_ports(subject, peer, "egress")
            found = per_class[number] = (ports, _opening_rules(engine, subject, peer, ports) if ports else ())
        ports, rules = found
        if ports:
            old = by_workload.get(peer.workload)
            by_workload[peer.workload] = found if old is None else (
                old[0] | ports, old[1] + tuple(r for r in rules if r not in old[1]))
    by_workload.pop(subject.workload, None)
    out.extend(Destination((), w, p, rules) for w, (p, rules) in sorted(by_workload.items(), key=lambda kv: str(kv[0])))
    return out
