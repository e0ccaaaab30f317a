"""One Analysis per cluster state: every answer ktui gives about that state, each computed once,
on first use, and shared by every command, the TUI's background process and `ktui diff`.

Before this, each command and screen built its own engine, its own subjects and its own
exposure list, and the copies disagreed (which pods count, which hosts are broken). Now they
all read the same attributes here; a command pays only for what it reads (cached_property).

An Analysis belongs to one version of its state: `Analysis.of(state)` hands back the cached one
while the state is unchanged and builds a new one once it changes. A stale Analysis keeps what it
computed but refuses to compute more (StaleAnalysis): an answer mixing two versions is wrong.
"""

from __future__ import annotations

import functools
import ipaddress
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TypeVar

from ktui.analysis.core.subjects import (
    ExternalRange,
    Subject,
    WorkloadId,
    cluster_subjects,
    pod_subject,
    template_subject,
)
from ktui.analysis.exposure.entries import Exposure, exposures
from ktui.analysis.exposure.routes import RouteStatus, route_statuses
from ktui.analysis.exposure.status import HostHealth, host_health
from ktui.analysis.exposure.triage import Triage, Triager
from ktui.analysis.findings import CheckContext, Finding, ProblemLike, findings
from ktui.analysis.policy import (
    Connection,
    ConnectivityBuilder,
    Destination,
    DnsCheck,
    EgressPath,
    EgressPosture,
    Explanation,
    NetpolEngine,
    Peer,
    Verdict,
    declares_egress_paths,
    dns_check,
    dns_subjects,
    egress_destinations,
    egress_paths_of,
    egress_posture,
    explain,
)
from ktui.analysis.posture import PostureIndex, PostureReport, posture_report
from ktui.model.core import WORKLOAD_KINDS
from ktui.store import ClusterState

_CACHE_SIZE = 4  # a few states at once: `ktui diff` holds two, tests a handful
T = TypeVar("T")


class StaleAnalysis(RuntimeError):
    """An answer asked of an Analysis whose state changed since: it would mix two versions."""


def computed(fn: Callable[[Analysis], T]) -> cached_property[T]:
    """A cached_property that refuses to compute on a stale Analysis (what it already holds stays)."""

    @functools.wraps(fn)
    def get(self: Analysis) -> T:
        self.check_fresh()
        return fn(self)

    return cached_property(get)


class Analysis:
    """Everything ktui answers about one version of a ClusterState.

    live: a live cluster (absent classes, Secrets and addresses are failures, not warnings).
    complete: the state is the whole cluster (live, every namespace); defaults to `live`.
    problems: what the loader could not read (they become findings); unseen: kinds not listed.
    engine / posture_index: long-lived ones to reuse (the TUI keeps them across versions).
    """

    _recent: list[Analysis] = []  # noqa: RUF012 - the per-process cache behind `of`

    def __init__(self, state: ClusterState, *, live: bool = False, complete: bool | None = None,
                 problems: Iterable[ProblemLike] = (), unseen: Iterable[str] = (),
                 engine: NetpolEngine | None = None, posture_index: PostureIndex | None = None) -> None:
        self.state = state
        self.version = state.version
        self.live = live
        self.complete = live if complete is None else complete
        self.problems = tuple(problems)
        self.unseen = frozenset(unseen)
        self._engine = engine
        self._posture_index = posture_index
        self._egress: dict[Subject, EgressPosture] = {}  # by identity (Subject has eq=False)
        self._destinations: dict[object, list[Destination]] = {}  # by workload and label set
        self._paths: dict[Subject, tuple[EgressPath, ...]] = {}  # by identity
        self._gateways: dict[str, list[EgressPath]] = {}  # Calico egress gateways per namespace

    @classmethod
    def of(cls, state: ClusterState, *, live: bool = False, complete: bool | None = None,
           problems: Iterable[ProblemLike] = (), unseen: Iterable[str] = ()) -> Analysis:
        """The cached Analysis of this state at its current version (with these options)."""
        problems, unseen = tuple(problems), frozenset(unseen)
        want_complete = live if complete is None else complete
        for a in cls._recent:
            if (a.state is state and a.version == state.version and a.live == live
                    and a.complete == want_complete and a.problems == problems and a.unseen == unseen):
                return a
        a = cls(state, live=live, complete=complete, problems=problems, unseen=unseen)
        cls._recent = [a, *cls._recent[: _CACHE_SIZE - 1]]
        return a

    @property
    def fresh(self) -> bool:
        """False once the state changed after this Analysis was built: its answers are stale."""
        return self.version == self.state.version

    def check_fresh(self) -> None:
        if self.version != self.state.version:
            raise StaleAnalysis(f"the state moved from version {self.version} to {self.state.version}; "
                                "take Analysis.of(state) again")

    # ------------------------------------------------------------ policy
    @computed
    def engine(self) -> NetpolEngine:
        return self._engine if self._engine is not None else NetpolEngine(self.state)

    @computed
    def subjects(self) -> list[Subject]:
        """Every subject (core.subjects: the one rule for which pods count), sorted."""
        return cluster_subjects(self.state)

    @computed
    def peers(self) -> list[Subject]:
        """Every subject, as the other end of a connection: the posture index's when one was
        given (the TUI keeps it current with the store, a readiness flip patched in place: no
        pass over every pod's object per state version), else `subjects`."""
        if self._posture_index is None:
            return self.subjects
        return [p.subject for np in self._posture_index.by_namespace.values() for p in np.pods]

    @computed
    def subjects_by_namespace(self) -> dict[str, list[Subject]]:
        out: dict[str, list[Subject]] = defaultdict(list)
        for s in self.subjects:
            out[s.namespace].append(s)
        return dict(out)

    @computed
    def dns_pods(self) -> list[Subject]:
        return dns_subjects(self.state)

    def egress(self, subject: Subject) -> EgressPosture:
        """The subject's egress class and DNS flag (the policy package's one definition)."""
        hit = self._egress.get(subject)
        if hit is None:
            self.check_fresh()
            hit = self._egress[subject] = egress_posture(self.engine, subject, self.dns_pods)
        return hit

    def egress_destinations(self, subject: Subject) -> list[Destination]:
        """Where the subject's egress may go (CIDRs or workloads, ports, the opening rules), every
        tier counted (the policy package's one definition). Pods of one workload with the same
        labels and service account share the answer: tiers select a source by its namespace, labels
        and (Calico) service account."""
        key = (subject.workload, subject.label_set, subject.service_account)
        hit = self._destinations.get(key)
        if hit is None:
            self.check_fresh()
            hit = self._destinations[key] = egress_destinations(self.engine, subject, self.peers)
        return hit

    @computed
    def declares_egress_paths(self) -> bool:
        """The cluster declares how traffic leaves it (IPPool, egress gateways): paths are shown."""
        return declares_egress_paths(self.state)

    def egress_path(self, subject: Subject) -> tuple[EgressPath, ...]:
        """How the subject's traffic leaves the cluster (gateways, NAT, else its own address; the
        policy package's one definition); () when the cluster declares nothing about it."""
        hit = self._paths.get(subject)
        if hit is None:
            self.check_fresh()
            paths = tuple(egress_paths_of(self.state, subject, self._gateways)) if self.declares_egress_paths else ()
            hit = self._paths[subject] = paths
        return hit

    def namespace_egress_paths(self, namespace: str) -> list[tuple[EgressPath, tuple[WorkloadId, ...]]]:
        """Each distinct egress path of the namespace's subjects with the workloads behind it
        (declared gateways and NAT first, as egress_path orders them); [] when nothing is declared."""
        found: dict[EgressPath, set[WorkloadId]] = {}
        for s in self.subjects_by_namespace.get(namespace, ()):
            for path in self.egress_path(s):
                found.setdefault(path, set()).add(s.workload)
        return [(path, tuple(sorted(ws, key=str))) for path, ws in found.items()]

    def dns(self, subject: Subject) -> DnsCheck:
        """Can the subject reach cluster DNS, with the verdicts that say why (the policy package's
        one definition; the egress class's DNS flag is the same answer)."""
        self.check_fresh()
        return dns_check(self.engine, subject, self.dns_pods)

    def can_reach(self, src: Peer, dst: Peer, port: int, proto: str) -> Verdict:
        self.check_fresh()
        return self.engine.can_reach(src, dst, port, proto)

    def explain(self, subject: Subject, with_reachability: bool = True) -> Explanation:
        self.check_fresh()
        return explain(self.state, subject, self.engine, with_reachability)

    @computed
    def connectivity_builder(self) -> ConnectivityBuilder:
        return ConnectivityBuilder(self.state, self.engine)

    @computed
    def connectivity(self) -> list[Connection]:
        """The connectivity list (`ktui connectivity`), sorted by source then destination."""
        return self.connectivity_builder.build(None)

    @computed
    def connection_ends(self) -> dict[str, WorkloadId | ExternalRange]:
        """What each name in the connectivity list stands for, so that comparisons (`ktui diff`)
        work on workloads and address ranges, never on their text."""
        ends: dict[str, WorkloadId | ExternalRange] = {str(s.workload): s.workload for s in self.subjects}
        for direction in ("ingress", "egress"):
            ends.update((str(r), r) for r in self.connectivity_builder.external_ranges(direction))
        return ends

    # ------------------------------------------------------------ names
    def subject(self, ref: str, default_ns: str = "default") -> Subject | None:
        """`ns/name` (`name` alone in default_ns): a pod by name (even one that is not a subject,
        so a finished pod can still be explained), else a workload: one of its subjects, or its
        template; else any subject whose workload has that name."""
        self.check_fresh()
        ns, _, name = ref.rpartition("/")
        ns = ns or default_ns
        pod = self.state.get("Pod", ns, name)
        if pod is not None:
            return next((s for s in self.subjects_by_namespace.get(ns, ()) if s.name == name
                         and (s.workload.kind == "Pod" or s.workload.name != name)), None) or pod_subject(pod)
        mine = self.subjects_by_namespace.get(ns, [])
        for kind in WORKLOAD_KINDS:
            workload = self.state.get(kind, ns, name)
            if workload is not None:
                return next((s for s in mine if s.workload.name == name), None) or template_subject(workload)
        return next((s for s in mine if s.workload.name == name), None)

    def peer(self, ref: str, default_ns: str = "default") -> Peer | None:
        """An IP address (an external /32 or /128), or a subject by name."""
        try:
            return ExternalRange.of_ip(ipaddress.ip_address(ref.strip()))
        except ValueError:
            return self.subject(ref.strip(), default_ns)

    # ------------------------------------------------------------ exposure
    @computed
    def exposures(self) -> list[Exposure]:
        """Every exposed entry, refused Gateway routes included (attached=False), sorted."""
        return exposures(self.state, include_unattached=True, subjects=self.engine.pod_subjects)

    def hosts(self, namespace: str | None = None, include_unattached: bool = False) -> list[Exposure]:
        """What `ktui hosts` lists: the entries of `namespace` (or all), refused routes on request."""
        return [e for e in self.exposures
                if (include_unattached or e.attached) and (namespace is None or namespace in e.namespaces)]

    @computed
    def triager(self) -> Triager:
        return Triager(self.state, self.live, self.engine)

    def triage(self, target: str, namespace: str | None = None) -> Triage:
        self.check_fresh()
        return self.triager.triage(target, namespace)

    @computed
    def host_health(self) -> list[HostHealth]:
        """Each entry (refused routes too) with its status: the one host status every view shows."""
        return [host_health(self.triager, e) for e in self.exposures]

    @computed
    def host_health_by_namespace(self) -> dict[str, list[HostHealth]]:
        """Each entry under every namespace it concerns (Exposure.namespaces: its own, then its
        backends'): a route in shop sending to payments-api is news in payments too."""
        out: dict[str, list[HostHealth]] = defaultdict(list)
        for h in self.host_health:
            for ns in h.entry.namespaces:
                out[ns].append(h)
        return dict(out)

    @computed
    def route_statuses(self) -> list[RouteStatus]:
        return route_statuses(self.state)

    # ------------------------------------------------------------ findings and posture
    @computed
    def check_context(self) -> CheckContext:
        return CheckContext(self.state, self.complete, self.unseen, engine=self.engine, subjects=self.subjects,
                            egress=self.posture_egress)

    @computed
    def posture_pods(self) -> dict[int, tuple[Subject, EgressPosture]]:
        """Each subject the posture holds (by identity) with its egress posture."""
        return {id(p.subject): (p.subject, p.egress)
                for np in self.posture_index.by_namespace.values() for p in np.pods}

    def posture_egress(self, subject: Subject) -> EgressPosture:
        """The subject's egress as the posture shows it: findings read it rather than compute it
        again (one computation for `ktui posture`, and the same answer); a subject the index
        does not hold (a long-lived index keeps older Subjects) is computed."""
        hit = self.posture_pods.get(id(subject))
        if hit is not None and hit[0] is subject:
            return hit[1]
        return self.egress(subject)

    @computed
    def findings(self) -> list[Finding]:
        """Every finding (nothing ignored), most severe first."""
        return findings(self.state, self.problems, context=self.check_context)

    @computed
    def posture_index(self) -> PostureIndex:
        return self._posture_index if self._posture_index is not None else PostureIndex(self.state, self.engine)

    @computed
    def posture(self) -> PostureReport:
        """The overview as data (`ktui posture`, the TUI overview)."""
        return posture_report(self.posture_index.by_namespace, self.host_health_by_namespace, self.findings)
