"""The findings catalogue: stable codes, default severities, and the Finding record.

Codes never change meaning once released (CI configs and `--ignore` lists name them); a check
that changes in substance gets a new code. Each code also has a slug (`--ignore` takes either).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from ktui.store import ClusterState


class Severity(enum.Enum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info up to 4 for critical."""
        return list(Severity).index(self)

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"severity {text!r} is not one of {names}") from None


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    slug: str
    severity: Severity  # the default; a few checks raise or lower it, as their text says
    title: str
    fix: str
    help: str


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """The object a finding is about, with where it was read from when known."""

    kind: str
    namespace: str
    name: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    @property
    def where(self) -> str:
        """`file:line`, or "" when the object did not come from a file."""
        if not self.path:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    object: ObjectRef
    message: str
    fix: str
    detail: str = ""  # what within the object (e.g. `spec.ingress[0].from[1]`): tells findings apart

    @property
    def slug(self) -> str:
        return CATALOGUE[self.code].slug

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """Identity across two runs (diff): no line numbers, no message wording."""
        o = self.object
        return (self.code, o.kind, o.namespace, o.name, self.detail)

    def to_json(self) -> dict[str, Any]:
        o = self.object
        obj: dict[str, Any] = {"kind": o.kind, "namespace": o.namespace, "name": o.name}
        if o.path:
            obj["file"] = o.path
            obj["line"] = o.line
        return {
            "code": self.code, "slug": self.slug, "severity": self.severity.value, "object": obj,
            "detail": self.detail, "message": self.message, "fix": self.fix,
        }


def ref(state: ClusterState, kind: str, namespace: str, name: str) -> ObjectRef:
    """An ObjectRef carrying the object's file and line when it came from a manifest."""
    origin = state.origins.get((kind, namespace, name))
    if origin is None:
        return ObjectRef(kind, namespace, name)
    return ObjectRef(kind, namespace, name, origin.path, origin.line)


_R = Rule
S = Severity
RULES: tuple[Rule, ...] = (
    _R("KTUI-IN001", "invalid-object", S.HIGH, "An object the API server would reject, or a file that cannot be read",
       "Fix the object at the line shown: it would fail `kubectl apply`.",
       "ktui could not read this object (invalid YAML/JSON, no kind or name, a malformed field). "
       "The rest of the manifests was analysed without it."),
    _R("KTUI-IN002", "duplicate-object", S.MEDIUM, "The same object is defined twice",
       "Keep one definition: the later one silently replaces the earlier.",
       "Two documents define the same kind, namespace and name; the last one read wins."),
    _R("KTUI-NP001", "pod-not-isolated", S.MEDIUM, "Pods isolated for neither ingress nor egress",
       "Add a default-deny NetworkPolicy for the namespace and allow what the workload needs.",
       "No NetworkPolicy selects these pods, so every pod in the cluster can reach them and they "
       "can reach anything."),
    _R("KTUI-NP002", "egress-open", S.LOW, "Egress open: any destination, any port",
       "Restrict egress to the destinations the workload needs (plus DNS).",
       "The pods' ingress is restricted but their egress is not (no egress policy, or a rule that "
       "allows every destination on every port)."),
    _R("KTUI-NP003", "dns-blocked", S.HIGH, "Egress restricted but DNS unreachable",
       "Allow egress to kube-dns/CoreDNS (UDP and TCP 53), e.g. namespaceSelector kube-system with "
       "podSelector k8s-app=kube-dns.",
       "An egress policy selects these pods and none of its rules reaches cluster DNS on port 53: "
       "name lookups fail, the most common outage a new egress policy causes."),
    _R("KTUI-NP004", "policy-selects-nothing", S.MEDIUM, "A NetworkPolicy selects no pod",
       "Correct spec.podSelector to the labels of the pods it is meant for, or delete the policy.",
       "The policy's podSelector matches no pod (no workload template from manifests) in its "
       "namespace, so it protects nothing; usually a typo in a label."),
    _R("KTUI-NP005", "peer-selects-nothing", S.MEDIUM, "A policy peer selects nothing",
       "Correct the selector to labels that exist (ktui suggests the nearest one).",
       "A podSelector/namespaceSelector in a rule's from/to matches no pod or namespace, so the "
       "traffic the rule was written for stays blocked; usually a typo in a label."),
    _R("KTUI-NP006", "named-port-undeclared", S.MEDIUM, "A named port no destination pod declares",
       "Name the container port in the pod spec, or use the port number.",
       "A named port resolves on the destination pod's container ports; where none declares the "
       "name (with that protocol) the rule allows nothing."),
    _R("KTUI-NP007", "ipblock-covers-pods", S.LOW, "An ipBlock covers pod IPs",
       "Use podSelector/namespaceSelector for pods; keep ipBlock for addresses outside the cluster.",
       "Whether ipBlock matches pod traffic differs between CNIs (and pod IPs change), so the rule's "
       "intent is unclear."),
    _R("KTUI-NP008", "deny-shadowed", S.MEDIUM, "A deny-style policy has no effect",
       "Narrow the allow-everything rule of the other policy, or drop the deny policy.",
       "Rules are additive: another policy selecting the same pods allows all traffic in that "
       "direction, so this policy's deny has no effect on any pod it selects."),
    _R("KTUI-NP009", "ipblock-behind-snat", S.MEDIUM, "Ingress ipBlock behind externalTrafficPolicy: Cluster",
       "Set externalTrafficPolicy: Local on the Service (or use loadBalancerSourceRanges).",
       "With externalTrafficPolicy Cluster the node rewrites the client address to its own, so an "
       "ingress ipBlock rule cannot see the client (unless the CNI preserves source addresses)."),
    _R("KTUI-AP001", "admin-priority-tie", S.MEDIUM, "Admin network policies share a priority",
       "Give each AdminNetworkPolicy (and each ClusterNetworkPolicy of a tier) its own priority.",
       "Two policies of one tier with the same priority have no defined order; where their rules "
       "overlap, implementations may decide differently."),
    _R("KTUI-CNI001", "netpol-not-enforced", S.CRITICAL, "NetworkPolicies present but the CNI does not enforce them",
       "Install a policy-enforcing CNI or add-on (Calico, Cilium, the VPC CNI network policy agent, "
       "...).",
       "The cluster's network plugin ignores NetworkPolicy: every policy here is decoration."),
    _R("KTUI-CNI002", "cni-unknown", S.INFO, "Cannot tell whether the CNI enforces NetworkPolicy",
       "Check the cluster's network plugin supports NetworkPolicy.",
       "NetworkPolicies exist but no known network plugin was recognised in the cluster."),
    _R("KTUI-EX001", "backend-service-missing", S.HIGH, "An Ingress or route backend Service does not exist",
       "Create the Service or correct the backend's name (and namespace).",
       "Requests routed to this backend fail (404/503)."),
    _R("KTUI-EX002", "service-port-missing", S.HIGH, "A backend Service port does not exist",
       "Use a port (number or name) the Service defines.",
       "The backend names a port the Service does not have; the controller cannot route to it."),
    _R("KTUI-EX003", "no-ready-endpoints", S.HIGH, "A Service has no ready endpoints",
       "Check the Service selector against the pod labels, and that the pods are ready.",
       "No ready pod backs the Service (from manifests: no workload template matches its selector, "
       "or replicas is 0). High when the Service is exposed, medium otherwise."),
    _R("KTUI-EX004", "tls-secret-missing", S.HIGH, "A TLS Secret does not exist",
       "Create the Secret (or let cert-manager issue it) in the object's namespace.",
       "Without it the controller serves its default certificate or refuses the listener. From "
       "manifests, medium: the Secret may be created out of band."),
    _R("KTUI-EX005", "ingress-class-missing", S.HIGH, "An Ingress names an IngressClass that does not exist",
       "Use the name of an installed IngressClass.",
       "No controller claims the Ingress. From manifests with no IngressClass in view: low."),
    _R("KTUI-EX006", "no-default-ingress-class", S.HIGH, "An Ingress has no class and there is no single default",
       "Set spec.ingressClassName, or mark exactly one IngressClass as default.",
       "Without a class (and without the legacy annotation) only a default IngressClass claims an "
       "Ingress. From manifests with no IngressClass in view: low."),
    _R("KTUI-EX007", "route-not-accepted", S.HIGH, "A Gateway API route is not accepted by its parent",
       "Fix the parentRef, listener hostname or allowedRoutes (the reason says which).",
       "The route's Accepted condition would be False with the spec reason shown; it serves no "
       "traffic through that parent."),
    _R("KTUI-EX008", "reference-grant-missing", S.HIGH, "A cross-namespace reference without a ReferenceGrant",
       "Add a ReferenceGrant in the target namespace allowing the reference.",
       "A backendRef or certificateRef to another namespace needs a ReferenceGrant there "
       "(RefNotPermitted)."),
    _R("KTUI-EX009", "ingress-nginx-retired", S.MEDIUM, "The retired community ingress-nginx controller is in use",
       "Plan a migration to a maintained controller or Gateway API implementation.",
       "The community ingress-nginx controller (k8s.io/ingress-nginx) is retired: no further "
       "releases or security fixes."),
    _R("KTUI-CNP001", "cni-policies-not-enforced", S.CRITICAL,
       "Cilium or Calico policies on a cluster whose network plugin is another one",
       "Remove the policies, or run the plugin they are written for (their rules are not enforced).",
       "CiliumNetworkPolicy needs Cilium, Calico policies need Calico (or Canal); the plugin seen in "
       "the cluster is a different one, so these objects are decoration."),
    _R("KTUI-CNP002", "staged-policy-would-block", S.MEDIUM, "A staged Calico policy would block allowed traffic",
       "Check the connections listed are meant to stop before enforcing the policy.",
       "Staged policies are evaluated for preview only; enforced as written, this one would block the "
       "connections shown."),
    _R("KTUI-CNP003", "log-only-policy-blocks", S.HIGH, "A Calico policy with only Log rules blocks traffic",
       "Add an Allow or Pass rule at its end, or set the tier's defaultAction to Pass.",
       "A policy that selects a pod makes its tier apply to that pod; traffic no rule of the tier "
       "decides gets the tier's default action, Deny unless set to Pass."),
    _R("KTUI-CNP004", "fqdn-without-dns-rule", S.HIGH, "A toFQDNs rule without the DNS rule that makes it work",
       "Allow egress to the DNS server (kube-dns) with toPorts rules.dns (e.g. matchPattern: \"*\").",
       "Cilium resolves toFQDNs by watching DNS answers through its DNS proxy, which only sees lookups a "
       "DNS rule sends to it; without one the names never get addresses and nothing is allowed."),
    _R("KTUI-CNP005", "calico-deny-shadowed", S.MEDIUM, "A Calico Deny rule an earlier tier always pre-empts",
       "Move the Deny to an earlier tier, or narrow the earlier Allow.",
       "An Allow rule of an earlier tier matches every peer on every port the Deny covers, for every pod "
       "the Deny applies to: the Deny is never reached."),
)
del _R, S

CATALOGUE: dict[str, Rule] = {r.code: r for r in RULES}
BY_SLUG: dict[str, Rule] = {r.slug: r for r in RULES}


def resolve_code(text: str) -> str | None:
    """A code or slug (any case) -> the code, None when unknown."""
    t = text.strip()
    if t.upper() in CATALOGUE:
        return t.upper()
    rule = BY_SLUG.get(t.lower())
    return rule.code if rule else None


def finding(code: str, obj: ObjectRef, message: str, detail: str = "",
            severity: Severity | None = None, fix: str | None = None) -> Finding:
    rule = CATALOGUE[code]
    return Finding(code, severity or rule.severity, obj, message, fix or rule.fix, detail)
