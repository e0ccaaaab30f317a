"""Which network plugin runs, and whether it enforces NetworkPolicy, from what the cluster shows.

Evidence is the DaemonSets and pods of the plugins (usually in kube-system, but calico-system,
cilium, kube-flannel... too): their names, `k8s-app`/`app`/`app.kubernetes.io/name` labels and
container names. Any enforcing component wins (canal is calico + flannel); only non-enforcing
ones (flannel alone, aws-node without its policy agent) mean "not enforcing"; nothing recognised
means "unknown". ktui reads no container args or env, so an agent that is present is taken as
enabled (the VPC CNI agent also needs enableNetworkPolicy, which ktui cannot see).
"""

from __future__ import annotations

import enum
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ktui.model.core import PodSpec
from ktui.model.meta import controller_of
from ktui.store import ClusterState


class Enforcement(enum.Enum):
    ENFORCING = "enforcing"
    NOT_ENFORCING = "not enforcing"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Plugin:
    name: str
    enforces: bool | None  # None: depends on version/config ktui cannot see
    names: tuple[str, ...]  # DaemonSet names / label values / container names that identify it


PLUGINS: tuple[Plugin, ...] = (
    Plugin("Calico", True, ("calico-node",)),
    Plugin("Canal", True, ("canal",)),
    Plugin("Cilium", True, ("cilium", "cilium-agent")),
    Plugin("kube-router", True, ("kube-router",)),
    Plugin("Antrea", True, ("antrea-agent",)),
    Plugin("Weave Net (weave-npc)", True, ("weave-npc",)),
    Plugin("Azure NPM", True, ("azure-npm",)),
    Plugin("AWS VPC CNI network policy agent", True, ("aws-network-policy-agent", "aws-eks-nodeagent")),
    Plugin("OVN-Kubernetes", True, ("ovnkube-node",)),
    Plugin("kube-network-policies", True, ("kube-network-policies",)),
    Plugin("GKE Dataplane V2", True, ("anetd",)),
    Plugin("Weave Net", None, ("weave-net",)),  # enforcing through its weave-npc container
    Plugin("kindnet", None, ("kindnet", "kindnet-cni")),  # enforces since kind v0.24 only
    Plugin("Flannel", False, ("kube-flannel-ds", "kube-flannel", "flannel", "kube-flannel-ds-amd64")),
    Plugin("AWS VPC CNI (aws-node)", False, ("aws-node",)),
    Plugin("Azure CNI (azure-cns)", False, ("azure-cns",)),
)
_BY_NAME: dict[str, Plugin] = {n: p for p in PLUGINS for n in p.names}
_LABEL_KEYS = ("k8s-app", "app", "app.kubernetes.io/name", "name")


@dataclass(frozen=True, slots=True)
class Evidence:
    plugin: str
    enforces: bool | None
    kind: str  # DaemonSet or Pod
    namespace: str
    name: str
    how: str = ""  # "", or e.g. "container aws-eks-nodeagent"

    @property
    def what(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" + (f" ({self.how})" if self.how else "")

    def __str__(self) -> str:
        return f"{self.plugin}: {self.what}"


@dataclass(frozen=True, slots=True)
class CniVerdict:
    enforcement: Enforcement
    plugins: tuple[str, ...]
    evidence: tuple[Evidence, ...]

    def describe(self) -> str:
        if not self.evidence:
            return "unknown: no known network plugin in view"
        return f"{self.enforcement.value}: " + "; ".join(str(e) for e in self.evidence)


def _identifiers(name: str, labels: Mapping[str, str], spec: PodSpec | None) -> Iterator[tuple[str, str]]:
    """(identifier, how it was seen) for one DaemonSet or pod."""
    yield name, "name"
    for key in _LABEL_KEYS:
        if key in labels:
            yield labels[key], f"label {key}={labels[key]}"
    if spec is not None:
        for c in (*spec.containers, *spec.init_containers):
            yield c.name, f"container {c.name}"


def _scan(kind: str, ns: str, name: str, labels: Mapping[str, str], spec: PodSpec | None) -> list[Evidence]:
    found: dict[str, Evidence] = {}
    for ident, how in _identifiers(name, labels, spec):
        plugin = _BY_NAME.get(ident)
        if plugin is not None and plugin.name not in found:
            found[plugin.name] = Evidence(plugin.name, plugin.enforces, kind, ns, name, "" if how == "name" else how)
    # Weave: the policy controller is the weave-npc container; the DaemonSet alone says little.
    if "Weave Net (weave-npc)" in found:
        found.pop("Weave Net", None)
    return list(found.values())


def detect_cni(state: ClusterState) -> CniVerdict:
    """The verdict for the state as it is now (computed once per version: `ktui check` asks three
    times, and each look reads every pod)."""
    hit = _MEMO.get(state)
    if hit is None or hit[0] != state.version:
        hit = _MEMO[state] = (state.version, _detect(state))
    return hit[1]


# per state: (version, verdict); weak, so a dropped state goes with it
_MEMO: weakref.WeakKeyDictionary[ClusterState, tuple[int, CniVerdict]] = weakref.WeakKeyDictionary()


def _detect(state: ClusterState) -> CniVerdict:
    evidence: list[Evidence] = []
    daemonsets: set[tuple[str, str]] = set()
    for ds in state.objects("DaemonSet"):
        daemonsets.add((ds.metadata.namespace, ds.metadata.name))
        template = ds.pod_template()
        labels = template.metadata.labels if template is not None else ds.metadata.labels
        evidence += _scan("DaemonSet", ds.metadata.namespace, ds.metadata.name, labels,
                          template.spec if template is not None else None)
    for pod in state.pods():
        owner = controller_of(pod.metadata)
        if owner is not None and owner.kind == "DaemonSet" and (pod.metadata.namespace, owner.name) in daemonsets:
            continue  # its DaemonSet already told
        base = owner.name if owner is not None and owner.kind == "DaemonSet" else pod.metadata.name
        evidence += _scan("Pod", pod.metadata.namespace, base, pod.metadata.labels, pod.spec)
    unique: dict[tuple[str, str], Evidence] = {}
    for e in evidence:
        unique.setdefault((e.plugin, e.what), e)
    ev = tuple(sorted(unique.values(), key=lambda e: (e.plugin, e.what)))
    plugins = tuple(sorted({e.plugin for e in ev}))
    if any(e.enforces for e in ev):
        enforcement = Enforcement.ENFORCING
    elif ev and all(e.enforces is False for e in ev):
        enforcement = Enforcement.NOT_ENFORCING
    else:
        enforcement = Enforcement.UNKNOWN
    return CniVerdict(enforcement, plugins, ev)
