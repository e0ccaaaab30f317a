"""What every check reads, computed once per run: subjects, the engine, workloads, completeness.

`complete` says whether the state is the whole cluster (a live, unscoped snapshot) or only some
manifests. Manifests leave things out (kube-system, other teams' namespaces, Secrets made by
cert-manager), so checks that would otherwise accuse a missing object hold back there.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from ktui.analysis.core.subjects import Subject, WorkloadId, cluster_subjects
from ktui.analysis.findings.catalogue import ObjectRef, ref
from ktui.analysis.policy import CompiledPolicy, NetpolEngine
from ktui.model.core import NS_NAME_LABEL
from ktui.model.meta import controller_of
from ktui.model.selectors import LabelSelector
from ktui.store import ClusterState

SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})


class CheckContext:
    """The shared reading of one state for every check; `engine` and `subjects` come from the
    state's Analysis when there is one, so `ktui check` and the screens count the same pods."""

    def __init__(self, state: ClusterState, complete: bool = False, unseen: frozenset[str] = frozenset(), *,
                 engine: NetpolEngine | None = None, subjects: list[Subject] | None = None) -> None:
        self.state = state
        self.complete = complete
        self.unseen = unseen  # kinds not listed (forbidden, not installed): judge nothing by them
        self.engine = engine if engine is not None else NetpolEngine(state)
        self.subjects = subjects if subjects is not None else cluster_subjects(state)
        self.by_ns: dict[str, list[Subject]] = defaultdict(list)
        for s in self.subjects:
            self.by_ns[s.namespace].append(s)
        self.memo: dict[Any, Any] = {}  # per-run caches of the checks
        self.namespaces = state.namespace_names()
        self.ns_labels = {ns: self.engine.ns_labels(ns) for ns in self.namespaces}

    # ------------------------------------------------------------ workloads
    def top_workload(self, wid: WorkloadId) -> ObjectRef:
        """The outermost owner (a ReplicaSet's Deployment), with its file:line when known."""
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
        return [s for s in self.by_ns.get(cp.namespace, ()) if cp.selector.matches(s.labels)]

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
