"""One pod's policy picture, generic over tiers: per direction, the tiers in evaluation order with
the policies selecting the pod in each; and who can reach it. Structured data only: render/
turns it into words (render/netpol_text.py, render/words.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from ktui.analysis.core.subjects import Subject, cluster_subjects, pod_subject, template_subject
from ktui.analysis.policy.admin_rules import CompiledAdminPolicy
from ktui.analysis.policy.connectivity import Connection, ConnectivityBuilder
from ktui.analysis.policy.engine import PolicyEngine
from ktui.analysis.policy.networkpolicy import CompiledPolicy
from ktui.analysis.policy.tier import End, Mode, TierSide
from ktui.model.core import WORKLOAD_KINDS
from ktui.store import ClusterState


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    """One selecting policy: enough for a renderer; `compiled` lets render/words describe its rules."""

    kind: str
    namespace: str  # "" for cluster-scoped kinds
    name: str
    ref: str  # ns/name or Kind/name, as RuleRef.policy
    tier: str  # the label its rules carry (RuleRef.tier)
    priority: int | None
    compiled: object


@dataclass(frozen=True, slots=True)
class TierExplanation:
    tier: str  # the tier's label: Admin, NetworkPolicy, Baseline, ...
    mode: Mode
    end: End  # DENY: the pod is isolated by this tier (what no rule allows is denied)
    policies: tuple[PolicyInfo, ...]  # in evaluation order
    unknown: str | None = None  # the tier cannot say which of its policies select the pod


@dataclass(frozen=True, slots=True)
class DirectionExplanation:
    direction: str
    tiers: tuple[TierExplanation, ...] = ()  # the tiers selecting the pod, in evaluation order

    @property
    def isolated(self) -> bool:
        """Some isolating tier (NetworkPolicy, Cilium...) selects the pod this way."""
        return any(t.end is End.DENY for t in self.tiers)

    def _compiled(self, tier: str) -> tuple[object, ...]:
        return tuple(p.compiled for t in self.tiers if t.tier == tier for p in t.policies)

    @property
    def policies(self) -> tuple[CompiledPolicy, ...]:
        """The NetworkPolicies selecting the pod this way."""
        return cast(tuple[CompiledPolicy, ...], self._compiled("NetworkPolicy"))

    @property
    def admin(self) -> tuple[CompiledAdminPolicy, ...]:
        return cast(tuple[CompiledAdminPolicy, ...], self._compiled("Admin"))

    @property
    def baseline(self) -> tuple[CompiledAdminPolicy, ...]:
        return cast(tuple[CompiledAdminPolicy, ...], self._compiled("Baseline"))


@dataclass(frozen=True, slots=True)
class Explanation:
    subject: Subject
    ingress: DirectionExplanation
    egress: DirectionExplanation
    inbound: tuple[Connection, ...]  # who can reach it
    outbound: tuple[Connection, ...]  # what it can reach


def resolve_subject(state: ClusterState, ref: str, default_ns: str = "default") -> Subject | None:
    """`ns/name` or `name`: a pod by name, else a workload (its template, or one of its pods)."""
    ns, _, name = ref.rpartition("/")
    ns = ns or default_ns
    pod = state.get("Pod", ns, name)
    if pod is not None:
        return pod_subject(pod)
    for kind in WORKLOAD_KINDS:
        workload = state.get(kind, ns, name)
        if workload is None:
            continue
        for s in cluster_subjects(state):
            if s.workload.namespace == ns and s.workload.name == name:
                return s
        return template_subject(workload)
    for s in cluster_subjects(state):
        if s.namespace == ns and s.workload.name == name:
            return s
    return None


def policy_info(compiled: object, ref: str, tier: str) -> PolicyInfo:
    """What a renderer needs of one selecting policy, for the families ktui knows the shape of."""
    if isinstance(compiled, CompiledPolicy):
        return PolicyInfo("NetworkPolicy", compiled.namespace, compiled.name, ref, tier, None, compiled)
    if isinstance(compiled, CompiledAdminPolicy):
        priority = None if compiled.kind == "BaselineAdminNetworkPolicy" else compiled.priority
        return PolicyInfo(compiled.kind, "", compiled.name, ref, compiled.label, priority, compiled)
    kind, _, rest = ref.partition("/")
    namespace, _, name = rest.rpartition("/") if "/" in rest else ("", "", rest)
    return PolicyInfo(str(getattr(compiled, "kind", kind)), str(getattr(compiled, "namespace", namespace)),
                      str(getattr(compiled, "name", name)), ref, tier, getattr(compiled, "priority", None), compiled)


def _tier(side: TierSide) -> TierExplanation:
    sources: Sequence[object] = side.sources or (None,) * len(side.policies)
    infos = tuple(policy_info(c, ref, side.tier) for c, ref in zip(sources, side.policies, strict=False))
    return TierExplanation(side.tier, side.mode, side.end, infos, side.unknown)


def explain_direction(engine: PolicyEngine, subject: Subject, direction: str) -> DirectionExplanation:
    return DirectionExplanation(direction, tuple(_tier(side) for _, side in engine.select(subject, direction)))


def explain(state: ClusterState, subject: Subject, engine: PolicyEngine | None = None,
            with_reachability: bool = True) -> Explanation:
    engine = engine or PolicyEngine(state)
    ingress, egress = (explain_direction(engine, subject, d) for d in ("ingress", "egress"))
    inbound: tuple[Connection, ...] = ()
    outbound: tuple[Connection, ...] = ()
    if with_reachability:
        conns = ConnectivityBuilder(state, engine).build(focus=subject.workload)
        me = str(subject.workload)
        inbound = tuple(c for c in conns if c.dst == me)
        outbound = tuple(c for c in conns if c.src == me)
    return Explanation(subject, ingress, egress, inbound, outbound)
