"""policy.networking.k8s.io: AdminNetworkPolicy, BaselineAdminNetworkPolicy (v1alpha1) and
ClusterNetworkPolicy (v1alpha2), the cluster-scoped policies that decide before and after
NetworkPolicy.

The three kinds share one spec struct: their fields overlap almost entirely (ANP has a priority,
the BANP none, a CNP a tier and a priority), and the validators in validate.py say which fields
each kind may use. A CNP's ports come as v1alpha1-style `ports` or as the later `protocols`.
"""

from __future__ import annotations

import msgspec

from ktui.model.meta import ObjectMeta
from ktui.model.selectors import EMPTY_SELECTOR, LabelSelector

ADMIN_GROUP = "policy.networking.k8s.io"


class NamespacedPod(msgspec.Struct, frozen=True, rename="camel", gc=False):
    """Pods matching podSelector in namespaces matching namespaceSelector (empty: all)."""

    namespace_selector: LabelSelector = EMPTY_SELECTOR
    pod_selector: LabelSelector = EMPTY_SELECTOR


class AdminSubject(msgspec.Struct, frozen=True, gc=False):
    """Exactly one of namespaces / pods."""

    namespaces: LabelSelector | None = None
    pods: NamespacedPod | None = None


class AdminPeer(msgspec.Struct, frozen=True, gc=False):
    """Exactly one field; nodes and networks only in egress peers."""

    namespaces: LabelSelector | None = None
    pods: NamespacedPod | None = None
    nodes: LabelSelector | None = None
    networks: list[str] | None = None


class PortNumber(msgspec.Struct, frozen=True, gc=False):
    protocol: str = "TCP"
    port: int = 0


class PortRange(msgspec.Struct, frozen=True, gc=False):
    protocol: str = "TCP"
    start: int = 0
    end: int = 0


class AdminPort(msgspec.Struct, frozen=True, rename="camel", gc=False):
    """Exactly one of portNumber / portRange / namedPort (the pod's port gives the protocol)."""

    port_number: PortNumber | None = None
    port_range: PortRange | None = None
    named_port: str | None = None


class CNPRange(msgspec.Struct, frozen=True, gc=False):
    start: int = 0
    end: int = 0


class CNPPortMatch(msgspec.Struct, frozen=True, gc=False):
    number: int | None = None
    range: CNPRange | None = None


class CNPProtocolPorts(msgspec.Struct, frozen=True, rename="camel", gc=False):
    destination_port: CNPPortMatch | None = None


class CNPProtocol(msgspec.Struct, frozen=True, rename="camel", gc=False):
    """v1alpha2 `protocols` entry: exactly one of tcp / udp / sctp / destinationNamedPort."""

    tcp: CNPProtocolPorts | None = None
    udp: CNPProtocolPorts | None = None
    sctp: CNPProtocolPorts | None = None
    destination_named_port: str | None = None


class AdminRule(msgspec.Struct, frozen=True, gc=False):
    """An ingress rule uses `from`, an egress rule `to`; ports unset means every port."""

    name: str = ""
    action: str = ""
    from_: list[AdminPeer] | None = msgspec.field(default=None, name="from")
    to: list[AdminPeer] | None = None
    ports: list[AdminPort] | None = None
    protocols: list[CNPProtocol] | None = None


class AdminPolicySpec(msgspec.Struct, frozen=True, gc=False):
    priority: int | None = None
    tier: str = ""
    subject: AdminSubject = msgspec.field(default_factory=AdminSubject)
    ingress: list[AdminRule] | None = None
    egress: list[AdminRule] | None = None


class AdminNetworkPolicy(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: AdminPolicySpec = msgspec.field(default_factory=AdminPolicySpec)
    kind: str = "AdminNetworkPolicy"


class BaselineAdminNetworkPolicy(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: AdminPolicySpec = msgspec.field(default_factory=AdminPolicySpec)
    kind: str = "BaselineAdminNetworkPolicy"


class ClusterNetworkPolicy(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: AdminPolicySpec = msgspec.field(default_factory=AdminPolicySpec)
    kind: str = "ClusterNetworkPolicy"


AnyAdminPolicy = AdminNetworkPolicy | BaselineAdminNetworkPolicy | ClusterNetworkPolicy
ADMIN_KINDS = ("AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy")
