"""The kinds the embedded API server serves, as data: adding a kind is one line in RESOURCES.

Objects are stored once per (group, resource) whatever version they were written through; the
versions listed here are the ones discovery advertises and the paths accept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

READ_VERBS = ("get", "list", "watch")
STANDARD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")

GATEWAY = "gateway.networking.k8s.io"
GATEWAY_VERSIONS = ("v1", "v1beta1", "v1alpha2")
POLICY = "policy.networking.k8s.io"
AUTHZ = "authorization.k8s.io"
CILIUM = "cilium.io"
CALICO = "crd.projectcalico.org"


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One served resource (a plural name in a group) and how it behaves."""

    group: str
    versions: tuple[str, ...]
    name: str
    kind: str
    namespaced: bool = True
    status: bool = True
    """Whether it has a status subresource (PUT on the object then keeps the stored status)."""
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = STANDARD_VERBS
    virtual: bool = False
    """Create-only review resources: answered, never stored (SelfSubject*Review)."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.group, self.name)

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def preferred_version(self) -> str:
        return self.versions[0]

    def api_version(self, version: str | None = None) -> str:
        v = version or self.preferred_version
        return f"{self.group}/{v}" if self.group else v


def _gw(name: str, kind: str, namespaced: bool = True, status: bool = True) -> ResourceType:
    return ResourceType(GATEWAY, GATEWAY_VERSIONS, name, kind, namespaced, status)


def _review(name: str, kind: str) -> ResourceType:
    return ResourceType(AUTHZ, ("v1",), name, kind, False, False, verbs=("create",), virtual=True)


RESOURCES: tuple[ResourceType, ...] = (
    ResourceType("", ("v1",), "namespaces", "Namespace", False, short_names=("ns",)),
    ResourceType("", ("v1",), "nodes", "Node", False, short_names=("no",)),
    ResourceType("", ("v1",), "pods", "Pod", short_names=("po",)),
    ResourceType("", ("v1",), "replicationcontrollers", "ReplicationController", short_names=("rc",)),
    ResourceType("", ("v1",), "services", "Service", short_names=("svc",)),
    ResourceType("", ("v1",), "secrets", "Secret", status=False),
    ResourceType("discovery.k8s.io", ("v1",), "endpointslices", "EndpointSlice", status=False),
    ResourceType("apps", ("v1",), "replicasets", "ReplicaSet", short_names=("rs",)),
    ResourceType("apps", ("v1",), "deployments", "Deployment", short_names=("deploy",)),
    ResourceType("apps", ("v1",), "daemonsets", "DaemonSet", short_names=("ds",)),
    ResourceType("apps", ("v1",), "statefulsets", "StatefulSet", short_names=("sts",)),
    ResourceType("batch", ("v1",), "jobs", "Job"),
    ResourceType("batch", ("v1",), "cronjobs", "CronJob", short_names=("cj",)),
    ResourceType("networking.k8s.io", ("v1",), "networkpolicies", "NetworkPolicy", status=False,
                 short_names=("netpol",)),
    ResourceType("networking.k8s.io", ("v1",), "ingresses", "Ingress", short_names=("ing",)),
    ResourceType("networking.k8s.io", ("v1",), "ingressclasses", "IngressClass", False, False),
    _gw("gatewayclasses", "GatewayClass", namespaced=False),
    _gw("gateways", "Gateway"),
    _gw("httproutes", "HTTPRoute"),
    _gw("grpcroutes", "GRPCRoute"),
    _gw("tlsroutes", "TLSRoute"),
    _gw("tcproutes", "TCPRoute"),
    _gw("udproutes", "UDPRoute"),
    _gw("referencegrants", "ReferenceGrant", status=False),
    _gw("listenersets", "ListenerSet"),
    ResourceType(POLICY, ("v1alpha1",), "adminnetworkpolicies", "AdminNetworkPolicy", False),
    ResourceType(POLICY, ("v1alpha1",), "baselineadminnetworkpolicies",
                 "BaselineAdminNetworkPolicy", False),
    ResourceType(POLICY, ("v1alpha2",), "clusternetworkpolicies", "ClusterNetworkPolicy", False),
    ResourceType(CILIUM, ("v2",), "ciliumnetworkpolicies", "CiliumNetworkPolicy", short_names=("cnp",)),
    ResourceType(CILIUM, ("v2",), "ciliumclusterwidenetworkpolicies", "CiliumClusterwideNetworkPolicy", False,
                 short_names=("ccnp",)),
    ResourceType(CILIUM, ("v2",), "ciliumegressgatewaypolicies", "CiliumEgressGatewayPolicy", False),
    ResourceType(CALICO, ("v1",), "networkpolicies", "NetworkPolicy", status=False),
    ResourceType(CALICO, ("v1",), "globalnetworkpolicies", "GlobalNetworkPolicy", False, False),
    ResourceType(CALICO, ("v1",), "stagednetworkpolicies", "StagedNetworkPolicy", status=False),
    ResourceType(CALICO, ("v1",), "stagedglobalnetworkpolicies", "StagedGlobalNetworkPolicy", False, False),
    ResourceType(CALICO, ("v1",), "tiers", "Tier", False, False),
    ResourceType(CALICO, ("v1",), "networksets", "NetworkSet", status=False),
    ResourceType(CALICO, ("v1",), "globalnetworksets", "GlobalNetworkSet", False, False),
    ResourceType(CALICO, ("v1",), "ippools", "IPPool", False, False),
    _review("selfsubjectaccessreviews", "SelfSubjectAccessReview"),
    _review("selfsubjectrulesreviews", "SelfSubjectRulesReview"),
)

_VERSION_RE = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(version: str) -> tuple[int, int, int]:
    """Sort key putting versions in Kubernetes' preference order (v2 > v1 > v1beta2 > v1alpha1)."""
    m = _VERSION_RE.match(version)
    if not m:
        return (3, 0, 0)
    stage = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    return (stage, -int(m.group(1)), -int(m.group(3) or 0))


class ResourceTable:
    """Lookups over a tuple of ResourceType: by path, by kind, by the names people type."""

    def __init__(self, resources: tuple[ResourceType, ...] = RESOURCES) -> None:
        self.resources = resources
        self._by_key = {rt.key: rt for rt in resources}
        self._by_kind: dict[tuple[str, str], ResourceType] = {}
        self._by_word: dict[str, ResourceType] = {}
        for rt in resources:
            self._by_kind.setdefault((rt.group, rt.kind), rt)
            for word in (rt.name, rt.kind.lower(), *rt.short_names):
                self._by_word.setdefault(word, rt)
                self._by_word.setdefault(f"{word}.{rt.group}" if rt.group else word, rt)

    def groups(self) -> dict[str, list[str]]:
        """Group name -> served versions, preferred first; core ("") first, then in table order."""
        out: dict[str, set[str]] = {}
        for rt in self.resources:
            out.setdefault(rt.group, set()).update(rt.versions)
        return {g: sorted(vs, key=version_priority) for g, vs in out.items()}

    def in_version(self, group: str, version: str) -> list[ResourceType]:
        return [rt for rt in self.resources if rt.group == group and version in rt.versions]

    def get(self, group: str, version: str, name: str) -> ResourceType | None:
        rt = self._by_key.get((group, name))
        return rt if rt is not None and version in rt.versions else None

    def by_api_version_kind(self, api_version: str, kind: str) -> ResourceType | None:
        group = api_version.rpartition("/")[0]
        return self._by_kind.get((group, kind))

    def find(self, word: str) -> ResourceType:
        """A resource by plural, kind, short name, or `plural.group`; case-insensitive."""
        rt = self._by_word.get(word.lower())
        if rt is None:
            raise KeyError(f"unknown resource {word!r}")
        return rt
