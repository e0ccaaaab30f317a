"""The Tier protocol: every policy family is one tier of one engine (DESIGN.md, "Policy tiers").

A tier answers three questions about a pod (a Subject) and a direction:
- which of its policies select the pod that way (`select`), as a TierSide: the rules in the order
  the tier evaluates them, how they combine (`mode`) and what happens to traffic no rule decided
  (`end`);
- which peer entry of a rule matches the other end (`peer_index`), or that it cannot tell
  (UNKNOWN: it depends on objects ktui cannot see);
- a rule's ports towards a destination (TierRule.port_set / port_index) and its name (ref).

The engine walks the tiers in order and combines them with `combine_port` (one port: explain,
can-reach) and `combine_sets` (port sets: connectivity, egress class). Both are written here once,
so every family (NetworkPolicy, admin/baseline, Calico, Cilium) shares one semantics:

- first-match tiers (admin, baseline, Calico): per port, the first matching rule decides: Allow
  and Deny are final, Pass skips the rest of the tier, Log goes on;
- union tiers (NetworkPolicy, Cilium): a port is allowed when some Allow rule holds it and no
  Deny rule does; any matching Deny is final. Consecutive union tiers act as one (Cilium's allows
  and Kubernetes NetworkPolicy's are one union; isolation by either isolates);
- after a tier, traffic nothing decided goes on when `end` is NEXT, and is denied when `end` is
  DENY (NetworkPolicy isolation, Cilium default deny, a Calico tier's defaultAction Deny);
  traffic a Pass rule handed on always goes on;
- after the last tier, what is left is allowed (no policy at all means open).

Tiers are built per state version by the factories in registry.py, from a shared TierContext
(namespace labels, node addresses, compiled-policy caches, claims of a tier's place). Two optional
methods let the connectivity list go faster; without them it asks peer_index for every peer:
- `peer_hits(rule, reps, by_ns) -> (matched, unknown) index sets | None (all)`: resolve a rule's
  peers over the representatives at once;
- `may_match_addresses(rule) -> bool`: False when the rule can never match an external range.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from ktui.analysis.core.portset import ALL, EMPTY, PortSet, difference
from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.core.verdicts import RuleRef
from ktui.model.core import NS_NAME_LABEL
from ktui.model.selectors import LabelSelector
from ktui.store import ClusterState

Peer = Subject | ExternalRange

ALLOW, DENY, PASS, LOG = "Allow", "Deny", "Pass", "Log"
MAYBE = "Maybe"  # combine_sets only: a rule whose peer match cannot be told (its ports become unknown)
Action = Literal["Allow", "Deny", "Pass", "Log"]


class Mode(enum.Enum):
    FIRST_MATCH = "first-match"
    UNION = "union"


class End(enum.Enum):
    NEXT = "next"  # undecided traffic goes on to the next tier
    DENY = "deny"  # undecided traffic is denied (isolation / default deny)


class Unknown:
    """A peer match that depends on objects ktui cannot see (the reason says which)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


PeerMatch = int | Literal[False] | Unknown | None  # index of the peer entry; None: rule has no peers; False: no match


class TierRule(Protocol):
    """One compiled rule of any family, in the direction it was selected for."""

    @property
    def action(self) -> str: ...  # ALLOW, DENY, PASS or LOG (Accept is normalised to Allow)

    @property
    def has_named_ports(self) -> bool: ...

    def port_set(self, dst: Subject | None) -> PortSet:
        """The ports the rule covers towards `dst` (named ports resolved on it; None: an address)."""
        ...

    def port_index(self, dst: Subject | None, port: int, protocol: str) -> int | Literal[False] | None:
        """The port entry holding port/protocol; None: the rule lists no ports; False: none holds it."""
        ...

    def ref(self, peer: int | None, port: int | None) -> RuleRef: ...


@dataclass(frozen=True, slots=True)
class TierSide:
    """What one tier says about one pod in one direction: the selecting policies and their rules."""

    tier: str  # the tier's label, e.g. "Admin", "NetworkPolicy", "Calico tier security", "Baseline"
    mode: Mode
    end: End
    policies: tuple[str, ...]  # refs of the selecting policies, in evaluation order
    rules: tuple[TierRule, ...]  # in evaluation order (first-match tiers) or any order (union)
    unknown: str | None = None  # set when the tier cannot say which of its policies select the pod
    sources: tuple[object, ...] = ()  # the compiled policies behind `policies` (for explain's words)


ASSUMED_LABELS = {"kube-system": {"name": "kube-system"}}  # the legacy label DNS egress rules select by


class TierContext:
    """What the tiers of one engine share: the state, namespace labels and node addresses per state
    version, compiled-policy caches kept across versions, and claims of a tier's place.

    A factory that provides a tier in another's place (Calico's default tier holds Kubernetes
    NetworkPolicy) claims it; the factory of the claimed tier then provides nothing.
    """

    def __init__(self, state: ClusterState) -> None:
        self.state = state
        self._caches: dict[str, dict[object, object]] = {}
        self._labels: dict[str, dict[str, str]] = {}
        self._nodes: dict[int, frozenset[tuple[int, int]]] = {}
        self._claims: set[str] = set()
        self._ns_unseen: str | Literal[False] | None = False  # False: not looked up in this version

    def reset(self) -> None:
        """A new state version: drop what depends on it (compiled caches stay)."""
        self._labels.clear()
        self._nodes.clear()
        self._claims.clear()
        self._ns_unseen = False

    def cache(self, name: str) -> dict[object, object]:
        """A family's cache of compiled policies (by object), kept across state versions."""
        return self._caches.setdefault(name, {})

    def claim(self, tier: str) -> None:
        self._claims.add(tier)

    def claimed(self, tier: str) -> bool:
        return tier in self._claims

    def ns_labels(self, namespace: str) -> dict[str, str]:
        """The namespace's labels; a conventional namespace not in view (kube-system in manifests,
        where the DNS stand-in lives) carries its conventional labels too."""
        labels = self._labels.get(namespace)
        if labels is None:
            labels = self.state.namespace_labels(namespace)
            if namespace in ASSUMED_LABELS and self.state.get("Namespace", "", namespace) is None:
                labels = {**ASSUMED_LABELS[namespace], **labels}
            self._labels[namespace] = labels
        return labels

    def namespaces_hidden(self) -> str | None:
        """Why Namespaces (and so their labels) cannot be seen, or None."""
        if self._ns_unseen is False:
            self._ns_unseen = self.state.unseen("Namespace")
        return self._ns_unseen

    def namespace_unknown(self, selector: LabelSelector | None) -> str | None:
        """Why a namespaceSelector cannot be evaluated (Namespaces unseen), or None when it can:
        the empty selector and one on kubernetes.io/metadata.name only need no labels."""
        if selector is None or selector.is_empty():
            return None
        reason = self.namespaces_hidden()
        if reason is None:
            return None
        keys = set(selector.match_labels or {}) | {r.key for r in selector.match_expressions or ()}
        return None if keys == {NS_NAME_LABEL} else f"Namespaces: {reason}"

    def node_addresses(self, selector: LabelSelector) -> frozenset[tuple[int, int]]:
        """(ip version, address) of every Node the selector picks (status.addresses)."""
        found = self._nodes.get(id(selector))
        if found is None:
            out: set[tuple[int, int]] = set()
            for node in self.state.objects("Node"):
                if selector.matches(node.metadata.labels):
                    for addr in node.status.addresses:
                        try:
                            ip = ipaddress.ip_address(addr.address)
                        except ValueError:
                            continue
                        out.add((ip.version, int(ip)))
            found = self._nodes[id(selector)] = frozenset(out)
        return found


TierFactory = Callable[[ClusterState, TierContext], Sequence["Tier"]]


class Tier(Protocol):
    """One policy family (or one Calico tier) over one cluster state."""

    @property
    def label(self) -> str: ...

    def select(self, subject: Subject, direction: str) -> TierSide | None:
        """The tier's policies selecting `subject` for `direction`; None when none do."""
        ...

    def peer_index(self, rule: TierRule, other: Peer) -> PeerMatch:
        """Which peer entry of `rule` matches `other` (the far end of the connection)."""
        ...

    def boundaries(self, direction: str) -> Iterable[tuple[int, int]]:
        """(ip version, address) points where some rule's address set starts or ends+1, so that
        external ranges can be split into pieces every rule treats alike."""
        ...

    def reset(self) -> None:
        """The state changed: drop per-state caches (compiled policies may be kept by object)."""
        ...


# --- one port -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortDecision:
    """How the tiers decided one port: allowed or not, the tier that decided, the rules on the way."""

    allowed: bool
    tier: str | None  # None: no tier decided (the default: allowed)
    rules: tuple[RuleRef, ...] = ()  # Pass rules on the way, then the deciding rules
    isolated_by: tuple[str, ...] = ()  # the deciding tier's policies when it denied by its end (no rule)
    unknown: str | None = None  # the verdict depends on something ktui cannot see


Matched = Sequence[tuple[TierRule, int | Unknown | None, int | None]]  # (rule, peer index, port index), in order


def combine_port(sides: Sequence[tuple[TierSide, Matched]]) -> PortDecision:
    """The decision for one port, given per applicable tier (in order) the rules matching it.

    A matched rule whose peer match is Unknown makes the decision unknown when it would have
    decided (the first match in a first-match tier; any rule of a union tier).
    """
    passed: list[RuleRef] = []
    for side, matched in _merge_port(sides):
        if side.unknown is not None:
            return PortDecision(False, side.tier, tuple(passed), unknown=side.unknown)
        if side.mode is Mode.FIRST_MATCH:
            went_on = False
            for rule, peer, port in matched:
                if rule.action == LOG:
                    continue
                if isinstance(peer, Unknown):
                    return PortDecision(False, side.tier, tuple(passed), unknown=peer.reason)
                ref = rule.ref(peer, port)
                if rule.action == PASS:
                    passed.append(ref)
                    went_on = True
                    break
                return PortDecision(rule.action == ALLOW, side.tier, (*passed, ref))
            if went_on or side.end is End.NEXT:
                continue
            return PortDecision(False, side.tier, tuple(passed), isolated_by=side.policies)
        allows: list[RuleRef] = []
        denies: list[RuleRef] = []
        for rule, peer, port in matched:
            if isinstance(peer, Unknown):
                if rule.action in (ALLOW, DENY):
                    return PortDecision(False, side.tier, tuple(passed), unknown=peer.reason)
                continue
            if rule.action == DENY:
                denies.append(rule.ref(peer, port))
            elif rule.action == ALLOW:
                allows.append(rule.ref(peer, port))
        if denies:
            return PortDecision(False, side.tier, (*passed, *denies))
        if allows:
            return PortDecision(True, side.tier, (*passed, *allows))
        if side.end is End.DENY:
            return PortDecision(False, side.tier, tuple(passed), isolated_by=side.policies)
    return PortDecision(True, None, tuple(passed))


# --- port sets ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetResult:
    """What one direction allows with one peer, and what it cannot tell."""

    allowed: PortSet
    unknown: PortSet = field(default=EMPTY)


def combine_sets(sides: Sequence[tuple[Mode, End, bool, Sequence[tuple[str, PortSet]]]]) -> PortSet:
    """The ports allowed, given per applicable tier (in order): its mode, its end, whether it is
    known, and the (action, ports) of the rules whose peers match, in evaluation order (action
    MAYBE for a rule whose peer match cannot be told).

    Ports a tier cannot evaluate are treated as not allowed here; callers that need to tell
    "unknown" from "denied" use combine_sets_unknown.
    """
    return combine_sets_unknown(sides).allowed


def combine_sets_unknown(sides: Sequence[tuple[Mode, End, bool, Sequence[tuple[str, PortSet]]]]) -> SetResult:
    remaining = ALL  # ports still undecided when entering the tier
    allowed = unknown = EMPTY
    for mode, end, known, rules in _merge_sets(sides):
        if not remaining:
            break
        if not known:
            return SetResult(allowed, unknown | remaining)
        if mode is Mode.FIRST_MATCH:
            undecided = remaining
            passed = EMPTY
            for action, ports in rules:
                if action == LOG:
                    continue
                hit = ports & undecided
                if not hit:
                    continue
                if action == ALLOW:
                    allowed = allowed | hit
                elif action == PASS:
                    passed = passed | hit
                elif action == MAYBE:
                    unknown = unknown | hit
                undecided = difference(undecided, hit)
                if not undecided:
                    break
            remaining = passed if end is End.DENY else passed | undecided
        else:
            allow = deny = maybe = EMPTY
            for action, ports in rules:
                if action == ALLOW:
                    allow = allow | ports
                elif action == DENY:
                    deny = deny | ports
                elif action == MAYBE:
                    maybe = maybe | ports
            maybe = maybe & remaining
            unknown = unknown | maybe
            remaining = difference(remaining, maybe)
            allowed = allowed | difference(allow & remaining, deny)
            remaining = EMPTY if end is End.DENY else difference(difference(remaining, allow), deny)
    return SetResult(allowed | remaining, unknown)


# --- consecutive union tiers are one -------------------------------------------------------

def _merge_port(sides: Sequence[tuple[TierSide, Matched]]) -> list[tuple[TierSide, Matched]]:
    out: list[tuple[TierSide, Matched]] = []
    for side, matched in sides:
        if out and side.mode is Mode.UNION and out[-1][0].mode is Mode.UNION:
            prev, prev_matched = out[-1]
            merged = TierSide(
                prev.tier if prev.tier == side.tier else f"{prev.tier}+{side.tier}", Mode.UNION,
                End.DENY if End.DENY in (prev.end, side.end) else End.NEXT,
                prev.policies + side.policies, prev.rules + side.rules, prev.unknown or side.unknown)
            out[-1] = (merged, [*prev_matched, *matched])
        else:
            out.append((side, matched))
    return out


SetSide = tuple[Mode, End, bool, Sequence[tuple[str, PortSet]]]


def _merge_sets(sides: Sequence[SetSide]) -> list[SetSide]:
    out: list[SetSide] = []
    for mode, end, known, rules in sides:
        if out and mode is Mode.UNION and out[-1][0] is Mode.UNION:
            _, pend, pknown, prules = out[-1]
            out[-1] = (Mode.UNION, End.DENY if End.DENY in (pend, end) else End.NEXT, pknown and known,
                       [*prules, *rules])
        else:
            out.append((mode, end, known, rules))
    return out
