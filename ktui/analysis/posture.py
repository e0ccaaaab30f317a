"""Per-namespace posture summaries, recomputed only for what a change touches.

A pod's posture depends on its namespace's policies and its labels (and its IPs when the DNS pods
are guarded by ipBlocks): a namespace is recomputed per distinct label set, a modified pod alone.
The DNS flag reads other objects (the DNS pods, their namespace's labels and policies): when the
DNS pods change, or a policy of their namespace, nothing is asked again if they stay the same
target for every tier (posture_dns), else only the DNS part of the restricted answers is, and
only the namespaces whose answers moved are rebuilt. A Namespace change recomputes that
namespace; elsewhere it moves what its labels let rules match: the in-cluster answers resting on
its pods (egress probes, egress_moves) and, for a DNS namespace, the DNS part of the answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ktui.analysis.core.subjects import Subject, is_subject_pod, namespace_subjects, pod_subject, same_subject
from ktui.analysis.policy import (
    DNS_LABELS,
    DNS_STAND_IN,
    EgressClass,
    EgressPosture,
    EgressToken,
    NetpolEngine,
    dns_subjects,
    egress_moves,
    egress_posture,
    egress_signature,
    namespace_policy_counts,
)
from ktui.analysis.policy.connsides import address_table
from ktui.analysis.policy.egress_probes import pods_quiet
from ktui.analysis.posture_changes import (
    GLOBAL_KINDS,
    Cause,
    PostureDelta,
    PostureSummary,
    level,
    posture_deltas,
    summarize,
)
from ktui.analysis.posture_dns import DnsTargets
from ktui.analysis.posture_report import (
    HostView,
    NamespaceOverview,
    PostureReport,
    host_view,
    namespace_overview,
    posture_report,
)
from ktui.model.core import WORKLOAD_KINDS
from ktui.model.meta import controller_of
from ktui.store import Change, ClusterState

__all__ = ["GLOBAL_KINDS", "POLICY_KINDS", "Cause", "HostView", "NamespaceOverview", "NamespacePosture", "PodPosture",
           "PostureDelta", "PostureIndex", "PostureReport", "PostureSummary", "host_view", "level",
           "namespace_overview", "pod_moved", "posture_deltas", "posture_report", "summarize"]

POLICY_KINDS = frozenset({"Pod", "NetworkPolicy", "Namespace", *WORKLOAD_KINDS})  # can alter NetworkPolicy answers


@dataclass(frozen=True, slots=True)
class PodPosture:
    subject: Subject = field(compare=False)
    ingress_isolated: bool
    ingress_policies: tuple[str, ...]
    egress: EgressPosture
    ident: tuple[str, str] = field(init=False)  # (name, kind): what equality compares the subject by

    def __post_init__(self) -> None:
        object.__setattr__(self, "ident", (self.subject.name, self.subject.workload.kind))

    egress_isolated = property(lambda self: self.egress.cls is not EgressClass.OPEN)


_CLASSES = tuple(EgressClass)  # most open first
_MAX_HELD = 50_000  # rules and sides the DNS comparison looks at; beyond, a full recompute starts afresh
_READS_PODS = (EgressClass.CLUSTER, EgressClass.DENIED, EgressClass.UNKNOWN)


@dataclass(frozen=True, slots=True)
class NamespacePosture:
    """One namespace's pods and the counts the overview shows (computed once, read often)."""

    namespace: str
    pods: tuple[PodPosture, ...]
    policies: int  # namespaced policy objects of every enforcing family (policy.namespace_policy_counts)
    policy_kinds: tuple[tuple[str, int], ...] = ()  # (kind, count) behind `policies`, every kind, tier order
    egress_counts: dict[EgressClass, int] = field(init=False)
    ingress_isolated: int = field(init=False)
    egress_isolated: int = field(init=False)
    dns_blocked: int = field(init=False)
    most_open_egress: EgressClass | None = field(init=False)  # None: no pods

    def __post_init__(self) -> None:
        """One pass, comparing by identity: enum hashing is slow and this runs on every batch."""
        per_class = [0] * len(_CLASSES)
        ingress = dns_blocked = 0
        for p in self.pods:
            ingress += p.ingress_isolated
            dns_blocked += not p.egress.dns
            per_class[_CLASSES.index(p.egress.cls)] += 1
        set_ = object.__setattr__
        set_(self, "egress_counts", {c: n for c, n in zip(_CLASSES, per_class, strict=True) if n})
        set_(self, "ingress_isolated", ingress)
        set_(self, "egress_isolated", len(self.pods) - per_class[0])
        set_(self, "dns_blocked", dns_blocked)
        set_(self, "most_open_egress", next((c for c, n in zip(_CLASSES, per_class, strict=True) if n), None))


def _same_place(c: Change) -> bool:
    """A pod modified without leaving or joining its namespace's subjects (same owner, running)."""
    return (c.old is not None and c.new is not None and is_subject_pod(c.old) and is_subject_pod(c.new)
            and controller_of(c.old.metadata) == controller_of(c.new.metadata))


def _is_dns_pod(obj: object) -> bool:
    labels = getattr(getattr(obj, "metadata", None), "labels", None) or {}
    return any(labels.get(k) == v for k, v in DNS_LABELS)


def pod_moved(c: Change) -> bool:
    """A pod came, went, or changed what policy answers read of it as a peer (labels, IPs, ports,
    host network, owner, service account): a readiness flip or a status update moves no policy
    answer about others."""
    if c.old is None or c.new is None or is_subject_pod(c.old) != is_subject_pod(c.new):
        return True
    if same_subject(c.old, c.new):
        return False
    old, new = pod_subject(c.old), pod_subject(c.new)
    return (dict(old.labels) != dict(new.labels) or old.ips != new.ips or old.ports != new.ports
            or old.host_network != new.host_network or old.workload != new.workload
            or old.service_account != new.service_account)


class PostureIndex:
    """Keeps a NamespacePosture per namespace; `update` recomputes only what changes touch."""

    def __init__(self, state: ClusterState, engine: NetpolEngine | None = None) -> None:
        self.state = state
        self.engine = engine or NetpolEngine(state)
        self.by_namespace: dict[str, NamespacePosture] = {}
        self._dns: list[Subject] = []
        self._dns_ip_sensitive = False
        # per namespace: posture parts by label set (and IPs when they matter)
        self._memo: dict[str, dict[object, tuple[bool, tuple[str, ...], EgressPosture]]] = {}
        self._subjects: dict[tuple[str, str], tuple[object, Subject]] = {}  # by pod, while unchanged
        self._where: dict[str, dict[str, int]] = {}  # pod name -> position in by_namespace[ns].pods
        # per namespace: the egress signature of the label sets whose class reads other pods
        # (cluster, denied, unknown: a pod appearing or leaving elsewhere may move them)
        self._idents: dict[str, dict[object, object]] = {}
        self._egress_token: EgressToken | None = None
        # per namespace: a pod of each memo entry whose egress is restricted (its DNS part is asked
        # again when the DNS pods stop being the same target)
        self._reps: dict[str, dict[object, Subject]] = {}
        self._targets = DnsTargets(self.engine)
        self.recompute(None)

    @property
    def dns_pods(self) -> list[Subject]:
        return list(self._dns)

    def _ip_sensitive(self, dns: list[Subject]) -> bool:
        """Some rule of any tier guarding the DNS pods' ingress matches some addresses and not
        others (an ipBlock, Calico nets, Cilium CIDRs...): a pod's IPs may move its DNS flag."""
        table, ranges = address_table(self.engine), self.engine.external_ranges("ingress")
        for s in dns:
            for tier, side in self.engine.select(s, "ingress"):
                for rule in side.rules:
                    runs = table.rule_ranges(tier, rule, "ingress", ranges)
                    if runs is not None and (runs[0] or runs[1]):
                        return True
        return False

    def _refresh_dns(self) -> None:
        self._dns = dns_subjects(self.state, self._subjects)
        self._dns_ip_sensitive = self._ip_sensitive(self._dns)
        self._targets.reset(self._dns)

    def _pod(self, ns: str, s: Subject) -> PodPosture:
        memo = self._memo.setdefault(ns, {})
        key: object = (s.label_set, s.service_account, s.host_network,  # what tiers select by
                       s.ips if self._dns_ip_sensitive else ())
        parts = memo.get(key)
        if parts is None:
            # isolated: some tier closes what it does not allow (NetworkPolicy, Cilium default deny,
            # a Calico tier's default Deny), named by its policies
            closing = [side for _, side in self.engine.select(s, "ingress") if side.end.value == "deny"]
            parts = (bool(closing), tuple(p for side in closing for p in side.policies),
                     egress_posture(self.engine, s, self._dns))
            memo[key] = parts
            if parts[2].cls is not EgressClass.OPEN:
                self._reps.setdefault(ns, {})[key] = s
                self._targets.register(s)
            if parts[2].cls in _READS_PODS:
                self._idents.setdefault(ns, {})[key] = egress_signature(self.engine, s)
        return PodPosture(s, *parts)

    def _build(self, ns: str, pods: list[PodPosture]) -> NamespacePosture:
        kinds = namespace_policy_counts(self.state, ns)
        return NamespacePosture(ns, tuple(pods), sum(n for _, n in kinds), kinds)

    def _store(self, ns: str, new: NamespacePosture, changed: set[str]) -> None:
        self._where.pop(ns, None)
        if self.by_namespace.get(ns) != new:
            changed.add(ns)
        self.by_namespace[ns] = new  # even when equal: its subjects are the current ones

    def recompute(self, namespaces: set[str] | None, keep_memo: bool = False) -> set[str]:
        """Recompute the given namespaces (None: all). Returns those whose posture changed.
        keep_memo: only pods changed, so the per-label-set answers still hold."""
        if namespaces is None:
            self._refresh_dns()
            self._memo.clear()
            self._idents.clear()
            self._reps.clear()
        names = set(self.state.namespace_names())
        targets = names if namespaces is None else namespaces & names
        changed: set[str] = set()
        for ns in sorted(targets):
            if not keep_memo:
                self._memo.pop(ns, None)
                self._idents.pop(ns, None)
                self._reps.pop(ns, None)
            self._store(ns, self._repod(ns), changed)
        for gone in set(self.by_namespace) - names:
            del self.by_namespace[gone]
            self._memo.pop(gone, None)
            self._idents.pop(gone, None)
            self._reps.pop(gone, None)
            changed.add(gone)
        if namespaces is None:
            self._egress_token = egress_moves(self.engine, None)[0]
        return changed

    def _repod(self, ns: str) -> NamespacePosture:
        """The namespace again with its current subjects, reusing the memoized posture parts."""
        return self._build(ns, [self._pod(ns, s) for s in namespace_subjects(self.state, ns, self._subjects)])

    def _patch(self, ns: str, changes: list[Change], changed: set[str]) -> bool:
        """Pods modified in place (readiness, IPs, labels): swap just their postures. False when
        the namespace needs a rebuild (a pod it does not hold as expected)."""
        old = self.by_namespace.get(ns)
        if old is None:
            return False
        where = self._where.get(ns)
        if where is None:  # positions hold while only patches happen
            where = self._where[ns] = {p.subject.name: i for i, p in enumerate(old.pods)}
        pods = list(old.pods)
        material = touched = False
        for c in changes:
            i = where.get(c.name)
            hit = self._subjects.get((ns, c.name))
            alike = same_subject(c.old, c.new)  # a readiness flip: the same Subject, the same posture
            if i is None or hit is None or hit[0] is not c.old or pods[i].subject is not hit[1]:
                return False
            if alike:
                self._subjects[(ns, c.name)] = (c.new, hit[1])
                continue
            s = pod_subject(c.new)
            self._subjects[(ns, c.name)] = (c.new, s)
            new = self._pod(ns, s)
            material = material or new != pods[i]
            pods[i] = new
            touched = True
        if touched:  # else the namespace's posture object stays (screens' caches keyed by it hold)
            self.by_namespace[ns] = self._build(ns, pods)
        if material:
            changed.add(ns)
        return True

    def _egress_moved(self) -> set[str] | None:
        """Egress classes that read other pods and moved since the last look (the probes'
        classes changed): their memo entries are dropped; returns the namespaces holding them,
        None when any may have moved."""
        token, moved = egress_moves(self.engine, self._egress_token)
        self._egress_token = token
        if moved is None:
            return None
        out: set[str] = set()
        if moved:
            for ns, idents in self._idents.items():
                gone = [key for key, ident in idents.items() if ident in moved]
                for key in gone:
                    del idents[key]
                    self._memo.get(ns, {}).pop(key, None)
                if gone:
                    out.add(ns)
        return out

    def _dns_moved(self) -> set[str] | None:
        """The DNS pods, a policy of their namespace, or its labels changed. Nothing moves while
        they stay the same target for every tier; else the DNS part of each restricted answer is
        asked again (an open pod reads no DNS pod). Returns the namespaces whose answers moved;
        None: recompute all (the memo keys change with the DNS pods' ipBlock guards, or too much
        is held)."""
        pods = dns_subjects(self.state, self._subjects)
        if self._ip_sensitive(pods) != self._dns_ip_sensitive or self._targets.size > _MAX_HELD:
            return None
        self._dns = pods
        if self._targets.accept(pods):
            return set()
        out: set[str] = set()
        for ns, reps in self._reps.items():
            memo = self._memo.get(ns, {})
            for key, s in reps.items():
                parts = memo.get(key)
                if parts is None:
                    continue
                egress = egress_posture(self.engine, s, pods)
                if egress == parts[2]:
                    continue
                memo[key] = (parts[0], parts[1], egress)
                idents = self._idents.setdefault(ns, {})
                if egress.cls in _READS_PODS:
                    idents[key] = egress_signature(self.engine, s)
                else:
                    idents.pop(key, None)
                out.add(ns)
        return out

    def update(self, changes: Iterable[Change]) -> set[str]:
        """Apply a batch of store changes; returns the namespaces whose posture changed."""
        changes = list(changes)
        full: set[str] = set()
        pods_only: set[str] = set()
        in_place: dict[str, list[Change]] = {}
        dns_moved = dns_relabelled = False
        dns_namespaces = {s.namespace for s in self._dns} or {DNS_STAND_IN.namespace}  # the stand-ins' own
        for c in changes:
            if c.kind in GLOBAL_KINDS:
                return self.recompute(None)
            if c.kind == "Namespace":  # its own pods' answers; elsewhere, what its labels let rules match:
                # in-cluster peers (the probes' classes, egress_moves) and the DNS pods living there
                dns_relabelled = dns_relabelled or c.name in dns_namespaces
                full.add(c.name)
            elif c.kind == "Pod":
                if c.new is None:
                    self._subjects.pop((c.namespace, c.name), None)
                dns_moved = dns_moved or ((_is_dns_pod(c.old) or _is_dns_pod(c.new)) and pod_moved(c))
                if _same_place(c):
                    in_place.setdefault(c.namespace, []).append(c)
                else:
                    pods_only.add(c.namespace)
            elif c.kind in POLICY_KINDS:
                dns_moved = dns_moved or (c.kind == "NetworkPolicy" and c.namespace in dns_namespaces)
                full.add(c.namespace)
        still = Counter(c.namespace for c in changes if c.kind == "Pod" and _same_place(c) and not pod_moved(c))
        quiet = sum(still.values()) == len(changes)
        # readiness flips, status updates: no probe class can move (what it reads is unchanged),
        # so the probes are not refreshed (they catch up, lazily, when something does move); the
        # classes they hold stay current across them, even beside other changes (a namespace with
        # other changes too is looked at again: its version tells)
        pods_quiet(self.engine, dict(still))
        moved = set() if quiet and not full else self._egress_moved()
        if moved is None:
            return self.recompute(None)
        pods_only |= moved
        if dns_moved or dns_relabelled:
            redone = self._dns_moved()
            if redone is None:
                return self.recompute(None)
            pods_only |= redone
        changed = self.recompute(full) if full else set()
        for ns, pod_changes in in_place.items():
            if ns not in full and ns not in pods_only and not self._patch(ns, pod_changes, changed):
                pods_only.add(ns)
        rest = pods_only - full
        return changed | (self.recompute(rest, keep_memo=True) if rest else set())
