"""NetworkPolicy semantics (networking.k8s.io/v1): selection, isolation, verdicts with reasons.

A pod is isolated for a direction when some policy of that type selects it; then the allowed
traffic is the union of those policies' rules. A connection is allowed when the source's egress
and the destination's ingress both allow it. Every verdict names the rules that decided it.
Admin policies decide before (admin tier) and after (baseline tier) NetworkPolicy: see
adminpolicy.py; with none in the state the NetworkPolicy-only paths run unchanged.
"""

from __future__ import annotations

from ktui.analysis.core.portset import ALL, EMPTY, PortSet
from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.core.verdicts import TIER_NETPOL, DirectionVerdict, RuleRef, Verdict
from ktui.analysis.policy.admin_eval import AdminEvaluator, Selecting
from ktui.analysis.policy.admin_tiers import AdminTiers, combine
from ktui.analysis.policy.netpol_rules import (
    CompiledPolicy,
    CompiledRule,
    compile_policy,
    first_port_index,
    named_ports,
    peer_matches_external,
    peer_matches_subject,
)
from ktui.store import ClusterState

Peer = Subject | ExternalRange
DIRECTIONS = ("ingress", "egress")
__all__ = ["DIRECTIONS", "TIER_NETPOL", "DirectionVerdict", "NetpolEngine", "Peer", "RuleRef", "Verdict"]


class NetpolEngine:
    """Evaluates NetworkPolicy, and the admin tiers around it, over one ClusterState.

    Compiled policies are cached per object; selection answers per state version.
    """

    def __init__(self, state: ClusterState) -> None:
        self.state = state
        self._compiled: dict[tuple[str, str], CompiledPolicy] = {}
        self._version = -1
        self._ns_labels: dict[str, dict[str, str]] = {}
        self._ns_policies: dict[str, list[CompiledPolicy]] = {}
        self._selecting: dict[tuple[str, str, frozenset[tuple[str, str]]], list[CompiledPolicy]] = {}
        self.admin = AdminEvaluator(state, self.ns_labels)

    def _check_version(self) -> None:
        """Per-state caches are valid for one version of the state; compiled policies for good."""
        if self._version != self.state.version:
            self._ns_labels.clear()
            self._ns_policies.clear()
            self._selecting.clear()
            self.admin.reset()
            self._version = self.state.version

    def policies_in(self, namespace: str) -> list[CompiledPolicy]:
        self._check_version()
        cached = self._ns_policies.get(namespace)
        if cached is not None:
            return cached
        out = []
        for np in self.state.policies(namespace):
            key = (namespace, np.metadata.name)
            cp = self._compiled.get(key)
            if cp is None or cp.policy is not np:
                cp = self._compiled[key] = compile_policy(np)
            out.append(cp)
        out.sort(key=lambda c: c.name)
        self._ns_policies[namespace] = out
        return out

    def ns_labels(self, namespace: str) -> dict[str, str]:
        self._check_version()
        labels = self._ns_labels.get(namespace)
        if labels is None:
            labels = self._ns_labels[namespace] = self.state.namespace_labels(namespace)
        return labels

    def selecting(self, subject: Subject, direction: str) -> list[CompiledPolicy]:
        """NetworkPolicies of the subject's namespace that select it and apply to `direction`.

        Cached by (namespace, labels): the replicas of a workload share the answer.
        """
        self._check_version()
        key = (subject.namespace, direction, frozenset(subject.labels.items()))
        found = self._selecting.get(key)
        if found is None:
            found = self._selecting[key] = [
                cp
                for cp in self.policies_in(subject.namespace)
                if cp.applies(direction) and cp.selector.matches(subject.labels)
            ]
        return found

    def admin_tiers(self) -> AdminTiers:
        """The state's admin policies in evaluation order (empty when it has none)."""
        self._check_version()
        return self.admin.tiers()

    def admin_selecting(self, subject: Subject, direction: str) -> Selecting:
        """(admin tier, baseline tier) policies selecting the subject in `direction`."""
        self._check_version()
        return self.admin.selecting(subject, direction)

    def peer_matches(self, cp: CompiledPolicy, rule: CompiledRule, peer: Peer) -> int | bool | None:
        """The index of the first matching peer entry, None if the rule has no peers, else False."""
        if rule.peers is None:
            return None
        for p in rule.peers:
            if isinstance(peer, ExternalRange):
                if peer_matches_external(p, peer):
                    return p.index
            elif peer_matches_subject(p, cp.namespace, peer, self.ns_labels):
                return p.index
        return False

    def _netpol_verdict(
        self, subject: Subject, other: Peer, direction: str, port: int, protocol: str
    ) -> DirectionVerdict:
        policies = self.selecting(subject, direction)
        if not policies:
            return DirectionVerdict(direction, True)
        dst = subject if direction == "ingress" else other
        dst_ports = named_ports(dst) if isinstance(dst, Subject) else None
        matched: list[RuleRef] = []
        for cp in policies:
            for rule in cp.rules(direction):
                peer_index = self.peer_matches(cp, rule, other)
                if peer_index is False:
                    continue
                port_index = first_port_index(rule.ports, dst_ports, port, protocol)
                if port_index is False:
                    continue
                matched.append(
                    RuleRef(cp.ref, direction, rule.index, peer_index, port_index)
                )
        return DirectionVerdict(
            direction,
            bool(matched),
            isolated=True,
            policies=tuple(cp.ref for cp in policies),
            rules=tuple(matched),
        )

    def direction_verdict(
        self, subject: Subject, other: Peer, direction: str, port: int, protocol: str
    ) -> DirectionVerdict:
        """Does `subject` allow traffic with `other` in `direction` on port/protocol?

        The admin tier's first matching rule decides if it allows or denies; a Pass (or no match)
        goes on to NetworkPolicy when one selects the pod, else to the baseline tier, else allowed.
        """
        admin, baseline = self.admin_selecting(subject, direction)
        if not admin and not baseline:
            return self._netpol_verdict(subject, other, direction, port, protocol)
        names = tuple(cp.ref for cp in admin + baseline)
        dst = subject if direction == "ingress" else other
        passed: tuple[RuleRef, ...] = ()
        hit = self.admin.first_hit(admin, direction, other, dst, port, protocol)
        if hit is not None:
            if hit.rule.verdict != "Pass":
                np_refs = tuple(cp.ref for cp in self.selecting(subject, direction))
                return DirectionVerdict(direction, hit.rule.verdict == "Allow", isolated=bool(np_refs),
                                        policies=np_refs, rules=(hit.ref(),), tier=hit.policy.label,
                                        admin_policies=names)
            passed = (hit.ref(),)
        v = self._netpol_verdict(subject, other, direction, port, protocol)
        if v.isolated:
            return DirectionVerdict(direction, v.allowed, isolated=True, policies=v.policies,
                                    rules=passed + v.rules, admin_policies=names)
        hit = self.admin.first_hit(baseline, direction, other, dst, port, protocol)
        if hit is None:
            return DirectionVerdict(direction, True, rules=passed, admin_policies=names)
        if hit.rule.verdict == "Pass":  # a Baseline-tier CNP passing: the default, allowed
            return DirectionVerdict(direction, True, rules=(*passed, hit.ref()), admin_policies=names)
        return DirectionVerdict(direction, hit.rule.verdict == "Allow", rules=(*passed, hit.ref()),
                                tier=hit.policy.label, admin_policies=names)

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

    def _netpol_ports(self, policies: list[CompiledPolicy], other: Peer, direction: str, dst: Peer) -> PortSet:
        """The union of the ports the given (selecting) NetworkPolicies allow with `other`."""
        dst_ports = named_ports(dst) if isinstance(dst, Subject) else None
        allowed = EMPTY
        for cp in policies:
            for rule in cp.rules(direction):
                if self.peer_matches(cp, rule, other) is not False:
                    allowed = allowed | rule.port_set(dst_ports)
                    if allowed.is_all():
                        return allowed
        return allowed

    def allowed_ports(self, subject: Subject, other: Peer, direction: str) -> PortSet:
        """Everything `subject` allows with `other` in `direction`, every tier considered."""
        policies = self.selecting(subject, direction)
        dst = subject if direction == "ingress" else other
        admin, baseline = self.admin_selecting(subject, direction)
        if not admin and not baseline:
            return self._netpol_ports(policies, other, direction, dst) if policies else ALL
        allow, deny = self.admin.tier_sets(admin, direction, other, dst)
        if policies:
            return combine(allow, deny, self._netpol_ports(policies, other, direction, dst), EMPTY)
        _, baseline_deny = self.admin.tier_sets(baseline, direction, other, dst)
        return combine(allow, deny, None, baseline_deny)

    def connection(self, src: Peer, dst: Peer) -> PortSet:
        """What src may open to dst: src's egress intersected with dst's ingress."""
        out = self.allowed_ports(src, dst, "egress") if isinstance(src, Subject) else ALL
        if not out:
            return out
        if isinstance(dst, Subject):
            out = out & self.allowed_ports(dst, src, "ingress")
        return out


PolicyEngine = NetpolEngine
