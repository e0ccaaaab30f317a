"""The DNS pods a PostureIndex's answers rest on, and whether other DNS pods answer alike.

A restricted pod's DNS flag, and its egress class (which tries the DNS pods as in-cluster peers),
read a DNS pod only through the tiers: its namespace and container ports (named ports), its own
ingress sides, and which peer entry of each egress rule matches it (labels, IPs, host network,
whatever a tier reads of a peer). Two lists of DNS pods whose classes under these readings come in
the same order answer every such question alike: a pod of a class already listed adds no verdict
that could allow, and no earlier reason. So a relabelled, restarted or rolled CoreDNS pod that
stays the same target moves no posture, and nothing is asked again.

The egress rules looked at are those of the answers held (registered as they are computed): a rule
no held answer rests on cannot move one. The accepted pods' readings are kept from when the
answers read them, so a changed policy in a DNS pod's namespace, or changed labels of that
namespace, are seen as a different target too. With no DNS pod in view the answers ask the
kube-dns stand-ins, read the same way.
"""

from __future__ import annotations

from ktui.analysis.core.subjects import Subject
from ktui.analysis.policy import PolicyEngine, Tier, Unknown
from ktui.analysis.policy.connsides import Side, address_table
from ktui.analysis.policy.dns import DNS_STAND_INS
from ktui.analysis.policy.tier import TierRule


def _targets(pods: list[Subject]) -> list[Subject]:
    """Whom the DNS answers ask: the DNS pods, else the kube-dns stand-ins (dns.py)."""
    return pods or list(DNS_STAND_INS)


Head = tuple[object, ...]  # (namespace, ports, ingress side ident, ingress sides' unknown reasons)
Held = tuple[Subject, Head, Side, list[object]]  # a target, its head, the Side keeping the ident's rule ids
# alive, and which peer entry of each rule looked at matches it


class DnsTargets:
    """The accepted DNS pods read as the held answers read them, the egress rules those answers
    rest on, and the comparison with other DNS pods."""

    def __init__(self, engine: PolicyEngine) -> None:
        self.engine = engine
        self.pods: list[Subject] = []
        self._held: list[Held] = []  # per target of the accepted pods, as when accepted
        self._labels: dict[str, dict[str, str]] = {}  # the targets' namespaces' labels when accepted
        self._rules: list[tuple[TierRule, Tier]] = []  # in registration order (kept alive: ids below)
        self._rule_ids: set[int] = set()
        self._sides: dict[int, Side] = {}  # id -> egress side registered (kept alive)

    def reset(self, pods: list[Subject]) -> None:
        """Every answer is about to be computed again, against `pods`."""
        self._rules.clear()
        self._rule_ids.clear()
        self._sides.clear()
        self._held = []
        self.accept(pods)

    def register(self, subject: Subject) -> None:
        """The subject's egress answer is now held: its side's rules join those looked at, read
        for the accepted targets now (as the answer reads them)."""
        side = address_table(self.engine).side_of(subject, "egress")
        if id(side) in self._sides:
            return
        self._sides[id(side)] = side
        for _, rule, tier in side.rules:
            if id(rule) not in self._rule_ids:
                self._rule_ids.add(id(rule))
                self._rules.append((rule, tier))
                for d, _, _, matches in self._held:
                    matches.append(_match(tier, rule, d))

    @property
    def size(self) -> int:
        """How many rules and sides are held (a full recompute starts again from none)."""
        return len(self._rules) + len(self._sides)

    def accept(self, pods: list[Subject]) -> bool:
        """Take `pods` as the DNS targets; True when they answer as the held ones did. A target
        held before keeps its readings while its namespace's labels are the same."""
        labels_held = all(self.engine.ns_labels(ns) == labels for ns, labels in self._labels.items())
        before = {id(d): matches for d, _, _, matches in self._held} if labels_held else {}
        held: list[Held] = []
        for d in _targets(pods):
            side = address_table(self.engine).side_of(d, "ingress")
            head = (d.namespace, d.ports, side.ident, tuple(s.unknown for _, s in self.engine.select(d, "ingress")))
            matches = before.get(id(d))  # the old targets are alive: an equal id is the same pod
            if matches is None:
                matches = [_match(tier, rule, d) for rule, tier in self._rules]
            held.append((d, head, side, matches))
        same = bool(pods) == bool(self.pods) and _classes(self._held) == _classes(held)
        self.pods, self._held = pods, held
        self._labels = {d.namespace: self.engine.ns_labels(d.namespace) for d, *_ in held}
        return same


def _match(tier: Tier, rule: TierRule, d: Subject) -> object:
    """Which peer entry of the rule matches `d` (False never equals the entry 0)."""
    m = tier.peer_index(rule, d)
    return ("?", m.reason) if isinstance(m, Unknown) else "-" if m is False else m


def _classes(held: list[Held]) -> tuple[object, ...]:
    """The distinct readings of the targets, in the order they first come."""
    return tuple(dict.fromkeys((head, tuple(matches)) for _, head, _, matches in held))
