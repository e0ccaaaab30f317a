"""The kinds ktui reads, as data: group, plural, scope, struct and served versions.

Adding a kind is one entry here (plus its struct); the sources, the decoder and the embedded API
server's clients all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ktui.model.adminpolicy import (
    ADMIN_GROUP,
    AdminNetworkPolicy,
    BaselineAdminNetworkPolicy,
    ClusterNetworkPolicy,
)
from ktui.model.calico import (
    CALICO_CRD_GROUP,
    CALICO_GROUP,
    CalicoNetworkPolicy,
    GlobalNetworkPolicy,
    GlobalNetworkSet,
    IPPool,
    NetworkSet,
    StagedGlobalNetworkPolicy,
    StagedNetworkPolicy,
    Tier,
)
from ktui.model.cilium import (
    CILIUM_GROUP,
    CiliumClusterwideNetworkPolicy,
    CiliumEgressGatewayPolicy,
    CiliumNetworkPolicy,
)
from ktui.model.core import (
    EndpointSlice,
    Namespace,
    Node,
    Pod,
    Secret,
    Service,
    Workload,
)
from ktui.model.gateway import (
    Gateway,
    GatewayClass,
    ListenerSet,
    ReferenceGrant,
    Route,
)
from ktui.model.networking import Ingress, IngressClass, NetworkPolicy


@dataclass(frozen=True)
class KindInfo:
    kind: str
    group: str
    plural: str
    namespaced: bool
    type: type[Any]
    versions: tuple[str, ...]  # served versions, preferred first
    metadata_only: bool = False  # list/watch as PartialObjectMetadata (Secrets)
    optional: bool = False  # a CRD: absent until installed

    @property
    def wire_kind(self) -> str:
        """The kind name the API server writes in this kind's objects (CalicoNetworkPolicy -> NetworkPolicy)."""
        return WIRE_KIND.get(self.kind, self.kind)

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.versions[0]}" if self.group else self.versions[0]


GW = "gateway.networking.k8s.io"
_GW_VERSIONS = ("v1", "v1beta1")
_GW_ALPHA = ("v1", "v1alpha3", "v1alpha2")

KINDS: tuple[KindInfo, ...] = (
    KindInfo("Namespace", "", "namespaces", False, Namespace, ("v1",)),
    KindInfo("Node", "", "nodes", False, Node, ("v1",)),
    KindInfo("Pod", "", "pods", True, Pod, ("v1",)),
    KindInfo("Service", "", "services", True, Service, ("v1",)),
    KindInfo("Secret", "", "secrets", True, Secret, ("v1",), metadata_only=True),
    KindInfo("ReplicationController", "", "replicationcontrollers", True, Workload, ("v1",)),
    KindInfo("EndpointSlice", "discovery.k8s.io", "endpointslices", True, EndpointSlice, ("v1",)),
    KindInfo("Deployment", "apps", "deployments", True, Workload, ("v1",)),
    KindInfo("ReplicaSet", "apps", "replicasets", True, Workload, ("v1",)),
    KindInfo("StatefulSet", "apps", "statefulsets", True, Workload, ("v1",)),
    KindInfo("DaemonSet", "apps", "daemonsets", True, Workload, ("v1",)),
    KindInfo("Job", "batch", "jobs", True, Workload, ("v1",)),
    KindInfo("CronJob", "batch", "cronjobs", True, Workload, ("v1",)),
    KindInfo("NetworkPolicy", "networking.k8s.io", "networkpolicies", True, NetworkPolicy, ("v1",)),
    KindInfo("Ingress", "networking.k8s.io", "ingresses", True, Ingress, ("v1", "v1beta1")),
    KindInfo("IngressClass", "networking.k8s.io", "ingressclasses", False, IngressClass, ("v1",)),
    KindInfo("GatewayClass", GW, "gatewayclasses", False, GatewayClass, _GW_VERSIONS, optional=True),
    KindInfo("Gateway", GW, "gateways", True, Gateway, _GW_VERSIONS, optional=True),
    KindInfo("ListenerSet", GW, "listenersets", True, ListenerSet, ("v1",), optional=True),
    KindInfo("HTTPRoute", GW, "httproutes", True, Route, _GW_VERSIONS, optional=True),
    KindInfo("GRPCRoute", GW, "grpcroutes", True, Route, ("v1",), optional=True),
    KindInfo("TLSRoute", GW, "tlsroutes", True, Route, _GW_ALPHA, optional=True),
    KindInfo("TCPRoute", GW, "tcproutes", True, Route, _GW_ALPHA, optional=True),
    KindInfo("UDPRoute", GW, "udproutes", True, Route, _GW_ALPHA, optional=True),
    KindInfo("ReferenceGrant", GW, "referencegrants", True, ReferenceGrant, _GW_VERSIONS, optional=True),
    KindInfo("AdminNetworkPolicy", ADMIN_GROUP, "adminnetworkpolicies", False, AdminNetworkPolicy,
             ("v1alpha1",), optional=True),
    KindInfo("BaselineAdminNetworkPolicy", ADMIN_GROUP, "baselineadminnetworkpolicies", False,
             BaselineAdminNetworkPolicy, ("v1alpha1",), optional=True),
    KindInfo("ClusterNetworkPolicy", ADMIN_GROUP, "clusternetworkpolicies", False, ClusterNetworkPolicy,
             ("v1alpha2",), optional=True),
    KindInfo("CiliumNetworkPolicy", CILIUM_GROUP, "ciliumnetworkpolicies", True, CiliumNetworkPolicy,
             ("v2",), optional=True),
    KindInfo("CiliumClusterwideNetworkPolicy", CILIUM_GROUP, "ciliumclusterwidenetworkpolicies", False,
             CiliumClusterwideNetworkPolicy, ("v2",), optional=True),
    KindInfo("CiliumEgressGatewayPolicy", CILIUM_GROUP, "ciliumegressgatewaypolicies", False,
             CiliumEgressGatewayPolicy, ("v2", "v2alpha1"), optional=True),
    # Calico as the operator stores it (crd.projectcalico.org/v1); manifests may say projectcalico.org/v3.
    KindInfo("CalicoNetworkPolicy", CALICO_CRD_GROUP, "networkpolicies", True, CalicoNetworkPolicy, ("v1",),
             optional=True),
    KindInfo("GlobalNetworkPolicy", CALICO_CRD_GROUP, "globalnetworkpolicies", False, GlobalNetworkPolicy,
             ("v1",), optional=True),
    KindInfo("StagedNetworkPolicy", CALICO_CRD_GROUP, "stagednetworkpolicies", True, StagedNetworkPolicy,
             ("v1",), optional=True),
    KindInfo("StagedGlobalNetworkPolicy", CALICO_CRD_GROUP, "stagedglobalnetworkpolicies", False,
             StagedGlobalNetworkPolicy, ("v1",), optional=True),
    KindInfo("Tier", CALICO_CRD_GROUP, "tiers", False, Tier, ("v1",), optional=True),
    KindInfo("NetworkSet", CALICO_CRD_GROUP, "networksets", True, NetworkSet, ("v1",), optional=True),
    KindInfo("GlobalNetworkSet", CALICO_CRD_GROUP, "globalnetworksets", False, GlobalNetworkSet, ("v1",),
             optional=True),
    KindInfo("IPPool", CALICO_CRD_GROUP, "ippools", False, IPPool, ("v1",), optional=True),
)

# Extra groups a kind may be written with in manifests (older or alternative API groups).
_GROUP_ALIASES = {("extensions", "Ingress"): "networking.k8s.io"}
_GROUP_ALIASES.update({(CALICO_GROUP, k.kind): CALICO_CRD_GROUP for k in KINDS if k.group == CALICO_CRD_GROUP})
# Kind names shared by two groups: (group, kind as written) -> the internal kind it is stored as.
_RENAMED = {(g, "NetworkPolicy"): "CalicoNetworkPolicy" for g in (CALICO_GROUP, CALICO_CRD_GROUP)}
# ... and back: the kind name an internal kind has on the wire (API paths, served objects).
WIRE_KIND = {"CalicoNetworkPolicy": "NetworkPolicy"}

BY_KIND: dict[str, KindInfo] = {k.kind: k for k in KINDS}


def register(info: KindInfo) -> None:
    """Add a kind (used by modules that define further kinds, e.g. admin policies)."""
    global KINDS
    KINDS = (*KINDS, info)
    BY_KIND[info.kind] = info


def lookup(api_version: str, kind: str) -> KindInfo | None:
    """The KindInfo for an apiVersion/kind pair, or None for a kind ktui does not read."""
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    kind = _RENAMED.get((group, kind), kind)
    info = BY_KIND.get(kind)
    if info is None:
        return None
    group = _GROUP_ALIASES.get((group, kind), group)
    return info if group == info.group else None
