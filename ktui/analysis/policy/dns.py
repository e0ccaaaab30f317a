"""Can a pod reach cluster DNS? Written once for every view (posture, check, the TUI, diff).

"Egress restricted but DNS blocked" is the outage a new egress policy most often causes. The
question is asked of the cluster's DNS pods when they are in view, else of a stand-in kube-dns pod
in kube-system (manifests rarely hold the DNS pods), on port 53 UDP and TCP, through the same
verdicts as every other connection: a tier's DNS-specific rule works through the normal port path.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ktui.analysis.core.subjects import ExternalRange, PodCache, Subject, WorkloadId, pod_subject
from ktui.analysis.core.verdicts import Verdict
from ktui.analysis.policy.connsides import address_table
from ktui.analysis.policy.engine import PolicyEngine
from ktui.model.core import ContainerPort
from ktui.model.selectors import LabelSelector
from ktui.store import ClusterState

DNS_LABELS = (("k8s-app", "kube-dns"), ("k8s-app", "coredns"), ("app.kubernetes.io/name", "coredns"))

_DNS_PORTS = (ContainerPort(53, "dns", "UDP"), ContainerPort(53, "dns-tcp", "TCP"))
DNS_STAND_IN = Subject(
    namespace="kube-system", name="kube-dns", labels={"k8s-app": "kube-dns"}, ports=_DNS_PORTS, ips=(),
    workload=WorkloadId("kube-system", "coredns", "Deployment"))
# the same DNS as CoreDNS's own chart labels it (rules select either)
_COREDNS_STAND_IN = Subject(
    namespace="kube-system", name="coredns", labels={"k8s-app": "coredns", "app.kubernetes.io/name": "coredns"},
    ports=_DNS_PORTS, ips=(), workload=WorkloadId("kube-system", "coredns", "Deployment"))
DNS_STAND_INS = (DNS_STAND_IN, _COREDNS_STAND_IN)
# NodeLocal DNSCache's default link-local listen address (kubernetes.io, "Using NodeLocal DNSCache")
NODE_LOCAL_DNS = ExternalRange.of_ip(ipaddress.ip_address("169.254.20.10"))


def dns_subjects(state: ClusterState, cache: PodCache | None = None) -> list[Subject]:
    """The cluster DNS pods (kube-dns / CoreDNS), wherever they run, each once: by DNS label,
    then namespace, then name (an order no event history changes). Found through the store's
    label index, not by reading every pod: a DNS event asks this again. `cache` (a pod's
    Subject while its object is unchanged, as core.subjects keeps it) lends their Subjects."""
    seen: set[tuple[str, str]] = set()
    out: list[Subject] = []
    for key, value in DNS_LABELS:
        selector = LabelSelector(match_labels={key: value})
        for ns in state.namespace_names():
            for pod in state.pods_matching(ns, selector):
                name = (ns, pod.metadata.name)
                if name in seen:
                    continue
                seen.add(name)
                hit = cache.get(name) if cache is not None else None
                out.append(hit[1] if hit is not None and hit[0] is pod else pod_subject(pod))
    return out


@dataclass(frozen=True, slots=True)
class DnsCheck:
    """The answer and the verdicts behind it (one per DNS target and protocol)."""

    ok: bool
    unknown: str | None  # not ok, and it depends on something ktui cannot see
    verdicts: tuple[Verdict, ...]  # up to the first that allows
    stand_in: bool  # no DNS pods in view: asked of the kube-dns stand-in


def dns_check(engine: PolicyEngine, subject: Subject, dns_pods: list[Subject] | None = None) -> DnsCheck:
    """Port 53 (UDP or TCP) to some cluster DNS pod; when none is in view, to a stand-in: a
    kube-system pod labelled as kube-dns or as CoreDNS, or NodeLocal DNSCache's address.

    The stand-ins have no known IP, so address rules cannot name them: egress that allows port 53
    to some address counts as reaching DNS (NodeLocal DNSCache, a resolver outside the cluster, or
    the pod network where the real DNS pods are); `ktui check` (KTUI-NP003) must say the same.
    """
    targets: list[Subject | ExternalRange] = [*dns_pods] if dns_pods else [*DNS_STAND_INS, NODE_LOCAL_DNS]
    found: list[Verdict] = []
    for d in targets:
        for proto in ("UDP", "TCP"):
            found.append(engine.can_reach(subject, d, 53, proto))
            if found[-1].allowed:
                break  # one open way is the answer; the rest need not be asked
        if found[-1].allowed:
            break
    verdicts = tuple(found)
    ok = verdicts[-1].allowed
    if not ok and not dns_pods:
        ok = _port_53_to_addresses(engine, subject)
    unknown = None if ok else next((v.unknown for v in verdicts if v.unknown), None)
    return DnsCheck(ok, unknown, verdicts, not dns_pods)


def _port_53_to_addresses(engine: PolicyEngine, subject: Subject) -> bool:
    table = address_table(engine)
    side = table.side_of(subject, "egress")
    allowed = table.range_ports(side, "egress", engine.external_ranges("egress"), None)
    return any(ports.contains(53, proto) for ports in allowed for proto in ("UDP", "TCP"))


def dns_reachable(engine: PolicyEngine, subject: Subject, dns_pods: list[Subject] | None = None) -> bool:
    return dns_check(engine, subject, dns_pods).ok
