"""How open a pod's egress is (open > internet > external > cluster > denied) and whether DNS works.

"Egress restricted but DNS blocked" is the outage a new egress policy most often causes, so the
DNS flag is computed against the cluster's real DNS pods when the state has them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ktui.analysis.core.portset import EMPTY, PortSet
from ktui.analysis.core.subjects import Subject, pod_subject
from ktui.analysis.policy.engine import NetpolEngine
from ktui.store import ClusterState

DNS_LABELS = (("k8s-app", "kube-dns"), ("k8s-app", "coredns"), ("app.kubernetes.io/name", "coredns"))


class EgressClass(enum.Enum):
    OPEN = "open"
    INTERNET = "internet"
    EXTERNAL = "external"
    CLUSTER = "cluster"
    DENIED = "denied"

    @property
    def rank(self) -> int:
        """0 for the most open class."""
        return list(EgressClass).index(self)


@dataclass(frozen=True, slots=True)
class EgressPosture:
    cls: EgressClass
    dns: bool
    internet_ports: PortSet  # the ports open to the whole internet (class INTERNET)
    policies: tuple[str, ...]


def dns_subjects(state: ClusterState) -> list[Subject]:
    """The cluster DNS pods (kube-dns / CoreDNS), wherever they run."""
    found = []
    for key, value in DNS_LABELS:
        for pod in state.pods():
            if pod.metadata.labels.get(key) == value:
                found.append(pod_subject(pod))
    seen: set[tuple[str, str]] = set()
    unique = []
    for s in found:
        if (s.namespace, s.name) not in seen:
            seen.add((s.namespace, s.name))
            unique.append(s)
    return unique


def _is_whole_internet(cidr: str) -> bool:
    return cidr.strip().endswith("/0")


def egress_posture(
    engine: NetpolEngine, subject: Subject, dns_pods: list[Subject] | None = None
) -> EgressPosture:
    if engine.admin_tiers():  # admin policies decide around NetworkPolicy: see adminegress
        from ktui.analysis.policy.admin_egress import admin_egress_posture

        posture = admin_egress_posture(engine, subject, dns_pods)
        if posture is not None:
            return posture
    policies = engine.selecting(subject, "egress")
    if not policies:
        return EgressPosture(EgressClass.OPEN, True, EMPTY, ())
    internet = EMPTY
    external = False
    selectors = False
    for cp in policies:
        for rule in cp.egress_rules:
            if rule.peers is None:
                internet = internet | rule.numeric
                continue
            for peer in rule.peers:
                if peer.block is None:
                    selectors = True
                elif _is_whole_internet(peer.block.cidr):
                    internet = internet | rule.numeric
                else:
                    external = True
    if internet:
        cls = EgressClass.INTERNET
    elif external:
        cls = EgressClass.EXTERNAL
    elif selectors:
        cls = EgressClass.CLUSTER
    else:
        cls = EgressClass.DENIED
    return EgressPosture(cls, _dns_ok(engine, subject, dns_pods), internet, tuple(cp.ref for cp in policies))


def _dns_ok(engine: NetpolEngine, subject: Subject, dns_pods: list[Subject] | None) -> bool:
    if dns_pods:
        return any(
            engine.can_reach(subject, dns, 53, proto).allowed
            for dns in dns_pods
            for proto in ("UDP", "TCP")
        )
    # No DNS pods in view (manifests): port 53 to some peer is the best available answer.
    for cp in engine.selecting(subject, "egress"):
        for rule in cp.egress_rules:
            if rule.ports is None or rule.numeric.contains(53, "UDP") or rule.numeric.contains(53, "TCP"):
                return True
    return False
