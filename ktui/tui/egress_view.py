"""A namespace's egress as destinations: for each place its pods may open connections to (the
internet, a CIDR, another namespace's workloads, its own), the ports, the workloads behind it
and the rules that open it. Addresses are CIDRs (`0.0.0.0/0 except 10.0.0.0/8`), never
a.b.c.d-e.f.g.h ranges.

The answer is the policy package's (`Analysis.egress_destinations`: every tier, NetworkPolicy,
admin, Calico, Cilium); this module only gathers it per namespace and words it. Pods selected by
the same egress policies share one answer (asked for one of them; a Calico egress rule that also
tests its source's labels could tell them apart), kept while no policy or pod shape changes;
pods no egress policy selects are "open" without asking.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ktui.analysis.core.owners import display_workload, owning_workload, workload_label
from ktui.analysis.core.portset import ALL, EMPTY, PortSet
from ktui.analysis.core.subjects import Subject, WorkloadId
from ktui.analysis.core.verdicts import RuleRef
from ktui.analysis.policy import Destination as PolicyDestination
from ktui.analysis.policy import EgressClass, EgressPath
from ktui.analysis.posture import NamespacePosture
from ktui.model.core import WORKLOAD_KINDS
from ktui.render.addresses import compact_cidrs, is_whole_space
from ktui.store import ClusterState
from ktui.tui.bridge import Bridge

ORDER = {"open": 0, "internet": 2, "cidr": 3, "namespace": 4, "pods": 5}


@dataclass(slots=True)
class Destination:
    kind: str  # open | internet | cidr | namespace | pods
    target: str  # "0.0.0.0/0 except 10.0.0.0/8", "Deployment payments/api", "namespace payments (every workload)"
    copy: str = ""  # what `copy` puts on the clipboard: a CIDR, ns/name
    ports: PortSet = EMPTY
    workloads: set[str] = field(default_factory=set)
    rules: dict[str, RuleRef | None] = field(default_factory=dict)  # text -> the rule (None: no rule, open)

    @property
    def order(self) -> tuple[int, str]:
        return ORDER.get(self.kind, 9), self.target

    def port_text(self) -> str:
        return "all ports" if self.ports.is_all() else self.ports.describe()

    def first_rule(self) -> RuleRef | None:
        return next((self.rules[t] for t in sorted(self.rules) if self.rules[t] is not None), None)


def rule_text(r: RuleRef, namespace: str) -> str:
    """`allow-egress egress[0]` for a NetworkPolicy of the namespace, else `Kind policy egress[0]`."""
    if r.kind == "NetworkPolicy" and r.namespace == namespace:
        return f"{r.policy_name or r.policy.rpartition('/')[2]} {r.direction}[{r.rule}]"
    return f"{r.kind} {r.policy} {r.direction}[{r.rule}]"


@dataclass(frozen=True, slots=True)
class NamespaceEgress:
    destinations: list[Destination]
    judged: int  # egress policy sets asked (each once, for one of its pods)
    sets: int  # egress policy sets in the namespace

    @property
    def partial(self) -> bool:
        return self.judged < self.sets


Answers = dict[tuple[str, ...], list[PolicyDestination]]
# bridge -> (stamp, per namespace: (its NetworkPolicy objects, answers))
_CACHE: dict[int, tuple[object, dict[str, tuple[tuple[object, ...], Answers]]]] = {}


def _answers(bridge: Bridge, namespace: str) -> Answers:
    """The policy package's answers per egress policy set of the namespace, kept while the bridge's
    policy stamp holds (readiness flips do not move them; a policy or a pod's labels do) but for
    Kubernetes NetworkPolicies of other namespaces: they select their own namespace's pods only,
    and the address ranges their ipBlocks cut merge again in this namespace's answers (adjacent
    ranges with the same ports and rules are one)."""
    state = bridge.state
    # (the posture index too: a whole build swaps it in without moving the store, and answers
    # asked meanwhile read the peers of the index it replaces)
    stamp = (state.version - state.kind_version("Pod") - state.kind_version("NetworkPolicy"), bridge.pod_shapes,
             id(bridge.posture))
    hit = _CACHE.get(id(bridge))
    if hit is None or hit[0] != stamp:
        hit = _CACHE[id(bridge)] = (stamp, {})
    policies = tuple(state.policies(namespace))
    held = hit[1].get(namespace)
    if held is None or len(held[0]) != len(policies) or any(a is not b for a, b in zip(held[0], policies, strict=True)):
        held = hit[1][namespace] = (policies, {})
    return held[1]


def namespace_egress(bridge: Bridge, namespace: str, limit: int | None = None,
                     ask: int | None = None) -> NamespaceEgress:
    """The namespace's destinations. Pods selected for egress by the same policies (every tier) get
    the same answer, asked once for one of them: what a policy allows does not depend on which of
    its pods asks. `limit`: ask at most that many policy sets (the largest first) and say so;
    `ask`: of those, ask at most that many not answered yet (a piece of work of bounded length)."""
    np = bridge.namespace(namespace)
    if np is None:
        return NamespaceEgress([], 0, 0)
    analysis = bridge.analysis
    state = analysis.state
    found: dict[tuple[str, str], Destination] = {}

    def add(kind: str, target: str, copy: str, ports: PortSet, workloads: set[str],
            rules: dict[str, RuleRef | None]) -> Destination:
        d = found.setdefault((kind, target), Destination(kind, target, copy))
        d.ports |= ports
        d.workloads |= workloads
        d.rules.update(rules)
        return d

    groups: dict[tuple[str, ...], list[Subject]] = {}
    open_pods: set[str] = set()
    for pod in np.pods:
        if pod.egress.cls is EgressClass.OPEN:
            open_pods.add(workload_label(display_workload(state, pod.subject)))
        else:
            groups.setdefault(pod.egress.policies, []).append(pod.subject)
    if open_pods:
        add("open", "anywhere (no egress policy selects these pods)", "", ALL, open_pods, {"-": None})
    answers = _answers(bridge, namespace)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    judged = asked = 0
    per_peer: dict[str, dict[WorkloadId, Destination]] = {}  # namespace -> its workloads' rows
    for policies, subjects in ordered:
        dests = answers.get(policies)
        if dests is None:
            if (limit is not None and judged >= limit) or (ask is not None and asked >= ask):
                continue
            asked += 1
            dests = answers[policies] = analysis.egress_destinations(subjects[0])
        judged += 1
        workloads = {workload_label(display_workload(state, s)) for s in subjects}
        addresses: dict[tuple[PortSet, tuple[RuleRef, ...]], list[str]] = {}  # alike ranges, as one set
        for dest in dests:
            rules: dict[str, RuleRef | None] = {rule_text(r, namespace): r for r in dest.rules}
            if dest.workload is None:
                addresses.setdefault((dest.ports, dest.rules), []).extend(dest.cidrs)
                continue
            w = owning_workload(state, dest.workload)
            kind = "pods" if w.namespace == namespace else "namespace"
            row = add(kind, f"{w.kind} {w.namespace}/{w.name}", f"{w.namespace}/{w.name}", dest.ports, workloads,
                      rules)
            per_peer.setdefault(w.namespace, {})[w] = row
        for (ports, refs), cidrs in addresses.items():
            target = compact_cidrs(cidrs)
            add("internet" if is_whole_space(target) else "cidr", target, target.split(" ", 1)[0].rstrip(",;"),
                ports, workloads, {rule_text(r, namespace): r for r in refs})
    _whole_namespaces(bridge, namespace, found, per_peer)
    return NamespaceEgress(sorted(found.values(), key=lambda d: d.order), judged + bool(open_pods),
                           len(groups) + bool(open_pods))


def egress_destinations(bridge: Bridge, namespace: str) -> list[Destination]:
    """Every destination of the namespace (the Egress view)."""
    return namespace_egress(bridge, namespace).destinations


# id(namespace posture) -> (it, the workloads' versions, its pods' owning workloads): a posture
# object is kept while its namespace's pods do not move (readiness flips keep it), and the
# preview asks often
_WORKLOADS: dict[int, tuple[NamespacePosture, int, set[WorkloadId]]] = {}


def _workloads_of(state: ClusterState, np: NamespacePosture) -> set[WorkloadId]:
    owners = sum(state.kind_version(k) for k in WORKLOAD_KINDS)
    hit = _WORKLOADS.get(id(np))
    if hit is None or hit[0] is not np or hit[1] != owners:
        if len(_WORKLOADS) > 4096:
            _WORKLOADS.clear()
        hit = _WORKLOADS[id(np)] = (np, owners, {owning_workload(state, p.subject.workload) for p in np.pods})
    return hit[2]


def _whole_namespaces(bridge: Bridge, namespace: str, found: dict[tuple[str, str], Destination],
                      per_peer: dict[str, dict[WorkloadId, Destination]]) -> None:
    """Every workload of a namespace reachable alike (same ports, same rules, same sources): one
    row for the namespace instead of one per workload."""
    state = bridge.analysis.state
    for ns, rows in per_peer.items():
        np = bridge.namespace(ns)
        if np is None or len(rows) < 2:
            continue
        every = _workloads_of(state, np)
        first = next(iter(rows.values()))
        alike = all(r.ports == first.ports and r.rules == first.rules and r.workloads == first.workloads
                    for r in rows.values())
        if set(rows) != every or not alike:
            continue
        for r in rows.values():
            found.pop((r.kind, r.target), None)
        kind = "pods" if ns == namespace else "namespace"
        target = f"namespace {ns} (every workload)"
        found[(kind, target)] = Destination(kind, target, ns, first.ports, set(first.workloads), dict(first.rules))


@dataclass(frozen=True, slots=True)
class PathRow:
    """One way the namespace's traffic leaves the cluster, with the workloads whose pods take it."""

    path: EgressPath
    workloads: tuple[str, ...]  # `Deployment api`, sorted


def namespace_paths(bridge: Bridge, namespace: str) -> list[PathRow]:
    """The egress paths of the namespace's pods (Analysis.egress_path, the policy package's one
    definition), one row per path; [] when the cluster declares none (no IPPool, no gateway)."""
    np = bridge.namespace(namespace)
    if np is None:
        return []
    analysis = bridge.analysis
    found: dict[EgressPath, set[str]] = {}
    for pod in np.pods:
        for path in analysis.egress_path(pod.subject):
            found.setdefault(path, set()).add(workload_label(display_workload(analysis.state, pod.subject)))
    return [PathRow(path, tuple(sorted(ws))) for path, ws in found.items()]
