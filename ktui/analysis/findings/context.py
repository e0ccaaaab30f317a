"""What every check reads, computed once per run: subjects, the engine, workloads, completeness.

`complete` says whether the state is the whole cluster (a live, unscoped snapshot) or only some
manifests. Manifests leave things out (kube-system, other teams' namespaces, Secrets made by
cert-manager), so checks that would otherwise accuse a missing object hold back there.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import msgspec

from ktui.analysis.core.subjects import Subject, WorkloadId, cluster_subjects
from ktui.analysis.findings.catalogue import ObjectRef, ref
from ktui.analysis.findings.label_groups import LabelGroups
from ktui.analysis.policy import CompiledPolicy, EgressPosture, NetpolEngine, dns_subjects, egress_posture
from ktui.model.core import NS_NAME_LABEL
from ktui.model.meta import controller_of
from ktui.model.selectors import LabelSelector
from ktui.store import ClusterState

SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})


class CheckContext:
    """The shared reading of one state for every check; `engine`, `subjects` and `egress` come from
    the state's Analysis when there is one, so `ktui check` and the screens count the same pods
    and read the same egress classes (the posture's, computed once for both)."""

    def __init__(self, state: ClusterState, complete: bool = False, unseen: frozenset[str] = frozenset(), *,
                 engine: NetpolEngine | None = None, subjects: list[Subject] | None = None,
                 egress: Callable[[Subject], EgressPosture] | None = None) -> None:
        self.state = state
        self.complete = complete
        self.unseen = unseen  # kinds not listed (forbidden, not installed): judge nothing by them
        self.engine = engine if engine is not None else NetpolEngine(state)
        self.subjects = subjects if subjects is not None else cluster_subjects(state)
        self.by_ns: dict[str, list[Subject]] = defaultdict(list)
        for s in self.subjects:
            self.by_ns[s.namespace].append(s)
        self.groups = LabelGroups(self.by_ns)  # selectors matched per label set, not per pod
        self.memo: dict[Any, Any] = {}  # per-run caches of the checks
        self._tops: dict[WorkloadId, ObjectRef] = {}
        self.namespaces = state.namespace_names()
        self.ns_labels = {ns: self.engine.ns_labels(ns) for ns in self.namespaces}
        self._egress = egress
        self._dns: list[Subject] | None = None

    def egress(self, subject: Subject) -> EgressPosture:
        """The subject's egress class and DNS flag: the Analysis's (the posture's) when given."""
        if self._egress is not None:
            return self._egress(subject)
        if self._dns is None:
            self._dns = dns_subjects(self.state)
        return egress_posture(self.engine, subject, self._dns)

    # ------------------------------------------------------------ workloads
    def top_workload(self, wid: WorkloadId) -> ObjectRef:
        """The outermost owner (a ReplicaSet's Deployment), with its file:line when known."""
        found = self._tops.get(wid)
        if found is None:
            found = self._tops[wid] = self._top_workload(wid)
        return found

    def _top_workload(self, wid: WorkloadId) -> ObjectRef:
        kind, ns, name = wid.kind, wid.namespace, wid.name
        for _ in range(5):
            obj = self.state.get(kind, ns, name)
            owner = controller_of(obj.metadata) if obj is not None else None
            if owner is None:
                break
            kind, name = owner.kind, owner.name
        return ref(self.state, kind, ns, name)

    def policy_ref(self, cp: CompiledPolicy) -> ObjectRef:
        return ref(self.state, "NetworkPolicy", cp.namespace, cp.name)

    def selected(self, cp: CompiledPolicy) -> list[Subject]:
        """The subjects the policy's podSelector picks, in their namespace's order."""
        return self.groups.matching(cp.namespace, cp.selector)

    def pods_matching(self, namespace: str, selector: LabelSelector) -> list[Subject]:
        """The subjects of `namespace` that `selector` picks, in the namespace's order."""
        return self.groups.matching(namespace, selector)

    def namespaces_matching(self, selector: LabelSelector) -> list[str]:
        """The namespaces (sorted) whose labels `selector` matches, once per distinct selector."""
        key = ("namespaces-matching", msgspec.json.encode(selector))
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = [ns for ns, labels in self.ns_labels.items() if selector.matches(labels)]
        return list(found)

    def policies(self) -> list[CompiledPolicy]:
        return [cp for ns in self.namespaces for cp in self.engine.policies_in(ns)]

    def known_namespace(self, ns: str) -> bool:
        """A namespace whose workloads are in view: in manifests, one that has some, and never a
        system namespace (rendered manifests carry a CNI DaemonSet there, not kube-dns)."""
        if self.complete:
            return True
        return ns not in SYSTEM_NAMESPACES and bool(self.by_ns.get(ns))


def group_by_workload(ctx: CheckContext, subjects: Iterable[Subject]) -> dict[ObjectRef, list[Subject]]:
    out: dict[ObjectRef, list[Subject]] = {}
    for s in subjects:
        out.setdefault(ctx.top_workload(s.workload), []).append(s)
    return out


def describe_labels(labels: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "<none>"


def suggest(selector: LabelSelector, label_sets: Iterable[Mapping[str, str]]) -> str | None:
    """The nearest existing `key=value` to a matchLabels entry that matches nothing (a typo)."""
    if not selector.match_labels:
        return None
    pairs = {f"{k}={v}" for labels in label_sets for k, v in labels.items() if k != NS_NAME_LABEL}
    for key, value in sorted(selector.match_labels.items()):
        wanted = f"{key}={value}"
        if wanted in pairs:
            continue
        close = difflib.get_close_matches(wanted, sorted(pairs), n=1, cutoff=0.75)
        if close:
            return close[0]
    return None


def pinned_namespaces(selector: LabelSelector) -> set[str] | None:
    """The namespaces a namespaceSelector names by kubernetes.io/metadata.name, None if it doesn't."""
    names: set[str] | None = None
    value = (selector.match_labels or {}).get(NS_NAME_LABEL)
    if value is not None:
        names = {value}
    for req in selector.match_expressions or []:
        if req.key == NS_NAME_LABEL and req.operator == "In":
            vals = set(req.values or ())
            names = vals if names is None else names & vals
    return names
