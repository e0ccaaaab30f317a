"""One pod's policy picture: what selects it per direction (admin tier, NetworkPolicy, baseline
tier), and who can reach it."""

from __future__ import annotations

from dataclasses import dataclass

from ktui.analysis.core.subjects import Subject, cluster_subjects, pod_subject, template_subject
from ktui.analysis.policy.admin_rules import CompiledAdminPolicy
from ktui.analysis.policy.connectivity import Connection, ConnectivityBuilder
from ktui.analysis.policy.engine import NetpolEngine
from ktui.analysis.policy.netpol_rules import CompiledPolicy
from ktui.model.core import WORKLOAD_KINDS
from ktui.store import ClusterState


@dataclass(frozen=True, slots=True)
class DirectionExplanation:
    direction: str
    isolated: bool  # some NetworkPolicy selects the pod this way
    policies: tuple[CompiledPolicy, ...]  # those NetworkPolicies
    admin: tuple[CompiledAdminPolicy, ...] = ()  # admin-tier policies selecting it, in evaluation order
    baseline: tuple[CompiledAdminPolicy, ...] = ()  # baseline-tier policies (they apply only if not isolated)


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


def explain(state: ClusterState, subject: Subject, engine: NetpolEngine | None = None,
            with_reachability: bool = True) -> Explanation:
    engine = engine or NetpolEngine(state)
    sides = [
        DirectionExplanation(d, bool(nps), nps, *engine.admin_selecting(subject, d))
        for d in ("ingress", "egress")
        for nps in [tuple(engine.selecting(subject, d))]
    ]
    inbound: tuple[Connection, ...] = ()
    outbound: tuple[Connection, ...] = ()
    if with_reachability:
        conns = ConnectivityBuilder(state, engine).build(focus=subject.workload)
        me = str(subject.workload)
        inbound = tuple(c for c in conns if c.dst == me)
        outbound = tuple(c for c in conns if c.src == me)
    return Explanation(subject, sides[0], sides[1], inbound, outbound)
