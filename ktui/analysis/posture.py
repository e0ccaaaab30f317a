"""Per-namespace posture summaries, recomputed only for the namespaces a change touches.

A pod or policy change touches its own namespace; a Namespace label change, or a change to the
DNS pods, can change answers anywhere (namespaceSelectors, the DNS flag), so it touches all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ktui.analysis.egress import EgressClass, EgressPosture, dns_subjects, egress_posture
from ktui.analysis.netpol import NetpolEngine
from ktui.analysis.subjects import Subject, cluster_subjects
from ktui.store import Change, ClusterState

# Kinds whose changes can alter NetworkPolicy answers.
POLICY_KINDS = frozenset({"Pod", "NetworkPolicy", "Namespace", *(
    "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController",
)})
GLOBAL_KINDS = frozenset({"Namespace", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy",
                          "ClusterNetworkPolicy"})


@dataclass(frozen=True, slots=True)
class PodPosture:
    subject: Subject
    ingress_isolated: bool
    ingress_policies: tuple[str, ...]
    egress: EgressPosture

    @property
    def egress_isolated(self) -> bool:
        return self.egress.cls is not EgressClass.OPEN


@dataclass(frozen=True, slots=True)
class NamespacePosture:
    namespace: str
    pods: tuple[PodPosture, ...]
    policies: int
    egress_counts: dict[EgressClass, int] = field(default_factory=dict)

    @property
    def ingress_isolated(self) -> int:
        return sum(p.ingress_isolated for p in self.pods)

    @property
    def egress_isolated(self) -> int:
        return sum(p.egress_isolated for p in self.pods)

    @property
    def dns_blocked(self) -> int:
        return sum(not p.egress.dns for p in self.pods)

    @property
    def most_open_egress(self) -> EgressClass | None:
        """The most open class any pod of the namespace has (None: no pods)."""
        return min((p.egress.cls for p in self.pods), key=lambda c: c.rank, default=None)


def namespace_posture(
    state: ClusterState,
    engine: NetpolEngine,
    namespace: str,
    subjects: Iterable[Subject],
    dns: list[Subject],
) -> NamespacePosture:
    pods = []
    for s in subjects:
        ingress = engine.selecting(s, "ingress")
        pods.append(
            PodPosture(s, bool(ingress), tuple(cp.ref for cp in ingress), egress_posture(engine, s, dns))
        )
    counts = Counter(p.egress.cls for p in pods)
    return NamespacePosture(namespace, tuple(pods), len(state.policies(namespace)), dict(counts))


class PostureIndex:
    """Keeps a NamespacePosture per namespace; `update` recomputes only what changes touch."""

    def __init__(self, state: ClusterState, engine: NetpolEngine | None = None) -> None:
        self.state = state
        self.engine = engine or NetpolEngine(state)
        self.by_namespace: dict[str, NamespacePosture] = {}
        self.recompute(None)

    def recompute(self, namespaces: set[str] | None) -> set[str]:
        """Recompute the given namespaces (None: all). Returns those whose posture changed."""
        subjects = cluster_subjects(self.state)
        dns = dns_subjects(self.state)
        by_ns: dict[str, list[Subject]] = {}
        for s in subjects:
            by_ns.setdefault(s.namespace, []).append(s)
        names = set(self.state.namespace_names())
        targets = names if namespaces is None else namespaces & names
        changed = set()
        for ns in sorted(targets):
            new = namespace_posture(self.state, self.engine, ns, by_ns.get(ns, ()), dns)
            if self.by_namespace.get(ns) != new:
                self.by_namespace[ns] = new
                changed.add(ns)
        for gone in set(self.by_namespace) - names:
            del self.by_namespace[gone]
            changed.add(gone)
        return changed

    def update(self, changes: Iterable[Change]) -> set[str]:
        touched: set[str] = set()
        dns = dns_subjects(self.state)
        dns_keys = {(s.namespace, s.name) for s in dns}
        dns_namespaces = {s.namespace for s in dns}
        for c in changes:
            if c.kind in GLOBAL_KINDS or (c.kind == "Pod" and (c.namespace, c.name) in dns_keys):
                return self.recompute(None)
            if c.kind in POLICY_KINDS:
                # Selection is namespace-local, so a pod or policy change moves only its own
                # namespace -- except in the DNS pods' namespace, where it moves every DNS flag.
                if c.namespace in dns_namespaces:
                    return self.recompute(None)
                touched.add(c.namespace)
        return self.recompute(touched) if touched else set()
