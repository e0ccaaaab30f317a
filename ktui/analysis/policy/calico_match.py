"""Does a Calico entity (a rule's source or destination, or a policy's selection) match a pod or an
address range? Kept apart from the tiers because policies, rules and staged policies all ask it.

Selector scopes (Calico reference, "Selector scopes" and "EntityRule"): with a namespaceSelector
the selector applies to endpoints (and NetworkSets) of the namespaces it selects, `global()`
reaching GlobalNetworkSets; without one, to the policy's namespace (NetworkPolicy) or to every
endpoint and network set (GlobalNetworkPolicy). A selector matches an address range when a
network set in scope whose labels it matches holds the range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.policy.calico_rules import CalicoEntity, namespace_labels, net_block, pod_labels
from ktui.analysis.policy.networkpolicy import CompiledBlock
from ktui.analysis.policy.tier import TierContext, Unknown
from ktui.model.calico_selector import CalicoSelector
from ktui.store import ClusterState

NetSet = tuple[str, dict[str, str], tuple[CompiledBlock, ...]]  # (namespace or "", labels, nets)


def service_account(state: ClusterState, subject: Subject) -> str:
    """The pod's (or the workload template's) service account; "default" when unset."""
    w = subject.workload
    if w.kind == "Pod" or subject.name != w.name:
        obj = state.get("Pod", subject.namespace, subject.name)
        if obj is not None:
            return str(obj.spec.service_account_name or "default")
    obj = state.get(w.kind, w.namespace, w.name)
    template = obj.pod_template() if obj is not None and hasattr(obj, "pod_template") else None
    return (template.spec.service_account_name if template is not None else "") or "default"


class CalicoMatcher:
    """Entity matching over one state: endpoint labels, service accounts, network sets."""

    def __init__(self, state: ClusterState, ctx: TierContext) -> None:
        self.state = state
        self.ctx = ctx
        # (ns, name, kind) -> (the labels they were computed from, the endpoint's Calico labels):
        # tiers outlive pod events, so a pod whose labels changed must not get the old answer
        self._labels: dict[tuple[str, str, str], tuple[Mapping[str, str], dict[str, str]]] = {}
        self._netsets: list[NetSet] | None = None
        self._scopes: dict[tuple[str, str], bool | Unknown] = {}

    def reset(self) -> None:
        self._labels.clear()
        self._netsets = None
        self._scopes.clear()

    def service_account(self, subject: Subject) -> str:
        return service_account(self.state, subject)

    def labels(self, subject: Subject) -> dict[str, str]:
        key = (subject.namespace, subject.name, subject.workload.kind)
        cached = self._labels.get(key)
        if cached is not None and (cached[0] is subject.labels or cached[0] == subject.labels):
            return cached[1]
        found = pod_labels(subject, self.service_account(subject), self.ctx.ns_labels(subject.namespace))
        self._labels[key] = (subject.labels, found)
        return found

    def netsets(self) -> list[NetSet]:
        if self._netsets is None:
            out: list[NetSet] = []
            for kind in ("NetworkSet", "GlobalNetworkSet"):
                for obj in self.state.objects(kind):
                    out.append((obj.metadata.namespace, dict(obj.metadata.labels),
                                tuple(net_block(n) for n in obj.spec.nets)))
            self._netsets = out
        return self._netsets

    def netset_blocks(self) -> Iterable[CompiledBlock]:
        for _, _, nets in self.netsets():
            yield from nets

    # -------------------------------------------------------------- scopes
    def ns_in_scope(self, e: CalicoEntity, policy_ns: str, namespace: str) -> bool | Unknown:
        """Whether an endpoint (or NetworkSet) of `namespace` is within the entity's selector scope."""
        sel = e.namespace_selector
        if sel is None:
            return not policy_ns or namespace == policy_ns
        key = (sel.source, namespace)
        found = self._scopes.get(key)
        if found is None:
            why = self.ctx.state.unseen("Namespace")
            if why is not None and not sel.is_all:
                found = Unknown(f"Namespaces: {why}")
            else:
                found = sel.matches(namespace_labels(namespace, self.ctx.ns_labels(namespace)))
            self._scopes[key] = found
        return found

    def _global_in_scope(self, e: CalicoEntity, policy_ns: str) -> bool:
        if e.namespace_selector is not None:
            return e.namespace_selector.matches({}, is_global=True)
        return not policy_ns

    # -------------------------------------------------------------- matching
    def matches(self, e: CalicoEntity, policy_ns: str, other: Subject | ExternalRange,
                ip_version: int | None = None) -> bool | Unknown:
        """All the entity's criteria hold for `other` (a pod, or an address range)."""
        if isinstance(other, ExternalRange):
            return self._matches_range(e, policy_ns, other, ip_version)
        return self._matches_pod(e, policy_ns, other)

    def _matches_pod(self, e: CalicoEntity, policy_ns: str, s: Subject) -> bool | Unknown:
        if e.nets is not None and not any(b.contains_ip(ip) for b in e.nets for ip in s.ips):
            return False
        if e.not_nets and any(b.contains_ip(ip) for b in e.not_nets for ip in s.ips):
            return False
        if s.host_network:  # not a workload endpoint: only its (the node's) address can match
            return not e.has_identity
        if e.service is not None:
            return self._service_selects(e.service, s)
        scope: bool | Unknown = True
        if e.has_identity or e.not_selector is not None:
            scope = self.ns_in_scope(e, policy_ns, s.namespace)
        if e.has_identity:
            if scope is not True:
                return scope
            labels = self.labels(s)
            if e.selector is not None and not e.selector.matches(labels):
                return False
            if e.sa_names is not None and self.service_account(s) not in e.sa_names:
                return False
            if e.sa_selector is not None and not self._sa_matches(e.sa_selector, s):
                return False
        if e.not_selector is not None and scope is True and e.not_selector.matches(self.labels(s)):
            return False
        if e.not_selector is not None and isinstance(scope, Unknown):
            return scope
        return True

    def _sa_matches(self, sel: CalicoSelector, s: Subject) -> bool:
        """serviceAccounts.selector reads the ServiceAccount's labels; ktui reads none, so only
        `projectcalico.org/name` (the account's name) and all() can match."""
        return sel.matches({"projectcalico.org/name": self.service_account(s)})

    def _service_selects(self, service: tuple[str, str], s: Subject) -> bool:
        ns, name = service
        svc = self.state.get("Service", ns, name)
        sel = svc.spec.selector if svc is not None else None
        return bool(sel) and s.namespace == ns and all(s.labels.get(k) == v for k, v in (sel or {}).items())

    def _matches_range(self, e: CalicoEntity, policy_ns: str, r: ExternalRange,
                       ip_version: int | None) -> bool | Unknown:
        if ip_version is not None and r.version != ip_version:
            return False
        if e.nets is not None and not any(b.contains_range(r) for b in e.nets):
            return False
        if e.not_nets and any(_overlaps(b, r) for b in e.not_nets):
            return False
        if e.service is not None or e.sa_names is not None or e.sa_selector is not None:
            return False  # only endpoints have services and service accounts
        in_sets = (e.selector is None and e.namespace_selector is None) or any(
            self.netset_in(e, policy_ns, ns, labels, e.selector) and _holds(nets, r)
            for ns, labels, nets in self.netsets())
        excluded = e.not_selector is not None and any(
            self.netset_in(e, policy_ns, ns, labels, e.not_selector) and _holds(nets, r)
            for ns, labels, nets in self.netsets())
        return in_sets and not excluded

    def netset_in(self, e: CalicoEntity, policy_ns: str, ns: str, labels: dict[str, str],
                   sel: CalicoSelector | None) -> bool:
        if ns:
            scope = self.ns_in_scope(e, policy_ns, ns)
            if scope is not True:
                return False
        elif not self._global_in_scope(e, policy_ns):
            return False
        return sel is None or sel.matches(labels)


def _holds(nets: tuple[CompiledBlock, ...], r: ExternalRange) -> bool:
    return any(b.contains_range(r) for b in nets)


def _overlaps(b: CompiledBlock, r: ExternalRange) -> bool:
    return any(v == r.version and lo <= r.last and r.first <= hi for v, lo, hi in b.intervals)
