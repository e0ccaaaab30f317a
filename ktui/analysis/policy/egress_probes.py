"""The in-cluster half of the egress class: may some in-cluster peer be reached? (egress.py)

"Some in-cluster peer" is tried on probes: one pod per class no tier tells apart (namespace,
labels, ports, host network, and the address segment between the tiers' boundaries each IP falls
in). The probes are refreshed per namespace whose objects changed; the answers (per egress side
signature) survive pod events: when the classes change, only the answers a new class can open, or
that rested on a class now gone, are looked at again, and they are reported (`moved_since`) so
that a long-lived index re-asks only the pods whose answer moved.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ktui.analysis.core.portset import EMPTY, PortSet
from ktui.analysis.core.subjects import ExternalRange, Subject, namespace_subjects
from ktui.analysis.policy.cilium import CILIUM_KINDS
from ktui.analysis.policy.connsides import SideTable, port_kinds
from ktui.analysis.policy.engine import TIERS_NEVER_READ, PolicyEngine
from ktui.analysis.policy.tier import Unknown


class EgressClass(enum.Enum):
    OPEN = "open"
    UNKNOWN = "unknown"
    INTERNET = "internet"
    EXTERNAL = "external"
    CLUSTER = "cluster"
    DENIED = "denied"

    @property
    def rank(self) -> int:
        """0 for the most open class."""
        return list(EgressClass).index(self)


Judged = tuple[EgressClass, PortSet, str | None]
Token = tuple[int, int]  # (epoch, generation) of a Probes


def why(engine: PolicyEngine, subject: Subject, peer: Subject | ExternalRange | None) -> str:
    """The first thing the pod's egress tiers cannot tell (about `peer`)."""
    for tier, side in engine.select(subject, "egress"):
        if side.unknown is not None:
            return side.unknown
        if peer is None:
            continue
        for rule in side.rules:
            m = tier.peer_index(rule, peer)
            if isinstance(m, Unknown):
                return m.reason
    return "some peers cannot be evaluated"


@dataclass(slots=True)
class _Answer:
    judged: Judged
    witness: object | None  # the probe class the answer rests on (None: on none, or on the DNS targets)
    subject: Subject  # a pod of the side, to ask again
    extra: list[Subject]  # the DNS targets (kept alive: their ids are in the key)
    rules: tuple[object, ...]  # the side's rules (kept alive: their ids are in the key)


class Probes:
    """The probes, their SideTable, and the in-cluster answers by (side ident, DNS targets)."""

    def __init__(self, engine: PolicyEngine) -> None:
        self.engine = engine
        self.cuts: dict[int, list[int]] = {}
        self.per_ns: dict[str, tuple[int, list[tuple[object, Subject]]]] = {}
        self._flat: tuple[tuple[object, ...], list[Subject]] | None = ((), [])  # every namespace's, in order
        self._class_of: dict[str, dict[int, tuple[Subject, object]]] = {}  # per namespace: id(pod) -> class
        self._table: SideTable | None = None
        self.answers: dict[tuple[object, ...], _Answer] = {}
        self._resting: dict[object, set[tuple[object, ...]]] = {}  # witness -> keys of the answers on it
        self._open: set[tuple[object, ...]] = set()  # keys of the answers a new class may move (not CLUSTER)
        self.epoch = 0  # bumps when every answer may have moved (the answers are dropped)
        self.generation = 0  # bumps when some answers moved
        self._moves: list[tuple[int, set[object]]] = []  # (generation, side idents that moved)
        self._labels: dict[str, dict[str, str]] = {}  # per namespace held: its labels as the tiers read them
        self._namespaces_seen = -1  # the Namespace kind's version at the last refresh
        self._version = -1
        self._policy_key = -1
        self._context = -1

    # --- keeping up with the state ----------------------------------------------------------

    def _context_key(self) -> int:
        """Moves when something a rule's peers are matched against changes (nodes, network sets,
        visibility, ...): not pods, workloads, exposure, Kubernetes NetworkPolicy (a changed policy
        has new rules, so new idents) or Namespaces (their labels are compared, `refresh`);
        Services only where Cilium reads them."""
        state = self.engine.state
        keep = [*TIERS_NEVER_READ, "NetworkPolicy", "Namespace"]
        if not any(state.count(k) for k in CILIUM_KINDS):
            keep += ["Service", "EndpointSlice"]
        return state.version - sum(state.kind_version(k) for k in keep)

    def _new_policies(self) -> None:
        """The tiers were rebuilt: new sides; the classes stay unless the boundaries moved."""
        self._policy_key = self.engine.policy_key
        sorted_cuts = self.engine.class_cuts()
        context = self._context_key()
        if sorted_cuts != self.cuts or context != self._context or len(self.answers) > 20_000:
            self.cuts = sorted_cuts
            self._context = context
            self.per_ns.clear()
            self._class_of.clear()
            self._flat = ((), [])
            self.answers.clear()
            self._resting.clear()
            self._open.clear()
            self._moves.clear()
            self.epoch += 1
        self._table = None

    @property
    def keys(self) -> tuple[object, ...]:
        """Every probe class, namespace by namespace (positions shared with `reps` and the table)."""
        return self._flatten()[0]

    @property
    def reps(self) -> list[Subject]:
        return self._flatten()[1]

    def _flatten(self) -> tuple[tuple[object, ...], list[Subject]]:
        """Built when asked, not on every pod event: most events need no position."""
        if self._flat is None:
            entries = [e for ns in self.engine.state.namespace_names() for e in self.per_ns[ns][1]]
            self._flat = (tuple(k for k, _ in entries), [s for _, s in entries])
        return self._flat

    def _classes(self, ns: str) -> list[tuple[object, Subject]]:
        """The namespace's classes with a first pod each; a pod whose Subject is unchanged keeps
        its class without computing it again."""
        held = self._class_of.get(ns, {})
        mine: dict[int, tuple[Subject, object]] = {}
        seen: set[object] = set()
        firsts = []
        for s in namespace_subjects(self.engine.state, ns, self.engine.pod_subjects):
            hit = held.get(id(s))
            k = hit[1] if hit is not None and hit[0] is s else self._key(s)
            mine[id(s)] = (s, k)
            if k not in seen:
                seen.add(k)
                firsts.append((k, s))
        self._class_of[ns] = mine
        return firsts

    def _key(self, s: Subject) -> object:
        return self.engine.alike_key(s)

    def pods_quiet(self, counts: dict[str, int]) -> None:
        """`counts[ns]` pod changes in ns moved no Subject (readiness, status): classes and
        representatives held current just before them are current after them, as `refresh`
        would find them (it would rebuild every such namespace's subjects to see that)."""
        state = self.engine.state
        for ns, n in counts.items():
            held = self.per_ns.get(ns)
            if held is not None and held[0] + n == state.namespace_version(ns):
                self.per_ns[ns] = (held[0] + n, held[1])

    def refresh(self) -> None:
        state = self.engine.state
        if self._version == state.version:
            return
        self._version = state.version
        if self._policy_key != self.engine.policy_key:
            self._new_policies()
        names = state.namespace_names()
        removed: set[object] = set()
        new: list[tuple[object, Subject]] = []  # classes that came, in namespace order
        moved = False
        for ns in set(self.per_ns) - set(names):
            removed.update(k for k, _ in self.per_ns.pop(ns)[1])
            self._class_of.pop(ns, None)
            self._labels.pop(ns, None)
            moved = True
        namespaces_moved = state.kind_version("Namespace") != self._namespaces_seen
        self._namespaces_seen = state.kind_version("Namespace")
        relabelled: set[str] = set()
        for ns in names:
            v = state.namespace_version(ns)
            held = self.per_ns.get(ns)
            if namespaces_moved or held is None:
                labels = self.engine.ns_labels(ns)
                if held is not None and self._labels.get(ns) != labels:
                    relabelled.add(ns)
                self._labels[ns] = labels
            if held is not None and held[0] == v and ns not in relabelled:
                continue
            firsts = self._classes(ns)
            old = held[1] if held is not None else []
            if ns in relabelled:  # every class of it may be matched otherwise: gone, and come again
                removed.update(k for k, _ in old)
                new.extend(firsts)
                moved = True
            elif [k for k, _ in old] == [k for k, _ in firsts]:
                firsts = old  # the same classes: keep their representatives
            else:
                before = {k for k, _ in old}
                new.extend((k, s) for k, s in firsts if k not in before)
                removed |= before - {k for k, _ in firsts}
                moved = True
            self.per_ns[ns] = (v, firsts)
        if not moved:
            return
        self._flat = None
        self._table = None
        self._reconsider(new, removed, relabelled)

    def _reconsider(self, added: list[tuple[object, Subject]], removed: set[object],
                    relabelled: set[str] | None = None) -> None:
        """The classes changed: answers resting on a class now gone are dropped (asked again when
        needed); a new class may open a DENIED or UNKNOWN side, or make a DENIED one unknown. The
        answers that rested on DNS targets of a namespace whose labels changed are asked again."""
        moved: set[object] = set()
        for witness in removed:
            for key in self._resting.pop(witness, ()):
                self._open.discard(key)
                del self.answers[key]
                moved.add(key[0])
        if relabelled:  # asked again at once: most stay (the DNS pods are still reached)
            for key, a in list(self.answers.items()):
                if a.witness is None and any(d.namespace in relabelled for d in a.extra):
                    again = self._judge(a.subject, a.extra)
                    self._keep(key, again)
                    if again.judged != a.judged:
                        moved.add(key[0])
        for key in list(self._open) if added else ():
            found = self._try(self.answers[key], added)
            if found is not None:
                self._keep(key, found)
                moved.add(key[0])
        if moved:
            self.generation += 1
            self._moves.append((self.generation, moved))
            del self._moves[:-256]

    def _keep(self, key: tuple[object, ...], a: _Answer) -> None:
        """Hold an answer, indexed by the class it rests on and by whether a new class may move it."""
        old = self.answers.get(key)
        if old is not None and old.witness is not None:
            self._resting.get(old.witness, set()).discard(key)
        self.answers[key] = a
        if a.witness is not None:
            self._resting.setdefault(a.witness, set()).add(key)
        if a.judged[0] is EgressClass.CLUSTER:
            self._open.discard(key)
        else:
            self._open.add(key)

    def _try(self, a: _Answer, added: list[tuple[object, Subject]]) -> _Answer | None:
        engine, subject = self.engine, a.subject
        for k, rep in added:
            if engine.allowed_ports(subject, rep, "egress"):
                return _Answer((EgressClass.CLUSTER, EMPTY, None), k, subject, a.extra, a.rules)
        if a.judged[0] is EgressClass.DENIED:
            for k, rep in added:
                if any(isinstance(tier.peer_index(rule, rep), Unknown)
                       for tier, side in engine.select(subject, "egress") for rule in side.rules):
                    return _Answer((EgressClass.UNKNOWN, EMPTY, why(engine, subject, rep)), k,
                                   subject, a.extra, a.rules)
        return None

    def token(self) -> Token:
        return self.epoch, self.generation

    def moved_since(self, token: Token) -> set[object] | None:
        """The side idents whose in-cluster answer moved since `token`; None: any may have."""
        epoch, generation = token
        if epoch != self.epoch or (self._moves and self._moves[0][0] > generation + 1
                                   and generation < self.generation):
            return None
        return {ident for g, idents in self._moves if g > generation for ident in idents}

    # --- answering --------------------------------------------------------------------------

    def table(self) -> SideTable:
        """The connectivity list's sides over the probes (rule hits and port sets memoized)."""
        if self._table is None:
            self._table = SideTable(self.engine, self.reps, port_kinds(self.reps))
        return self._table

    def judge(self, ident: tuple[object, ...], subject: Subject, extra: list[Subject]) -> Judged:
        """Some in-cluster peer allowed (the DNS pods / stand-in, or a probe: those of the pod's
        own namespace first, they are the likeliest), or none, or cannot tell."""
        key = (ident, *(id(d) for d in extra))  # the DNS targets are tried as in-cluster peers too
        found = self.answers.get(key)
        if found is None:
            found = self._judge(subject, extra)
            self._keep(key, found)
        return found.judged

    def _judge(self, subject: Subject, extra: list[Subject]) -> _Answer:
        engine = self.engine
        # the side's rules (their ids are in the key), as SideTable lists them: the DNS targets
        # are asked first, without resolving the rules over every probe (most pods reach DNS)
        rules = tuple(r for _, s in engine.select(subject, "egress") if s.unknown is None for r in s.rules)

        def answer(cls: EgressClass, witness: object | None, reason: str | None = None) -> _Answer:
            return _Answer((cls, EMPTY, reason), witness, subject, extra, rules)

        if any(engine.allowed_ports(subject, d, "egress") for d in extra):
            return answer(EgressClass.CLUSTER, None)
        table = self.table()
        side = table.side_of(subject, "egress")
        sources = table.sources(side)
        if sources is None:
            own = table.by_ns.get(subject.namespace, [])
            rest = set(own)
            candidates: list[int] = [*own, *(c for c in range(len(table.reps)) if c not in rest)]
        else:
            candidates = list(sources)
        for c in candidates:
            if table.allowed(side, c, c):
                return answer(EgressClass.CLUSTER, self.keys[c])
        index = table.index(side) if not side.open else {}
        if table.cannot_tell(side, index.values()):
            o = next((o for o, m in index.items() if o >= 0 and any(x < 0 for x in m)), None)
            return answer(EgressClass.UNKNOWN, None if o is None else self.keys[o],
                          why(engine, subject, None if o is None else table.reps[o]))
        return answer(EgressClass.DENIED, None)


def pods_quiet(engine: PolicyEngine, counts: dict[str, int]) -> None:
    """Tell the engine's probes, if it has some, of pod changes that moved no Subject."""
    found = engine.ctx.cache("egress").get("probes")
    if isinstance(found, Probes):
        found.pods_quiet(counts)


def probes(engine: PolicyEngine) -> Probes:
    """The engine's probes, kept across state versions and refreshed by what changed."""
    holder = engine.ctx.cache("egress")
    found = holder.get("probes")
    if not isinstance(found, Probes):
        found = holder["probes"] = Probes(engine)
    found.refresh()
    return found
