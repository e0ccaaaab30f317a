"""networking.k8s.io/v1: NetworkPolicy, Ingress, IngressClass."""

from __future__ import annotations

import msgspec

from ktui.model.meta import ObjectMeta
from ktui.model.selectors import EMPTY_SELECTOR, LabelSelector


class IPBlock(msgspec.Struct, frozen=True, gc=False):
    cidr: str = ""
    except_: list[str] = msgspec.field(default_factory=list, name="except")


class NetworkPolicyPeer(msgspec.Struct, frozen=True, rename="camel", gc=False):
    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    ip_block: IPBlock | None = None


class NetworkPolicyPort(msgspec.Struct, frozen=True, rename="camel", gc=False):
    protocol: str | None = None
    port: int | str | None = None
    end_port: int | None = None


class NetworkPolicyIngressRule(msgspec.Struct, frozen=True, gc=False):
    from_: list[NetworkPolicyPeer] | None = msgspec.field(default=None, name="from")
    ports: list[NetworkPolicyPort] | None = None


class NetworkPolicyEgressRule(msgspec.Struct, frozen=True, gc=False):
    to: list[NetworkPolicyPeer] | None = None
    ports: list[NetworkPolicyPort] | None = None


class NetworkPolicySpec(msgspec.Struct, frozen=True, rename="camel", gc=False):
    pod_selector: LabelSelector = EMPTY_SELECTOR
    policy_types: list[str] | None = None
    ingress: list[NetworkPolicyIngressRule] | None = None
    egress: list[NetworkPolicyEgressRule] | None = None


class NetworkPolicy(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: NetworkPolicySpec = msgspec.field(default_factory=NetworkPolicySpec)
    kind: str = "NetworkPolicy"

    def affects_ingress(self) -> bool:
        """policyTypes unset: Ingress always applies."""
        types = self.spec.policy_types
        return True if not types else "Ingress" in types

    def affects_egress(self) -> bool:
        """policyTypes unset: Egress applies when spec.egress has at least one rule."""
        types = self.spec.policy_types
        if not types:
            return bool(self.spec.egress)
        return "Egress" in types


class ServiceBackendPort(msgspec.Struct, frozen=True, gc=False):
    name: str = ""
    number: int = 0


class IngressServiceBackend(msgspec.Struct, frozen=True, gc=False):
    name: str = ""
    port: ServiceBackendPort = msgspec.field(default_factory=ServiceBackendPort)


class TypedLocalObjectReference(msgspec.Struct, frozen=True, rename="camel", gc=False):
    kind: str = ""
    name: str = ""
    api_group: str | None = None


class IngressBackend(msgspec.Struct, frozen=True, gc=False):
    service: IngressServiceBackend | None = None
    resource: TypedLocalObjectReference | None = None


class HTTPIngressPath(msgspec.Struct, frozen=True, rename="camel", gc=False):
    backend: IngressBackend = msgspec.field(default_factory=IngressBackend)
    path: str = ""
    path_type: str = "ImplementationSpecific"


class HTTPIngressRuleValue(msgspec.Struct, frozen=True, gc=False):
    paths: list[HTTPIngressPath] = msgspec.field(default_factory=list)


class IngressRule(msgspec.Struct, frozen=True, gc=False):
    host: str = ""
    http: HTTPIngressRuleValue | None = None


class IngressTLS(msgspec.Struct, frozen=True, rename="camel", gc=False):
    hosts: list[str] = msgspec.field(default_factory=list)
    secret_name: str = ""


class IngressSpec(msgspec.Struct, frozen=True, rename="camel", gc=False):
    ingress_class_name: str | None = None
    default_backend: IngressBackend | None = None
    rules: list[IngressRule] = msgspec.field(default_factory=list)
    tls: list[IngressTLS] = msgspec.field(default_factory=list)


class IngressPortStatus(msgspec.Struct, frozen=True, gc=False):
    port: int = 0
    protocol: str = "TCP"


class IngressLoadBalancerIngress(msgspec.Struct, frozen=True, gc=False):
    ip: str = ""
    hostname: str = ""
    ports: list[IngressPortStatus] = msgspec.field(default_factory=list)


class IngressLoadBalancerStatus(msgspec.Struct, frozen=True, gc=False):
    ingress: list[IngressLoadBalancerIngress] = msgspec.field(default_factory=list)


class IngressStatus(msgspec.Struct, frozen=True, rename="camel", gc=False):
    load_balancer: IngressLoadBalancerStatus = msgspec.field(
        default_factory=IngressLoadBalancerStatus
    )


class Ingress(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: IngressSpec = msgspec.field(default_factory=IngressSpec)
    status: IngressStatus = msgspec.field(default_factory=IngressStatus)
    kind: str = "Ingress"


INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"


class IngressClassParameters(msgspec.Struct, frozen=True, rename="camel", gc=False):
    kind: str = ""
    name: str = ""
    api_group: str | None = None
    namespace: str | None = None
    scope: str | None = None


class IngressClassSpec(msgspec.Struct, frozen=True, gc=False):
    controller: str = ""
    parameters: IngressClassParameters | None = None


class IngressClass(msgspec.Struct, frozen=True, gc=False):
    metadata: ObjectMeta = msgspec.field(default_factory=ObjectMeta)
    spec: IngressClassSpec = msgspec.field(default_factory=IngressClassSpec)
    kind: str = "IngressClass"

    def is_default(self) -> bool:
        return self.metadata.annotations.get(DEFAULT_CLASS_ANNOTATION, "").lower() == "true"
