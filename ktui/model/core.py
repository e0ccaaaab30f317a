"""Core and apps kinds: Namespace, Node, Pod, workloads, Service, EndpointSlice, Secret metadata."""

from __future__ import annotations

import msgspec

from ktui.model.meta import Condition, ObjectMeta, SlimMeta
from ktui.model.selectors import LabelSelector

NS_NAME_LABEL = "kubernetes.io/metadata.name"


class Namespace(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    kind: str = "Namespace"


class NodeAddress(msgspec.Struct, frozen=True, gc=False):
    type: str = ""
    address: str = ""


class NodeStatus(msgspec.Struct, frozen=True, gc=False):
    addresses: list[NodeAddress] = msgspec.field(default_factory=list)


class Node(msgspec.Struct, frozen=True, gc=False):
    metadata: SlimMeta = msgspec.field(default_factory=SlimMeta)
    status: NodeStatus = msgspec.field(default_factory=NodeStatus)
    kind: str = "Node"


class ContainerPort(msgspec.Struct, frozen=True, rename="camel", gc=False):
    container_port: int = 0
    name: str | None = None
    protocol: str = "TCP"


class Container(msgspec.Struct, frozen=True, gc=False):
    name: str = ""
    image: str = ""  # tells which controller or CNI agent a workload runs
    ports: list[ContainerPort] = msgspec.field(default_factory=list)


class PodSpec(msgspec.Struct, frozen=True, rename="camel", gc=False):
    containers: list[Container] = msgspec.field(default_factory=list)
    init_containers: list[Container] = msgspec.field(default_factory=list)
    node_name: str = ""
    host_network: bool = False
    service_account_name: str = ""  # Calico serviceAccountSelector / serviceAccounts match on it

    def all_ports(self) -> list[ContainerPort]:
        """Ports of containers and init containers (sidecars declare ports there too)."""
        ports = [p for c in self.containers for p in c.ports]
        ports.extend(p for c in self.init_containers for p in c.ports)
        return ports


class PodIP(msgspec.Struct, frozen=True, gc=False):
    ip: str = ""


class PodStatus(msgspec.Struct, frozen=True, rename="camel", gc=False):
    phase: str = ""
    pod_ip: str | None = msgspec.field(default=None, name="podIP")
    pod_ips: list[PodIP] = msgspec.field(default_factory=list, name="podIPs")
    conditions: list[Condition] = msgspec.field(default_factory=list)


class Pod(msgspec.Struct, frozen=True, gc=False):
    metadata: SlimMeta = msgspec.field(default_factory=SlimMeta)
    spec: PodSpec = msgspec.field(default_factory=PodSpec)
    status: PodStatus = msgspec.field(default_factory=PodStatus)
    kind: str = "Pod"

    def ips(self) -> list[str]:
        """Every known IP of the pod (IPv4 and IPv6), podIPs first, podIP as fallback."""
        ips = [p.ip for p in self.status.pod_ips if p.ip]
        if not ips and self.status.pod_ip:
            ips.append(self.status.pod_ip)
        return ips

    def is_ready(self) -> bool:
        return any(c.type == "Ready" and c.status == "True" for c in self.status.conditions)


class PodTemplateSpec(msgspec.Struct, frozen=True, gc=False):
    metadata: SlimMeta = msgspec.field(default_factory=SlimMeta)
    spec: PodSpec = msgspec.field(default_factory=PodSpec)


class JobSpecTemplate(msgspec.Struct, frozen=True, gc=False):
    template: PodTemplateSpec | None = None


class JobTemplate(msgspec.Struct, frozen=True, gc=False):
    spec: JobSpecTemplate = msgspec.field(default_factory=JobSpecTemplate)


class WorkloadSpec(msgspec.Struct, frozen=True, rename="camel", gc=False):
    replicas: int | None = None
    selector: LabelSelector | None = None
    template: PodTemplateSpec | None = None
    job_template: JobTemplate | None = None


class Workload(msgspec.Struct, frozen=True, gc=False):
    """Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController."""

    kind: str = ""
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: WorkloadSpec = msgspec.field(default_factory=WorkloadSpec)

    def pod_template(self) -> PodTemplateSpec | None:
        if self.spec.template is not None:
            return self.spec.template
        if self.spec.job_template is not None:
            return self.spec.job_template.spec.template
        return None


WORKLOAD_KINDS = (
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "ReplicationController",
)


class ServicePort(msgspec.Struct, frozen=True, rename="camel", gc=False):
    port: int = 0
    name: str = ""
    protocol: str = "TCP"
    target_port: int | str | None = None
    node_port: int | None = None
    app_protocol: str | None = None


class LoadBalancerIngress(msgspec.Struct, frozen=True, gc=False):
    ip: str = ""
    hostname: str = ""


class LoadBalancerStatus(msgspec.Struct, frozen=True, gc=False):
    ingress: list[LoadBalancerIngress] = msgspec.field(default_factory=list)


class ServiceStatus(msgspec.Struct, frozen=True, rename="camel", gc=False):
    load_balancer: LoadBalancerStatus = msgspec.field(default_factory=LoadBalancerStatus)


class ServiceSpec(msgspec.Struct, frozen=True, rename="camel", gc=False):
    type: str = "ClusterIP"
    selector: dict[str, str] | None = None
    ports: list[ServicePort] = msgspec.field(default_factory=list)
    cluster_ip: str = msgspec.field(default="", name="clusterIP")
    external_ips: list[str] = msgspec.field(default_factory=list, name="externalIPs")
    load_balancer_ip: str = msgspec.field(default="", name="loadBalancerIP")
    load_balancer_source_ranges: list[str] = msgspec.field(default_factory=list)
    external_traffic_policy: str = ""
    external_name: str = ""


class Service(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: ServiceSpec = msgspec.field(default_factory=ServiceSpec)
    status: ServiceStatus = msgspec.field(default_factory=ServiceStatus)
    kind: str = "Service"


class EndpointConditions(msgspec.Struct, frozen=True, gc=False):
    ready: bool | None = None
    serving: bool | None = None
    terminating: bool | None = None


class ObjectReference(msgspec.Struct, frozen=True, gc=False):
    kind: str = ""
    name: str = ""
    namespace: str = ""


class Endpoint(msgspec.Struct, frozen=True, rename="camel", gc=False):
    addresses: list[str] = msgspec.field(default_factory=list)
    conditions: EndpointConditions = msgspec.field(default_factory=EndpointConditions)
    target_ref: ObjectReference | None = None
    node_name: str | None = None

    def is_ready(self) -> bool:
        """The API says a nil ready means ready (unknown state is treated as ready)."""
        return self.conditions.ready is not False


class EndpointPort(msgspec.Struct, frozen=True, gc=False):
    name: str | None = None
    port: int | None = None
    protocol: str = "TCP"


SERVICE_NAME_LABEL = "kubernetes.io/service-name"


class EndpointSlice(msgspec.Struct, frozen=True, rename="camel", gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    address_type: str = "IPv4"
    endpoints: list[Endpoint] = msgspec.field(default_factory=list)
    ports: list[EndpointPort] | None = None
    kind: str = "EndpointSlice"

    def service_name(self) -> str:
        return self.metadata.labels.get(SERVICE_NAME_LABEL, "")


class Secret(msgspec.Struct, frozen=True, gc=False):
    """Metadata and type only: ktui never holds a Secret's data."""

    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    type: str = ""
    kind: str = "Secret"
