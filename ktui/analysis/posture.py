"""Per-namespace posture summaries, recomputed only for what a change touches.

A pod's NetworkPolicy posture depends on its namespace's policies and its labels (plus its IPs
when the DNS pods are guarded by ipBlocks), so a namespace is recomputed per distinct label set,
and a pod event recomputes that pod alone. Isolation and egress class never read other objects'
labels; the DNS flag reads the DNS pods and the labels of their namespace, so a change to the DNS
pods, to policies in their namespace or to that Namespace recomputes everything, and any other
Namespace change recomputes that namespace alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ktui.analysis.egress import DNS_LABELS, EgressClass, EgressPosture, dns_subjects, egress_posture
from ktui.analysis.exposure import Exposure, exposures
from ktui.analysis.findings_catalogue import Finding, Severity
from ktui.analysis.hostnames import ANY_HOST
from ktui.analysis.netpol import NetpolEngine
from ktui.analysis.subjects import Subject, is_running, pod_subject, template_subject
from ktui.analysis.triage import Triager
from ktui.model.core import WORKLOAD_KINDS
from ktui.model.meta import controller_of
from ktui.store import Change, ClusterState

# Kinds whose changes can alter NetworkPolicy answers.
POLICY_KINDS = frozenset({"Pod", "NetworkPolicy", "Namespace", *WORKLOAD_KINDS})
GLOBAL_KINDS = frozenset({"AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"})


@dataclass(frozen=True, slots=True)
class PodPosture:
    subject: Subject = field(compare=False)
    ingress_isolated: bool
    ingress_policies: tuple[str, ...]
    egress: EgressPosture
    ident: tuple[str, str] = field(init=False)  # (name, kind): what equality compares the subject by

    def __post_init__(self) -> None:
        object.__setattr__(self, "ident", (self.subject.name, self.subject.workload.kind))

    @property
    def egress_isolated(self) -> bool:
        return self.egress.cls is not EgressClass.OPEN


@dataclass(frozen=True, slots=True)
class NamespacePosture:
    """One namespace's pods and the counts the overview shows (computed once, read often)."""

    namespace: str
    pods: tuple[PodPosture, ...]
    policies: int
    egress_counts: dict[EgressClass, int] = field(default_factory=dict)
    ingress_isolated: int = field(init=False)
    egress_isolated: int = field(init=False)
    dns_blocked: int = field(init=False)
    most_open_egress: EgressClass | None = field(init=False)  # None: no pods

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "ingress_isolated", sum(p.ingress_isolated for p in self.pods))
        set_(self, "egress_isolated", sum(p.egress.cls is not EgressClass.OPEN for p in self.pods))
        set_(self, "dns_blocked", sum(not p.egress.dns for p in self.pods))
        present = [c for c in EgressClass if self.egress_counts.get(c)]
        set_(self, "most_open_egress", present[0] if present else None)


def level(count: int, total: int) -> str:
    """'none', 'some' or 'all': how the UI and the feed speak about per-pod counts."""
    if total == 0 or count == 0:
        return "none"
    return "all" if count == total else "some"


@dataclass(frozen=True, slots=True)
class PostureSummary:
    """The figures a posture change is judged on; pod churn that keeps them is not a change."""

    pods: int
    policies: int
    ingress_isolated: int
    egress_isolated: int
    dns_blocked: int
    most_open: EgressClass | None

    def material(self) -> tuple[object, ...]:
        return (
            self.policies,
            level(self.ingress_isolated, self.pods),
            level(self.egress_isolated, self.pods),
            level(self.dns_blocked, self.pods),
            self.most_open,
        )


def summarize(np: NamespacePosture) -> PostureSummary:
    return PostureSummary(len(np.pods), np.policies, np.ingress_isolated, np.egress_isolated,
                          np.dns_blocked, np.most_open_egress)


@dataclass(frozen=True, slots=True)
class Cause:
    """An object change that came with a posture change: what to look at."""

    kind: str
    namespace: str
    name: str
    verb: str  # added | changed | removed


@dataclass(frozen=True, slots=True)
class PostureDelta:
    namespace: str
    before: PostureSummary | None
    after: PostureSummary | None
    causes: tuple[Cause, ...]

    def facts(self) -> list[tuple[str, str, str]]:
        """(what, before, after) for each figure whose meaning changed."""
        b, a = self.before, self.after
        if b is None or a is None:
            return [("namespace", "absent" if b is None else "present", "absent" if a is None else "present")]
        out: list[tuple[str, str, str]] = []
        if b.most_open != a.most_open:
            out.append(("egress", b.most_open.value if b.most_open else "no pods",
                        a.most_open.value if a.most_open else "no pods"))
        for what, bn, an in (("ingress isolated", b.ingress_isolated, a.ingress_isolated),
                             ("egress isolated", b.egress_isolated, a.egress_isolated),
                             ("DNS blocked", b.dns_blocked, a.dns_blocked)):
            if level(bn, b.pods) != level(an, a.pods):
                out.append((what, f"{bn}/{b.pods}", f"{an}/{a.pods}"))
        if b.policies != a.policies:
            out.append(("policies", str(b.policies), str(a.policies)))
        return out


_CAUSE_ORDER = {"NetworkPolicy": 0, "Namespace": 1}


def posture_deltas(
    before: Mapping[str, NamespacePosture], after: Mapping[str, NamespacePosture],
    namespaces: Iterable[str], changes: Iterable[Change],
) -> list[PostureDelta]:
    """The material posture changes among `namespaces`, each with the object changes behind it."""
    by_ns: dict[str, list[Cause]] = {}
    global_causes: list[Cause] = []
    for c in changes:
        verb = "added" if c.old is None else "removed" if c.new is None else "changed"
        cause = Cause(c.kind, c.namespace, c.name, verb)
        if c.kind == "Namespace":
            by_ns.setdefault(c.name, []).append(cause)
        elif c.kind in GLOBAL_KINDS:
            global_causes.append(cause)
        else:
            by_ns.setdefault(c.namespace, []).append(cause)
    out = []
    for ns in sorted(namespaces):
        b, a = before.get(ns), after.get(ns)
        sb = summarize(b) if b is not None else None
        sa = summarize(a) if a is not None else None
        if sb is not None and sa is not None and sb.material() == sa.material():
            continue
        causes = by_ns.get(ns, []) + global_causes
        if not causes:  # moved by a change elsewhere (the DNS pods' namespace): name that change
            causes = [c for cs in by_ns.values() for c in cs if c.kind != "Pod"][:3]
        causes.sort(key=lambda c: _CAUSE_ORDER.get(c.kind, 2))
        out.append(PostureDelta(ns, sb, sa, tuple(dict.fromkeys(causes))))
    return out


def namespace_subjects(state: ClusterState, namespace: str,
                       cache: dict[tuple[str, str], tuple[object, Subject]] | None = None) -> list[Subject]:
    """`cluster_subjects` for one namespace (owner chains never cross namespaces). With `cache`,
    a pod whose object is unchanged (the same immutable struct) keeps its Subject."""
    subjects = []
    for p in state.pods(namespace):
        if not is_running(p):
            continue
        hit = cache.get((namespace, p.metadata.name)) if cache is not None else None
        if hit is not None and hit[0] is p:
            subjects.append(hit[1])
            continue
        s = pod_subject(p)
        if cache is not None:
            cache[(namespace, p.metadata.name)] = (p, s)
        subjects.append(s)
    owners: dict[tuple[str, str], tuple[str, str]] = {}
    for kind in WORKLOAD_KINDS:
        for w in state.objects(kind, namespace):
            ref = controller_of(w.metadata)
            if ref is not None:
                owners[(kind, w.metadata.name)] = (ref.kind, ref.name)
    owned: set[tuple[str, str]] = set()
    for pod in state.pods(namespace):
        ref = controller_of(pod.metadata)
        key = (ref.kind, ref.name) if ref is not None else None
        while key is not None and key not in owned:
            owned.add(key)
            key = owners.get(key)
    for kind in WORKLOAD_KINDS:
        for w in state.objects(kind, namespace):
            if controller_of(w.metadata) is not None or (kind, w.metadata.name) in owned:
                continue
            subject = template_subject(w)
            if subject is not None:
                subjects.append(subject)
    subjects.sort(key=lambda s: (s.name, s.workload.kind))
    return subjects


def _is_dns_pod(obj: object) -> bool:
    labels = getattr(getattr(obj, "metadata", None), "labels", None) or {}
    return any(labels.get(k) == v for k, v in DNS_LABELS)


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
        self.recompute(None)

    @property
    def dns_pods(self) -> list[Subject]:
        return list(self._dns)

    def _refresh_dns(self) -> None:
        self._dns = dns_subjects(self.state)
        self._dns_ip_sensitive = any(
            peer.block is not None
            for s in self._dns
            for cp in self.engine.selecting(s, "ingress")
            for rule in cp.ingress_rules
            for peer in rule.peers or ()
        )

    def _pod(self, ns: str, s: Subject) -> PodPosture:
        memo = self._memo.setdefault(ns, {})
        key: object = (frozenset(s.labels.items()), s.ips if self._dns_ip_sensitive else ())
        parts = memo.get(key)
        if parts is None:
            ingress = self.engine.selecting(s, "ingress")
            parts = (bool(ingress), tuple(cp.ref for cp in ingress), egress_posture(self.engine, s, self._dns))
            memo[key] = parts
        return PodPosture(s, *parts)

    def _build(self, ns: str, pods: list[PodPosture]) -> NamespacePosture:
        counts = Counter(p.egress.cls for p in pods)
        return NamespacePosture(ns, tuple(pods), len(self.state.policies(ns)), dict(counts))

    def _store(self, ns: str, new: NamespacePosture, changed: set[str]) -> None:
        if self.by_namespace.get(ns) != new:
            self.by_namespace[ns] = new
            changed.add(ns)

    def recompute(self, namespaces: set[str] | None) -> set[str]:
        """Recompute the given namespaces (None: all). Returns those whose posture changed."""
        if namespaces is None:
            self._refresh_dns()
            self._memo.clear()
        names = set(self.state.namespace_names())
        targets = names if namespaces is None else namespaces & names
        changed: set[str] = set()
        for ns in sorted(targets):
            self._memo.pop(ns, None)
            pods = [self._pod(ns, s) for s in namespace_subjects(self.state, ns, self._subjects)]
            self._store(ns, self._build(ns, pods), changed)
        for gone in set(self.by_namespace) - names:
            del self.by_namespace[gone]
            self._memo.pop(gone, None)
            changed.add(gone)
        return changed

    def _repod(self, ns: str) -> NamespacePosture:
        """The namespace again with its current subjects, reusing the memoized posture parts."""
        return self._build(ns, [self._pod(ns, s) for s in namespace_subjects(self.state, ns, self._subjects)])

    def update(self, changes: Iterable[Change]) -> set[str]:
        """Apply a batch of store changes; returns the namespaces whose posture changed."""
        full: set[str] = set()
        pods_only: set[str] = set()
        dns_namespaces = {s.namespace for s in self._dns}
        for c in changes:
            if c.kind in GLOBAL_KINDS:
                return self.recompute(None)
            if c.kind == "Namespace":
                # Isolation and egress class never read namespace labels; the DNS flag does, but
                # only between a namespace and the DNS pods' one.
                if c.name in dns_namespaces:
                    return self.recompute(None)
                full.add(c.name)
            elif c.kind == "Pod":
                if c.new is None:
                    self._subjects.pop((c.namespace, c.name), None)
                if _is_dns_pod(c.old) or _is_dns_pod(c.new):
                    return self.recompute(None)
                pods_only.add(c.namespace)
            elif c.kind == "NetworkPolicy" and c.namespace in dns_namespaces:
                return self.recompute(None)
            elif c.kind in POLICY_KINDS:
                full.add(c.namespace)
        changed = self.recompute(full) if full else set()
        names = set(self.state.namespace_names())
        for ns in sorted(pods_only - full):
            if ns in names:
                self._store(ns, self._repod(ns), changed)
            elif self.by_namespace.pop(ns, None) is not None:
                self._memo.pop(ns, None)
                changed.add(ns)
        return changed


# ---------------------------------------------------------------- exposure and findings


@dataclass(frozen=True, slots=True)
class EntryHealth:
    """One exposed entry with its triage verdict: the worst link, and that link's reason."""

    entry: Exposure
    status: str  # ok | warn | fail
    reason: str = ""
    obj: str = ""

    @property
    def target(self) -> str:
        """What `ktui triage` takes for this entry: host, or address, and path."""
        host = self.entry.host
        if host in ("<every node>", "<pending>", ANY_HOST) and self.entry.addresses:
            host = self.entry.addresses[0]
        return f"{host}{self.entry.path if self.entry.path not in ('', '/') else ''}"


@dataclass(frozen=True, slots=True)
class ExposureSummary:
    namespace: str
    entries: tuple[EntryHealth, ...]

    @property
    def hosts(self) -> int:
        return len({(h.entry.host, h.entry.port) for h in self.entries})

    @property
    def failing(self) -> int:
        return sum(h.status == "fail" for h in self.entries)

    @property
    def warning(self) -> int:
        return sum(h.status == "warn" for h in self.entries)


def exposure_summaries(state: ClusterState, engine: NetpolEngine | None = None,
                       live: bool | None = None) -> dict[str, ExposureSummary]:
    """Every exposed entry per namespace, each judged by its own triage chain."""
    triager = Triager(state, live, engine)
    grouped: dict[str, list[EntryHealth]] = {}
    for e in exposures(state, include_unattached=True):
        chain = triager.chain(e, e.host, e.path or "/")
        bad = next((lk for lk in chain.links if lk.status == chain.status and lk.status != "ok"), None)
        health = EntryHealth(e, chain.status, bad.reason if bad else "", bad.obj if bad else "")
        grouped.setdefault(e.namespace, []).append(health)
    return {ns: ExposureSummary(ns, tuple(hs)) for ns, hs in grouped.items()}


@dataclass(frozen=True, slots=True)
class FindingsSummary:
    namespace: str  # "" for cluster-scoped findings
    findings: tuple[Finding, ...]

    @property
    def total(self) -> int:
        return len(self.findings)

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)


def findings_summaries(found: Iterable[Finding]) -> dict[str, FindingsSummary]:
    grouped: dict[str, list[Finding]] = {}
    for f in found:
        grouped.setdefault(f.object.namespace, []).append(f)
    return {ns: FindingsSummary(ns, tuple(fs)) for ns, fs in grouped.items()}
