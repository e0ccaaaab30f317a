"""Workloads named as Kubernetes users name them: a pod of a ReplicaSet owned by a Deployment is
the Deployment's pod, a pod of a Job owned by a CronJob is the CronJob's.

The connectivity contract names the direct controller (`ns/web-7d9f[ReplicaSet]`); screens and
tables name the top of the chain. The chain is read from the ReplicaSets and Jobs in the store
(watched metadata-only); when the ReplicaSet is not in view (manifests), a ReplicaSet whose name
is `<deployment>-<pod-template-hash>` is taken as that Deployment's, which is how the Deployment
controller names them.
"""

from __future__ import annotations

from ktui.analysis.core.subjects import Subject, WorkloadId
from ktui.model.meta import controller_of
from ktui.store import ClusterState

HASH_LABEL = "pod-template-hash"
_PARENTS = {"ReplicaSet": "Deployment", "Job": "CronJob"}


def owning_workload(state: ClusterState, w: WorkloadId, labels: dict[str, str] | None = None) -> WorkloadId:
    """The workload at the top of `w`'s controller chain (w itself when nothing owns it)."""
    parent_kind = _PARENTS.get(w.kind)
    if parent_kind is None:
        return w
    obj = state.get(w.kind, w.namespace, w.name)
    if obj is not None:
        ref = controller_of(obj.metadata)
        if ref is not None and ref.kind == parent_kind:
            return WorkloadId(w.namespace, ref.name, ref.kind)
        return w
    if w.kind == "ReplicaSet" and labels:
        suffix = labels.get(HASH_LABEL, "")
        if suffix and w.name.endswith("-" + suffix) and len(w.name) > len(suffix) + 1:
            return WorkloadId(w.namespace, w.name[: -len(suffix) - 1], "Deployment")
    return w


def display_workload(state: ClusterState, s: Subject) -> WorkloadId:
    """What a screen calls the pod's workload: the top owner, or the pod itself."""
    return owning_workload(state, s.workload, dict(s.labels))


def workload_label(w: WorkloadId) -> str:
    """`Deployment web`, or `Pod web-0` for a pod with no controller."""
    return f"{w.kind} {w.name}"
