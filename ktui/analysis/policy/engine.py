"""One policy engine over the ordered tiers of a cluster state (registry.TIER_FACTORIES).

For a pod and a direction the engine asks each tier which of its policies select the pod (a
TierSide), and for a peer and port which rules match; tier.py combines the tiers (combine_port for
one port, combine_sets for port sets). A connection A -> B is allowed when A's egress and B's
ingress both allow it. Every verdict names the rules and the tier that decided, or why it cannot
be told (unknown: something ktui cannot see).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

from ktui.analysis.core.portset import ALL, PortSet
from ktui.analysis.core.subjects import ExternalRange, PodCache, Subject
from ktui.analysis.core.verdicts import TIER_NETPOL, DirectionVerdict, RuleRef, Verdict
from ktui.analysis.policy.admin import AdminTier
from ktui.analysis.policy.admin_rules import CompiledAdminPolicy
from ktui.analysis.policy.networkpolicy import CompiledPolicy, NetworkPolicyTier
from ktui.analysis.policy.ranges import split_ranges
from ktui.analysis.policy.registry import build_tiers
from ktui.analysis.policy.tier import (
    ALLOW,
    LOG,
    MAYBE,
    PASS,
    End,
    Matched,
    SetResult,
    Tier,
    TierContext,
    TierFactory,
    TierRule,
    TierSide,
    Unknown,
    combine_port,
    combine_sets_unknown,
)
from ktui.model.core import WORKLOAD_KINDS
from ktui.store import ClusterState

# kinds no tier reads: pods and workloads (tiers judge the subject asked about), what traffic
# enters by (exposure), and secrets
TIERS_NEVER_READ = ("Pod", *WORKLOAD_KINDS, "Ingress", "IngressClass", "Secret", "Gateway", "GatewayClass",
                    "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute", "ReferenceGrant")
Peer = Subject | ExternalRange
DIRECTIONS = ("ingress", "egress")
Sides = tuple[tuple[Tier, TierSide], ...]
T = TypeVar("T")
__all__ = ["DIRECTIONS", "TIERS_NEVER_READ", "TIER_NETPOL", "DirectionVerdict", "NetpolEngine", "Peer",
           "PolicyEngine", "RuleRef", "Sides", "Verdict"]


class PolicyEngine:
    """Evaluates every policy tier over one ClusterState.

    Tiers answer from policies, namespaces and the subject asked about, never from other pods: so
    the tiers and everything derived from them (selection answers, address tables, boundaries) are
    kept until something other than a pod changes (`policy_key`). Values that read the pods
    (probes, cluster subjects) are kept per state version (`per_version`), or by the namespaces
    they read (egress.py).
    """

    def __init__(self, state: ClusterState, factories: list[TierFactory] | None = None) -> None:
        self.state = state
        self.ctx = TierContext(state)
        self._factories = factories
        self._policy_key = -1
        self._version = -1
        self._tiers: list[Tier] = []
        self._sides: dict[tuple[int, str], tuple[Subject, Sides]] = {}
        self._netpol: NetworkPolicyTier | None = None
        self._ranges: dict[str, list[ExternalRange]] = {}
        self._memo: dict[str, object] = {}  # per state version
        self._policy_memo: dict[str, object] = {}  # per policy key
        # alike_key's answers by subject (the key and its class number), with the class cuts
        # they were cut at: kept across a policy change that leaves the cuts equal (most do: no
        # new ipBlock boundary)
        self._alike: tuple[dict[int, list[int]], dict[int, tuple[Subject, object, int]], dict[object, int]] = (
            {}, {}, {})
        self._alike_count = 0  # class numbers given so far (never reused, the memo cleared or not)

    @property
    def policy_key(self) -> int:
        """Moves whenever something a tier reads changes (policies, namespaces, nodes, services,
        network sets, visibility): not on pod, workload or exposure changes."""
        return self.state.version - sum(self.state.kind_version(k) for k in TIERS_NEVER_READ)

    def _check_version(self) -> None:
        if self._version == self.state.version:
            return
        self._version = self.state.version
        self._memo.clear()
        key = self.policy_key
        if key != self._policy_key:
            self.ctx.reset()
            self._tiers = build_tiers(self.state, self.ctx, self._factories)
            self._sides.clear()
            self._netpol = None
            self._ranges.clear()
            self._policy_memo.clear()
            self._policy_key = key
        elif len(self._sides) > 4 * (self.state.count("Pod") + 64):
            self._sides.clear()  # subjects of pods long gone: keep the cache bounded

    def per_version(self, key: str, compute: Callable[[], T]) -> T:
        """A value computed once per state version (it reads the pods)."""
        self._check_version()
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(T, self._memo[key])

    def per_policy(self, key: str, compute: Callable[[], T]) -> T:
        """A value computed once per policy key: it depends on the tiers and on the subjects
        asked about, never on which other pods exist (address tables, egress classes by side)."""
        self._check_version()
        if key not in self._policy_memo:
            self._policy_memo[key] = compute()
        return cast(T, self._policy_memo[key])

    def tiers(self) -> list[Tier]:
        """The state's tiers in evaluation order."""
        self._check_version()
        return self._tiers

    def select(self, subject: Subject, direction: str) -> Sides:
        """Per tier (in order) that has something to say about the subject in `direction`, its side."""
        self._check_version()
        key = (id(subject), direction)
        found = self._sides.get(key)
        if found is not None and found[0] is subject:
            return found[1]
        sides = tuple((t, s) for t in self._tiers if (s := t.select(subject, direction)) is not None)
        self._sides[key] = (subject, sides)
        return sides

    def boundaries(self, direction: str | None) -> list[tuple[int, int]]:
        """Every tier's boundaries for the direction (None: both, each direction's list reused;
        callers sort the points); once per policy key."""
        if direction is None:
            return self.per_policy("boundaries-None", lambda: [p for d in DIRECTIONS for p in self.boundaries(d)])
        return self.per_policy(f"boundaries-{direction}", lambda: [
            p for tier in self._tiers for p in tier.boundaries(direction)])

    @property
    def pod_subjects(self) -> PodCache:
        """Each pod's Subject as made for this engine ((namespace, name) -> (pod, Subject)): a pod
        whose object is unchanged keeps its Subject, and so every answer kept by its identity."""
        return cast(PodCache, self.ctx.cache("subjects"))

    def class_cuts(self) -> dict[int, list[int]]:
        """Every tier's boundaries (both directions), sorted per IP version: the points where an
        address's segment can change what a rule says of it."""
        def compute() -> dict[int, list[int]]:
            cuts: dict[int, list[int]] = {}
            for version, point in self.boundaries(None):
                cuts.setdefault(version, []).append(point)
            return {v: sorted(points) for v, points in cuts.items()}
        return self.per_policy("class-cuts", compute)

    def alike_key(self, s: Subject) -> object:
        """What the tiers read of a subject: namespace, labels, service account, ports, host
        network, and the segment between the tiers' boundaries each IP falls in. Subjects with
        equal keys get equal answers from every tier, so one stands for all (egress probes, a
        controller's pods, a Service's backends). Kept per subject while the cuts are equal."""
        return self._alike_entry(s)[1]

    def alike_ids(self, subjects: Sequence[Subject]) -> list[int]:
        """Each subject's class number: equal when their alike_key is (a small int, cheap to
        group by, where the key is a tuple hashed afresh at every look-up)."""
        memo = self._alike_memo()
        out = []
        for s in subjects:
            hit = memo.get(id(s))
            out.append(hit[2] if hit is not None and hit[0] is s else self._alike_entry(s)[2])
        return out

    def _alike_memo(self) -> dict[int, tuple[Subject, object, int]]:
        cuts = self.class_cuts()
        held, memo, numbers = self._alike
        if held is not cuts:
            if held != cuts:
                memo, numbers = {}, {}
            self._alike = (cuts, memo, numbers)
        return memo

    def _alike_entry(self, s: Subject) -> tuple[Subject, object, int]:
        memo = self._alike_memo()
        hit = memo.get(id(s))
        if hit is not None and hit[0] is s:
            return hit
        cuts, _, numbers = self._alike
        if len(memo) > 4 * (self.state.count("Pod") + 64):
            memo.clear()  # subjects of pods long gone: keep it bounded
            numbers.clear()  # (numbers go on counting: one given before stays unique)
        segments = frozenset((ip.version, bisect.bisect_right(cuts.get(ip.version, ()), int(ip))) for ip in s.ips)
        key = (s.namespace, s.label_set, s.service_account, s.ports, s.host_network, segments)
        number = numbers.get(key, -1)
        if number < 0:
            number = numbers[key] = self._alike_count
            self._alike_count += 1
        hit = memo[id(s)] = (s, key, number)
        return hit

    def external_ranges(self, direction: str) -> list[ExternalRange]:
        """The address space cut at every tier's boundaries for the direction (cached per version)."""
        self._check_version()
        found = self._ranges.get(direction)
        if found is None:
            found = self._ranges[direction] = split_ranges(self.boundaries(direction))
        return found

    # --- one port ---------------------------------------------------------------------------

    def direction_verdict(
        self, subject: Subject, other: Peer, direction: str, port: int, protocol: str
    ) -> DirectionVerdict:
        """Does `subject` allow traffic with `other` in `direction` on port/protocol?"""
        sides = self.select(subject, direction)
        if not sides:
            return DirectionVerdict(direction, True)
        dst = subject if direction == "ingress" else (other if isinstance(other, Subject) else None)
        per_tier: list[tuple[TierSide, Matched]] = []
        for tier, side in sides:
            matched: list[tuple[TierRule, int | Unknown | None, int | None]] = []
            if side.unknown is None:
                for rule in side.rules:
                    peer = tier.peer_index(rule, other)
                    if peer is False:
                        continue
                    port_index = rule.port_index(dst, port, protocol)
                    if port_index is not False:
                        matched.append((rule, peer, port_index))
            per_tier.append((side, matched))
        d = combine_port(per_tier)
        deciding = [r for r in d.rules if r.action != PASS]
        isolating = [s for _, s in sides if s.end is End.DENY]
        if deciding:
            label = deciding[0].tier
        else:
            label = d.tier if d.tier is not None and (not d.allowed or d.unknown) else TIER_NETPOL
        return DirectionVerdict(
            direction, d.allowed, isolated=bool(isolating),
            policies=tuple(p for s in isolating for p in s.policies),
            rules=d.rules, tier=label,
            admin_policies=tuple(p for _, s in sides if s.end is not End.DENY for p in s.policies),
            unknown=d.unknown, action=("Allow" if d.allowed else "Deny") if deciding else None,
            decided_by=d.tier)

    def can_reach(self, src: Peer, dst: Peer, port: int, protocol: str) -> Verdict:
        if isinstance(src, Subject):
            egress = self.direction_verdict(src, dst, "egress", port, protocol)
        else:
            egress = DirectionVerdict("egress", True, evaluated=False)
        if isinstance(dst, Subject):
            ingress = self.direction_verdict(dst, src, "ingress", port, protocol)
        else:
            ingress = DirectionVerdict("ingress", True, evaluated=False)
        return Verdict(str(src), str(dst), port, protocol, egress, ingress)

    # --- port sets --------------------------------------------------------------------------

    def direction_sets(self, subject: Subject, other: Peer, direction: str) -> SetResult:
        """What `subject` allows with `other` in `direction`, and what it cannot tell."""
        sides = self.select(subject, direction)
        if not sides:
            return SetResult(ALL)
        dst = subject if direction == "ingress" else (other if isinstance(other, Subject) else None)
        spec = []
        for tier, side in sides:
            known = side.unknown is None
            rules: list[tuple[str, PortSet]] = []
            for rule in side.rules if known else ():
                peer = tier.peer_index(rule, other)
                if peer is False or (isinstance(peer, Unknown) and rule.action == LOG):
                    continue
                rules.append((MAYBE if isinstance(peer, Unknown) else rule.action, rule.port_set(dst)))
            spec.append((side.mode, side.end, known, rules))
        return combine_sets_unknown(spec)

    def allowed_ports(self, subject: Subject, other: Peer, direction: str) -> PortSet:
        """Everything `subject` surely allows with `other` in `direction`, every tier considered."""
        return self.direction_sets(subject, other, direction).allowed

    def connection(self, src: Peer, dst: Peer) -> PortSet:
        """What src may open to dst: src's egress intersected with dst's ingress."""
        out = self.allowed_ports(src, dst, "egress") if isinstance(src, Subject) else ALL
        if out and isinstance(dst, Subject):
            out = out & self.allowed_ports(dst, src, "ingress")
        return out

    def restricts(self, subject: Subject, direction: str) -> bool:
        """Some tier may refuse something in `direction`: an isolating side, a Deny rule, or unknown."""
        return any(s.end is End.DENY or s.unknown is not None or any(r.action not in (ALLOW, PASS, LOG)
                                                                    for r in s.rules)
                   for _, s in self.select(subject, direction))

    # --- NetworkPolicy and admin conveniences (findings, posture, screens) -------------------

    def netpol_tier(self) -> NetworkPolicyTier:
        """The NetworkPolicy tier (a stand-alone one when another family holds its place)."""
        self._check_version()
        if self._netpol is None:
            found = [t for t in self._tiers if isinstance(t, NetworkPolicyTier)]
            self._netpol = found[0] if found else NetworkPolicyTier(self.state, self.ctx)
            assert self._netpol is not None
        return self._netpol

    def policies_in(self, namespace: str) -> list[CompiledPolicy]:
        return self.netpol_tier().policies_in(namespace)

    def selecting(self, subject: Subject, direction: str) -> list[CompiledPolicy]:
        """The NetworkPolicies selecting the subject for `direction`."""
        return self.netpol_tier().selecting(subject, direction)

    def ns_labels(self, namespace: str) -> dict[str, str]:
        self._check_version()
        return self.ctx.ns_labels(namespace)

    def admin_selecting(self, subject: Subject, direction: str) -> tuple[tuple[CompiledAdminPolicy, ...],
                                                                          tuple[CompiledAdminPolicy, ...]]:
        """(Admin tier, Baseline tier) policies selecting the subject in `direction`."""
        admin: list[CompiledAdminPolicy] = []
        baseline: list[CompiledAdminPolicy] = []
        for tier, side in self.select(subject, direction):
            if isinstance(tier, AdminTier):
                (admin if tier.label == "Admin" else baseline).extend(
                    cast(Sequence[CompiledAdminPolicy], side.sources))
        return tuple(admin), tuple(baseline)


NetpolEngine = PolicyEngine
