"""The connectivity builder's per-representative sides, and its admin-policy path.

A side is one representative's rules for one direction with the representatives each rule's peers
match. When admin policies select it, the side also carries the admin and baseline tiers' rules, and
AdminPath turns "which rules match this peer" into the direction's port set (adminpolicy.combine),
memoized across sides with the same rules: most pairs repeat a handful of combinations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ktui.analysis.core.portset import EMPTY, PortSet
from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.policy import admin_rules as adminrules
from ktui.analysis.policy.admin_rules import AdminRuleSpec, first_named_ports
from ktui.analysis.policy.admin_tiers import combine, first_match
from ktui.analysis.policy.engine import NetpolEngine
from ktui.analysis.policy.netpol_rules import CompiledPolicy, CompiledRule

NamedPorts = dict[tuple[str, str], tuple[int, ...]]
AdminRules = list[tuple[AdminRuleSpec, frozenset[int]]]
Matched = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]  # NetworkPolicy, admin, baseline positions


@dataclass(slots=True)
class Side:
    """One representative's rules for one direction, with each rule's matched representatives."""

    isolated: bool
    rules: list[tuple[CompiledRule, frozenset[int] | None]]  # None: the rule names no peers
    admin: AdminRules | None = None  # admin-tier rules in order; None: no admin policy selects it
    baseline: AdminRules = field(default_factory=list)  # baseline-tier rules (only when not isolated)
    sig: int = -1  # names the side's rules: sides with equal sigs answer alike
    named: bool = False  # some rule has a named port: answers depend on the destination's ports
    index: dict[int, Matched] | None = None  # representative -> positions of the rules naming it


class AdminPath:
    """The admin tiers for one builder: created only when the state has admin policies."""

    def __init__(self, engine: NetpolEngine, reps: list[Subject], ports: list[NamedPorts],
                 external_ranges: Callable[[str], list[ExternalRange]]) -> None:
        self.engine = engine
        self.reps = reps
        self.ports = ports  # NetworkPolicy named ports per representative
        self.admin_ports = [first_named_ports(s) for s in reps]  # admin named ports (first of a name)
        kinds: dict[object, int] = {}
        self.port_kind = [kinds.setdefault(s.ports, len(kinds)) for s in reps]
        self.external_ranges = external_ranges
        self._hits: dict[int, frozenset[int]] = {}  # rule -> the representatives its peers match
        self._ranges: dict[int, frozenset[int]] = {}  # rule -> indexes of the address ranges it holds
        self._by_range: dict[tuple[object, ...], list[tuple[tuple[int, ...], tuple[int, ...]]]] = {}
        self._sigs: dict[tuple[object, ...], int] = {}
        self._memo: dict[tuple[object, ...], PortSet] = {}  # (sig, matched, ports, netpol) -> set

    def attach(self, side: Side, i: int, direction: str, policies: list[CompiledPolicy]) -> None:
        """Give the side its admin and baseline rules, if admin policies select representative i."""
        admin, baseline = self.engine.admin_selecting(self.reps[i], direction)
        if not admin and not baseline:
            return
        side.admin = [(r, self.rule_hits(r)) for cp in admin for r in cp.rules(direction)]
        side.baseline = [] if policies else [(r, self.rule_hits(r)) for cp in baseline for r in cp.rules(direction)]
        sig = (side.isolated, *(id(r) for r, _ in side.rules), "admin", *(id(r) for r, _ in side.admin),
               "baseline", *(id(r) for r, _ in side.baseline))
        side.sig = self._sigs.setdefault(sig, len(self._sigs))
        side.named = any(r.has_named_ports for r, _ in side.rules) or any(
            r.has_named_ports for r, _ in side.admin + side.baseline)

    def rule_hits(self, rule: AdminRuleSpec) -> frozenset[int]:
        """The representatives an admin rule's peers match (nodes peers match addresses only)."""
        found = self._hits.get(id(rule))
        if found is None:
            ns_labels = self.engine.ns_labels
            found = self._hits[id(rule)] = frozenset(
                i for i, s in enumerate(self.reps)
                if any(adminrules.peer_matches_subject(p, s, ns_labels) for p in rule.peers))
        return found

    def tiers(self, side: Side, matched: Matched, dst: int | None, netpol: PortSet | None = None) -> PortSet:
        """The rules matched (by position) in each tier -> the direction's set.

        `netpol` is given for address ranges (else computed from matched[0]); None when not isolated.
        """
        kind = self.port_kind[dst] if side.named and dst is not None else -1
        key = (side.sig, matched, kind, netpol)
        found = self._memo.get(key)
        if found is None:
            if side.isolated and netpol is None:
                np_ports = self.ports[dst] if dst is not None else {}
                netpol = EMPTY
                for i in matched[0]:
                    rule = side.rules[i][0]
                    netpol = netpol | (rule.numeric if not rule.has_named_ports else rule.port_set(np_ports))
            named = self.admin_ports[dst] if dst is not None else None
            assert side.admin is not None
            allow, deny = first_match((side.admin[i][0], side.admin[i][0].port_set(named)) for i in matched[1])
            if netpol is not None:
                found = combine(allow, deny, netpol, EMPTY)
            else:
                base = first_match((side.baseline[i][0], side.baseline[i][0].port_set(named)) for i in matched[2])
                found = combine(allow, deny, None, base[1])
            self._memo[key] = found
        return found

    def index(self, side: Side) -> dict[int, Matched]:
        """Representative -> the positions of the rules whose peers match it; -1: the rules matching all.

        Built by walking each rule's matched set once, instead of testing every rule per pair.
        """
        n = len(self.reps)
        always: tuple[list[int], list[int], list[int]] = ([], [], [])
        acc: dict[int, tuple[list[int], list[int], list[int]]] = {}
        tiers: tuple[list[tuple[object, frozenset[int] | None]], ...] = (
            list(side.rules), list(side.admin or ()), list(side.baseline))
        for k, rules in enumerate(tiers):
            for i, (_, hits) in enumerate(rules):
                if hits is None or len(hits) == n:
                    always[k].append(i)
                    continue
                for o in hits:
                    acc.setdefault(o, ([], [], []))[k].append(i)
        shared: dict[Matched, Matched] = {}
        index: dict[int, Matched] = {}
        for o, lists in acc.items():
            m = (tuple(sorted(always[0] + lists[0])), tuple(sorted(always[1] + lists[1])),
                 tuple(sorted(always[2] + lists[2])))
            index[o] = shared.setdefault(m, m)
        index[-1] = (tuple(always[0]), tuple(always[1]), tuple(always[2]))
        return index

    def allowed(self, side: Side, other: int, dst: int, index: dict[int, Matched] | None = None) -> PortSet:
        """What an admin-selected side allows with representative `other` (destination `dst`)."""
        if index is None:
            index = side.index if side.index is not None else self.index(side)
            side.index = index
        return self.tiers(side, index.get(other) or index[-1], dst)

    def range_matches(self, side: Side, direction: str) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """Per address range, the positions of the side's admin and baseline rules holding it.

        Shared by the sides with the same admin rules, and built from each rule's ranges.
        """
        admin, baseline = side.admin or [], side.baseline
        ranges = self.external_ranges(direction)
        key = (direction, *(id(r) for r, _ in admin), -1, *(id(r) for r, _ in baseline))
        found = self._by_range.get(key)
        if found is None:
            per_range: list[tuple[list[int], list[int]]] = [([], []) for _ in ranges]
            for tier, rules in enumerate((admin, baseline)):
                for i, (rule, _) in enumerate(rules):
                    for k in sorted(self.ranges_of(rule)):
                        per_range[k][tier].append(i)
            found = self._by_range[key] = [(tuple(a), tuple(b)) for a, b in per_range]
        return found

    def ranges_of(self, rule: AdminRuleSpec) -> frozenset[int]:
        """The indexes of the direction's ranges an admin rule's peers hold (computed once per rule)."""
        found = self._ranges.get(id(rule))
        if found is None:
            nodes = self.engine.admin.node_addresses
            found = self._ranges[id(rule)] = frozenset(
                k for k, r in enumerate(self.external_ranges(rule.direction))
                if any(adminrules.peer_matches_external(p, r, nodes) for p in rule.peers))
        return found
