"""The connectivity builder's sides: one representative's tiers for one direction, generic over tiers.

A side is the flat list of the rules of every tier selecting a representative in a direction.
Each rule's peers are resolved once to the representatives (and address ranges) they match; a
side's answer for a peer is then "which rule positions match it", and the port set for that is
computed by tier.combine_sets once per (side signature, matched positions, named-port kind):
most pairs repeat a handful of combinations. Sides of representatives selected alike are shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ktui.analysis.core.portset import ALL, PortSet
from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.policy.engine import PolicyEngine
from ktui.analysis.policy.tier import (
    ALLOW,
    DENY,
    MAYBE,
    PASS,
    End,
    Mode,
    Tier,
    TierRule,
    TierSide,
    Unknown,
    combine_sets_unknown,
)

Matched = tuple[int, ...]  # positions of the side's matching rules; ~p: rule p may match (cannot tell)
Hits = tuple[frozenset[int], frozenset[int]] | None  # (matched, unknown) indexes; None: matches all
Runs = tuple[Sequence[range], Sequence[range]] | None  # (matched, unknown) runs of positions; None: all
Segment = tuple[int, int, Matched]  # positions [start, end) of the ranges the same rules match


@dataclass(slots=True, eq=False)
class Side:
    """One representative's tiers for one direction (shared by representatives selected alike)."""

    tiers: tuple[tuple[Mode, End, bool], ...]  # per applicable tier: mode, end, known
    rules: tuple[tuple[int, TierRule, Tier], ...]  # (tier position, rule, tier), in evaluation order
    sig: int  # sides with equal signatures answer alike
    named: bool  # some rule has a named port: answers depend on the destination's ports
    closed: bool  # undecided traffic does not come out allowed: only Allow/Pass rules' peers get in
    hits: list[Hits] = field(default_factory=list)  # per rule, the representatives its peers match
    index: dict[int, Matched] | None = None  # representative -> matched positions; -1: the rest
    range_matches: list[Matched] | None = None  # per external range of the direction
    range_segments: list[Segment] | None = None  # the same, as runs of equal matches
    ident: tuple[object, ...] = ()  # the tiers and rule identities: the signature across tables


    @property
    def open(self) -> bool:
        return not self.tiers


OPEN = Side((), (), -1, False, False)


class SideTable:
    """Sides, rule hits and the memo of port sets for one builder."""

    def __init__(self, engine: PolicyEngine, reps: Sequence[Subject], port_kinds: Sequence[int]) -> None:
        self.engine = engine
        self.reps = reps
        self.port_kinds = port_kinds
        self.by_ns: dict[str, list[int]] = {}
        for i, s in enumerate(reps):
            self.by_ns.setdefault(s.namespace, []).append(i)
        self._sides: dict[tuple[object, ...], Side] = {}
        self._per_rep: dict[tuple[int, str], Side] = {}
        self._hits: dict[int, Hits] = {}  # id(rule) ->
        self._range_hits: dict[tuple[int, str], Runs] = {}
        self._sigs: dict[tuple[object, ...], int] = {}
        self._by_sig: dict[tuple[str, int], Side] = {}  # per direction: range_matches are
        self._memo: dict[tuple[int, Matched, int], PortSet] = {}
        self._range_ports: dict[tuple[int, str, int], list[PortSet]] = {}

    def side(self, i: int, direction: str) -> Side:
        found = self._per_rep.get((i, direction))
        if found is None:
            found = self._per_rep[(i, direction)] = self.side_of(self.reps[i], direction)
        return found

    def side_of(self, subject: Subject, direction: str) -> Side:
        """Any subject's side (shared with the subjects the tiers select alike)."""
        sides = self.engine.select(subject, direction)
        key = (direction, *(id(s) for _, s in sides))
        side = self._sides.get(key)
        if side is None:
            side = self._sides[key] = self._make(sides, direction) if sides else OPEN
        return side

    def cannot_tell(self, side: Side, matched: Iterable[Matched]) -> bool:
        """Some tier of the side, or some rule matching, depends on what ktui cannot see."""
        return any(not known for _, _, known in side.tiers) or any(m < 0 for ms in matched for m in ms)

    def _make(self, sides: Sequence[tuple[Tier, TierSide]], direction: str) -> Side:
        tiers: list[tuple[Mode, End, bool]] = []
        rules: list[tuple[int, TierRule, Tier]] = []
        for t, (tier, side) in enumerate(sides):
            known = side.unknown is None
            tiers.append((side.mode, side.end, known))
            rules.extend((t, rule, tier) for rule in (side.rules if known else ()))
        sig_key = (*tiers, *(id(r) for _, r, _ in rules))
        sig = self._sigs.setdefault(sig_key, len(self._sigs))
        same = self._by_sig.get((direction, sig))
        if same is not None:
            return same  # selected by other policies' sides, the same rules: one Side, hits and ranges once
        closed = any(end is End.DENY or not known for _, end, known in tiers)
        out = Side(tuple(tiers), tuple(rules), sig, any(r.has_named_ports for _, r, _ in rules), closed,
                   ident=sig_key)
        out.hits = [self.rule_hits(tier, rule) for _, rule, tier in rules]
        self._by_sig[(direction, sig)] = out
        return out

    def rule_hits(self, tier: Tier, rule: TierRule) -> Hits:
        """The representatives a rule's peers match (and those it cannot tell); None: all of them."""
        key = id(rule)
        if key in self._hits:
            return self._hits[key]
        fast = getattr(tier, "peer_hits", None)  # optional: a tier that resolves peers faster itself
        if fast is not None:
            found: Hits = fast(rule, self.reps, self.by_ns)
        else:
            hit, unknown = _peer_matches(tier, rule, self.reps)
            found = (frozenset(hit), frozenset(unknown))
        if found is not None and len(found[0]) == len(self.reps) and self.reps:
            found = None
        self._hits[key] = found
        return found

    def sources(self, side: Side) -> Iterable[int] | None:
        """The representatives that may get something through `side`; None: any of them."""
        if not side.closed:
            return None
        out: set[int] = set()
        for (_, rule, _), hits in zip(side.rules, side.hits, strict=True):
            if rule.action in (ALLOW, PASS):
                if hits is None:
                    return None
                out |= hits[0]
        return sorted(out)

    def index(self, side: Side) -> dict[int, Matched]:
        """Representative -> positions of the rules matching it (-1: the rules that match all)."""
        if side.index is not None:
            return side.index
        always: list[int] = []
        acc: dict[int, list[int]] = {}
        for p, hits in enumerate(side.hits):
            if hits is None:
                always.append(p)
                continue
            for o in hits[0]:
                acc.setdefault(o, []).append(p)
            for o in hits[1]:
                acc.setdefault(o, []).append(~p)
        shared: dict[Matched, Matched] = {}
        index: dict[int, Matched] = {}
        for o, positions in acc.items():
            m = tuple(sorted(set(always + positions)))
            index[o] = shared.setdefault(m, m)
        index[-1] = tuple(always)
        side.index = index
        return index

    def allowed(self, side: Side, other: int, dst: int) -> PortSet:
        """What `side` allows with representative `other`; named ports resolved on `dst`."""
        if side.open:
            return ALL
        index = side.index if side.index is not None else self.index(side)
        return self.ports(side, index.get(other) or index[-1], dst)

    def ports(self, side: Side, matched: Matched, dst: int | None) -> PortSet:
        """The port set the tiers give when exactly the rules at `matched` match (dst None: an address)."""
        kind = (self.port_kinds[dst] if dst is not None else -2) if side.named else -1
        key = (side.sig, matched, kind)
        found = self._memo.get(key)
        if found is None:
            dst_subject = self.reps[dst] if dst is not None else None
            per_tier: list[list[tuple[str, PortSet]]] = [[] for _ in side.tiers]
            for m in sorted(matched, key=lambda m: m if m >= 0 else ~m):
                t, rule, _ = side.rules[m if m >= 0 else ~m]
                if rule.action in (ALLOW, DENY, PASS):
                    per_tier[t].append((rule.action if m >= 0 else MAYBE, rule.port_set(dst_subject)))
            spec = [(mode, end, known, per_tier[t]) for t, (mode, end, known) in enumerate(side.tiers)]
            found = self._memo[key] = combine_sets_unknown(spec).allowed
        return found

    def range_ports(self, side: Side, direction: str, ranges: Sequence[ExternalRange],
                    dst: int | None) -> list[PortSet]:
        """Per address range of the direction, what the side allows (dst: the pod for ingress)."""
        if side.open:
            return [ALL] * len(ranges)
        kind = (self.port_kinds[dst] if dst is not None else -2) if side.named else -1
        key = (side.sig, direction, kind)
        found = self._range_ports.get(key)
        if found is None:
            found = self._range_ports[key] = []
            for start, end, m in self.range_segments(side, direction, ranges):
                found.extend([self.ports(side, m, dst)] * (end - start))
        return found

    def range_matched(self, side: Side, direction: str, ranges: Sequence[ExternalRange]) -> list[Matched]:
        """Per address range of the direction, the positions of the side's rules matching it."""
        if side.range_matches is None:
            out: list[Matched] = []
            for start, end, m in self.range_segments(side, direction, ranges):
                out.extend([m] * (end - start))
            side.range_matches = out
        return side.range_matches

    def range_segments(self, side: Side, direction: str, ranges: Sequence[ExternalRange]) -> list[Segment]:
        """The address ranges of the direction as runs of positions matched by the same rules of
        the side, in order: questions over every range are asked once per run (at 100,000 pods
        there are thousands of ranges and few runs per side)."""
        if side.range_segments is not None:
            return side.range_segments
        always: list[int] = []
        edges: dict[int, list[tuple[int, int]]] = {}  # position -> (rule mark, +1 starts / -1 ends)
        for p, (_, rule, tier) in enumerate(side.rules):
            runs = self._rules_ranges(tier, rule, direction, ranges)
            if runs is None:
                always.append(p)
                continue
            for mark, spans in ((p, runs[0]), (~p, runs[1])):
                for r in spans:
                    if r:
                        edges.setdefault(r.start, []).append((mark, 1))
                        edges.setdefault(r.stop, []).append((mark, -1))
        shared: dict[Matched, Matched] = {}
        active: dict[int, int] = {}
        out: list[Segment] = []
        start = 0
        for point in sorted({*edges, len(ranges)}):
            if point > start:
                m = tuple(sorted({*always, *active}))
                m = shared.setdefault(m, m)
                if out and out[-1][2] is m:
                    out[-1] = (out[-1][0], point, m)
                else:
                    out.append((start, point, m))
                start = point
            for mark, step in edges.get(point, ()):
                count = active.get(mark, 0) + step
                if count:
                    active[mark] = count
                else:
                    active.pop(mark, None)
        side.range_segments = out
        return out

    def rule_ranges(self, tier: Tier, rule: TierRule, direction: str, ranges: Sequence[ExternalRange]) -> Runs:
        """The runs of the ranges the rule's peers match (and those it cannot tell); None: all."""
        return self._rules_ranges(tier, rule, direction, ranges)

    def _rules_ranges(self, tier: Tier, rule: TierRule, direction: str, ranges: Sequence[ExternalRange]) -> Runs:
        key = (id(rule), direction)
        if key in self._range_hits:
            return self._range_hits[key]
        fast = getattr(tier, "range_hits", None)  # optional: a tier that bisects its blocks itself
        found: Runs
        if fast is not None:
            found = fast(rule, ranges)
        else:
            may = getattr(tier, "may_match_addresses", None)
            hit, unknown = _peer_matches(tier, rule, ranges if may is None or may(rule) else ())
            found = (_runs(hit), _runs(unknown))
        if found is not None and sum(len(r) for r in found[0]) == len(ranges):
            found = None
        self._range_hits[key] = found
        return found


def _peer_matches(tier: Tier, rule: TierRule, peers: Sequence[Subject | ExternalRange]) -> tuple[list[int], list[int]]:
    """The positions of the peers the rule matches, and of those it cannot tell, one by one."""
    hit: list[int] = []
    unknown: list[int] = []
    for k, peer in enumerate(peers):
        m = tier.peer_index(rule, peer)
        if isinstance(m, Unknown):
            unknown.append(k)
        elif m is not False:
            hit.append(k)
    return hit, unknown


def _runs(positions: list[int]) -> list[range]:
    """Ascending positions as runs of consecutive ones."""
    out: list[range] = []
    for k in positions:
        if out and out[-1].stop == k:
            out[-1] = range(out[-1].start, k + 1)
        else:
            out.append(range(k, k + 1))
    return out


def port_kinds(reps: Sequence[Subject]) -> list[int]:
    """Representatives with the same container ports resolve named ports alike."""
    kinds: dict[object, int] = {}
    return [kinds.setdefault(s.ports, len(kinds)) for s in reps]



def address_table(engine: PolicyEngine) -> SideTable:
    """Sides over no in-cluster peers, for questions about address ranges only (egress class, DNS
    by address): they read no pod, so they are kept per policy key."""
    return engine.per_policy("address-table", lambda: SideTable(engine, [], []))
