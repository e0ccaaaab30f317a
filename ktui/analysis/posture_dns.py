"""The DNS pods a PostureIndex's answers rest on, and whether other DNS pods answer alike.

A restricted pod's DNS flag, and its egress class (which tries the DNS pods as in-cluster peers),
read a DNS pod only through the tiers: its namespace and container ports (named ports), its own
ingress sides, and which peer entry of each egress rule matches it (labels, IPs, host network,
whatever a tier reads of a peer). Two lists of DNS pods whose classes under these readings come in
the same order answer every such question alike: a pod of a class already listed adds no verdict
that could allow, and no earlier reason. So a relabelled, restarted or rolled CoreDNS pod that
stays the same target moves no posture, and nothing is asked again.

The egress rules looked at are those of the answers held (registered as they are computed): a rule
no held answer rests on cannot move one. The ingress readings are kept from when the list was
accepted, so a changed policy in a DNS pod's namespace is seen as a different target too. With no
DNS pod in view the answers ask the kube-dns stand-ins, read the same way.
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


class DnsTargets:
    """The accepted DNS pods, the egress rules held answers rest on, and the comparison of both."""

    def __init__(self, engine: PolicyEngine) -> None:
        self.engine = engine
        self.pods: list[Subject] = []
        self._heads: list[tuple[Head, Side]] = []  # the Side keeps the rules behind the ident's ids alive
        self._rules: list[tuple[TierRule, Tier]] = []  # in registration order (kept alive: ids below)
        self._rule_ids: set[int] = set()
        self._sides: dict[int, Side] = {}  # id -> egress side registered (kept alive)
        self._matches: dict[int, tuple[Subject, int, list[object]]] = {}  # id(pod) -> (pod, context, matches)

    def reset(self, pods: list[Subject]) -> None:
        """Every answer is about to be computed again, against `pods`."""
        self._rules.clear()
        self._rule_ids.clear()
        self._sides.clear()
        self._matches.clear()
        self.pods = pods
        self._heads = [self._head(d) for d in _targets(pods)]

    def register(self, subject: Subject) -> None:
        """The subject's egress answer is now held: its side's rules join those looked at."""
        side = address_table(self.engine).side_of(subject, "egress")
        if id(side) in self._sides:
            return
        self._sides[id(side)] = side
        for _, rule, tier in side.rules:
            if id(rule) not in self._rule_ids:
                self._rule_ids.add(id(rule))
                self._rules.append((rule, tier))

    @property
    def size(self) -> int:
        """How many rules and sides are held (a full recompute starts again from none)."""
        return len(self._rules) + len(self._sides)

    def accept(self, pods: list[Subject]) -> bool:
        """Take `pods` as the DNS targets; True when they answer as the held ones did."""
        heads = [self._head(d) for d in _targets(pods)]
        same = len(pods) == len(self.pods) and all(a is b for a, b in zip(pods, self.pods, strict=True)) and [
            h for h, _ in heads] == [h for h, _ in self._heads]
        if not same:
            same = bool(pods) == bool(self.pods) and self._classes(
                _targets(self.pods), self._heads) == self._classes(_targets(pods), heads)
        self.pods, self._heads = pods, heads
        self._matches = {id(d): self._matches[id(d)] for d in _targets(pods) if id(d) in self._matches}
        return same

    def _head(self, d: Subject) -> tuple[Head, Side]:
        side = address_table(self.engine).side_of(d, "ingress")
        unknowns = tuple(s.unknown for _, s in self.engine.select(d, "ingress"))
        return (d.namespace, d.ports, side.ident, unknowns), side

    def _classes(self, pods: list[Subject], heads: list[tuple[Head, Side]]) -> tuple[object, ...]:
        """The distinct readings of `pods`, in the order they first come."""
        seen: dict[object, None] = {}
        for d, (head, _) in zip(pods, heads, strict=True):
            seen.setdefault((head, self._matched(d)), None)
        return tuple(seen)

    def _context(self) -> int:
        """Moves when what a rule's peers are matched against changes (namespaces, nodes, network
        sets, visibility): not pods, and not a NetworkPolicy (a changed one has new rules)."""
        return self.engine.policy_key - self.engine.state.kind_version("NetworkPolicy")

    def _matched(self, d: Subject) -> tuple[object, ...]:
        """Per rule looked at, which peer entry matches `d` (False never equals the entry 0)."""
        context = self._context()
        hit = self._matches.get(id(d))
        if hit is None or hit[0] is not d or hit[1] != context:
            hit = self._matches[id(d)] = (d, context, [])
        found = hit[2]
        for rule, tier in self._rules[len(found):]:
            m = tier.peer_index(rule, d)
            found.append(("?", m.reason) if isinstance(m, Unknown) else "-" if m is False else m)
        return tuple(found)
