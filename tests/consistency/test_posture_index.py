"""PostureIndex.update after any sequence of events equals a full recompute (hypothesis stateful).

The index recomputes only what a batch touches (a namespace, a pod in place, the DNS part of the
restricted answers when the DNS pods stop being the same target, everything when an admin policy
moves); this machine throws random batches of pod, workload, policy, namespace and DNS pod changes
(created, rolled, relabelled, readiness, deleted, in kube-system or elsewhere) at it and compares
with an index built from scratch each step.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ktui.analysis.posture import PostureIndex
from ktui.model.decode import decode_document
from ktui.store import Change, ClusterState, Event
from tests.analysis.strategies import label_sets, policies

NAMESPACES = ["a", "b", "kube-system"]
PODS = [f"p{i}" for i in range(5)]
DNS_PODS = ["coredns-0", "coredns-1", "coredns-2"]
DNS_LABELS = [("k8s-app", "kube-dns"), ("k8s-app", "coredns"), ("app.kubernetes.io/name", "coredns")]
phases = st.sampled_from(["Running", "Running", "Pending", "Succeeded", "Failed"])


def _pod(ns: str, name: str, labels: dict[str, str], phase: str, ip: int | None, owner: str | None,
         dns: bool, host_network: bool, service_account: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns, "labels": {**labels, **({"k8s-app": "kube-dns"} if dns
                                                                                   else {})}}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": owner,
                                    "controller": True, "uid": owner}]
    status: dict[str, Any] = {"phase": phase}
    if ip is not None:
        status["podIP"] = f"10.1.2.{ip}"
    ports = [{"containerPort": 53, "protocol": "UDP", "name": "dns"}, {"containerPort": 8080, "name": "http"}]
    spec: dict[str, Any] = {"hostNetwork": host_network, "containers": [{"name": "c", "ports": ports}]}
    if service_account:
        spec["serviceAccountName"] = service_account
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


class PostureMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state = ClusterState()
        self.index = PostureIndex(self.state)
        self.pending: list[Change] = []
        self.docs: dict[tuple[str, str], dict[str, Any]] = {}  # the last document of each pod

    def _apply(self, verb: str, doc: dict[str, Any]) -> None:
        if doc["kind"] == "Pod":
            self.docs[(doc["metadata"]["namespace"], doc["metadata"]["name"])] = doc
        info, obj = decode_document(doc, "default")
        assert info is not None
        change = self.state.apply(Event(verb, info.kind, obj))
        if change is not None:
            self.pending.append(change)

    def _get(self, kind: str, ns: str, name: str) -> Any:
        return self.state.get(kind, ns, name)

    @rule(ns=st.sampled_from(NAMESPACES), name=st.sampled_from(PODS), labels=label_sets, phase=phases,
          ip=st.one_of(st.none(), st.integers(1, 4)), owner=st.sampled_from([None, "rs1", "rs2"]),
          dns=st.booleans(), host_network=st.booleans(), sa=st.sampled_from([None, None, "sa1"]))
    def put_pod(self, ns: str, name: str, labels: dict[str, str], phase: str, ip: int | None, owner: str | None,
                dns: bool, host_network: bool, sa: str | None) -> None:
        verb = "MODIFIED" if self._get("Pod", ns, name) is not None else "ADDED"
        self._apply(verb, _pod(ns, name, labels, phase, ip, owner, dns and ns == "kube-system", host_network, sa))

    @rule(ns=st.sampled_from(NAMESPACES), name=st.sampled_from(PODS + DNS_PODS), ready=st.booleans())
    def flip_ready(self, ns: str, name: str, ready: bool) -> None:
        """A readiness flip: nothing any policy reads changes (the quiet path of update)."""
        if self._get("Pod", ns, name) is not None:
            doc = copy.deepcopy(self.docs[(ns, name)])
            doc["status"]["conditions"] = [{"type": "Ready", "status": str(ready)}]
            self._apply("MODIFIED", doc)

    @rule(ns=st.sampled_from(["kube-system", "kube-system", "a"]), name=st.sampled_from(DNS_PODS),
          dns=st.sampled_from(DNS_LABELS), labels=label_sets, extra=st.sampled_from([None, "v1", "v2"]),
          ip=st.one_of(st.none(), st.integers(1, 6)), ready=st.booleans(), phase=phases)
    def put_dns_pod(self, ns: str, name: str, dns: tuple[str, str], labels: dict[str, str], extra: str | None,
                    ip: int | None, ready: bool, phase: str) -> None:
        """A DNS pod created, rolled, relabelled (also by a label no rule reads), moved to another
        IP, made ready or not: the same target for every tier or not."""
        verb = "MODIFIED" if self._get("Pod", ns, name) is not None else "ADDED"
        doc = _pod(ns, name, {**labels, dns[0]: dns[1], **({"bench": extra} if extra else {})}, phase, ip, "rs-dns",
                   False, False)
        doc["status"]["conditions"] = [{"type": "Ready", "status": str(ready)}]
        self._apply(verb, doc)

    @rule(ns=st.sampled_from(["kube-system", "a"]), name=st.sampled_from(DNS_PODS))
    def delete_dns_pod(self, ns: str, name: str) -> None:
        self.delete_pod(ns, name)

    @rule(ns=st.sampled_from(NAMESPACES), name=st.sampled_from(PODS))
    def delete_pod(self, ns: str, name: str) -> None:
        old = self._get("Pod", ns, name)
        if old is not None:
            change = self.state.apply(Event("DELETED", "Pod", old))
            if change is not None:
                self.pending.append(change)

    @rule(ns=st.sampled_from(NAMESPACES), name=st.sampled_from(["rs1", "rs2", "d1"]), labels=label_sets)
    def put_workload(self, ns: str, name: str, labels: dict[str, str]) -> None:
        kind = "Deployment" if name == "d1" else "ReplicaSet"
        verb = "MODIFIED" if self._get(kind, ns, name) is not None else "ADDED"
        self._apply(verb, {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": ns},
                           "spec": {"template": {"metadata": {"labels": labels},
                                                 "spec": {"containers": [{"name": "c"}]}}}})

    @rule(data=st.data(), index=st.integers(0, 3))
    def put_policy(self, data: st.DataObject, index: int) -> None:
        doc = data.draw(policies(index))
        doc["metadata"]["namespace"] = data.draw(st.sampled_from(NAMESPACES))
        verb = "MODIFIED" if self._get("NetworkPolicy", doc["metadata"]["namespace"], doc["metadata"]["name"]) \
            else "ADDED"
        self._apply(verb, doc)

    @rule(ns=st.sampled_from(NAMESPACES), index=st.integers(0, 3))
    def delete_policy(self, ns: str, index: int) -> None:
        old = self._get("NetworkPolicy", ns, f"p{index}")
        if old is not None:
            change = self.state.apply(Event("DELETED", "NetworkPolicy", old))
            if change is not None:
                self.pending.append(change)

    @rule(ns=st.sampled_from(NAMESPACES), team=st.sampled_from([None, "x", "y"]))
    def put_namespace(self, ns: str, team: str | None) -> None:
        verb = "MODIFIED" if self._get("Namespace", "", ns) is not None else "ADDED"
        labels = {"team": team} if team else {}
        self._apply(verb, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": labels}})

    @rule(action=st.sampled_from(["Allow", "Deny", "Pass"]), present=st.booleans())
    def admin_policy(self, action: str, present: bool) -> None:
        doc = {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy",
               "metadata": {"name": "anp"},
               "spec": {"priority": 10, "subject": {"namespaces": {}},
                        "egress": [{"name": "r", "action": action,
                                    "to": [{"networks": ["0.0.0.0/0"]}]}]}}
        old = self._get("AdminNetworkPolicy", "", "anp")
        if present:
            self._apply("MODIFIED" if old is not None else "ADDED", doc)
        elif old is not None:
            change = self.state.apply(Event("DELETED", "AdminNetworkPolicy", old))
            if change is not None:
                self.pending.append(change)

    @precondition(lambda self: bool(self.pending))
    @rule()
    def update(self) -> None:
        """One batch: everything since the last update, in one call (as the bridge does)."""
        before = dict(self.index.by_namespace)
        changed = self.index.update(self.pending)
        self.pending = []
        fresh = PostureIndex(self.state).by_namespace
        assert self.index.by_namespace == fresh
        moved = {ns for ns in set(before) | set(fresh) if before.get(ns) != fresh.get(ns)}
        assert moved <= changed  # every namespace that moved is reported (more is allowed)

    @invariant()
    def index_holds_every_namespace_once_updated(self) -> None:
        if not self.pending:
            assert set(self.index.by_namespace) == set(self.state.namespace_names())


PostureMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestPostureIndex = PostureMachine.TestCase
