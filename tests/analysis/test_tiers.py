"""The one combination of tiers (tier.py) and the engine over any tiers, with stand-in tiers.

Each test builds tiers by hand (a tier is any object with the Tier protocol's methods) and plugs
them into PolicyEngine through its factories, as registry.py does for the real families.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from ktui.analysis.core.portset import ALL, EMPTY, PortSet, single
from ktui.analysis.core.subjects import ExternalRange, Subject, cluster_subjects
from ktui.analysis.core.verdicts import RuleRef
from ktui.analysis.policy.engine import PolicyEngine
from ktui.analysis.policy.networkpolicy import NetworkPolicyTier, networkpolicy_tiers
from ktui.analysis.policy.registry import TIER_FACTORIES
from ktui.analysis.policy.tier import (
    ALLOW,
    DENY,
    LOG,
    MAYBE,
    PASS,
    End,
    Mode,
    PeerMatch,
    TierContext,
    TierRule,
    TierSide,
    Unknown,
    combine_port,
    combine_sets,
    combine_sets_unknown,
)
from ktui.store import ClusterState
from tests.analysis.pairwise import as_map, brute_force
from tests.conftest import state_from


@dataclass(frozen=True, eq=False)
class Rule:
    """A stand-in rule: its action, the peers it names (None: all), its ports."""

    action: str
    peers: frozenset[str] | None = None
    ports: PortSet = ALL
    index: int = 0
    hidden: bool = False  # its peer match depends on something unseen
    has_named_ports: bool = False

    def port_set(self, dst: Subject | None) -> PortSet:
        return self.ports

    def port_index(self, dst: Subject | None, port: int, protocol: str) -> int | Literal[False] | None:
        return 0 if self.ports.contains(port, protocol) else False

    def ref(self, peer: int | None, port: int | None) -> RuleRef:
        return RuleRef(f"Fake/p{self.index}", "ingress", self.index, peer, port, tier="Fake", action=self.action,
                       kind="Fake", policy_name=f"p{self.index}")


def _name(peer: Subject | ExternalRange) -> str:
    return peer.workload.name if isinstance(peer, Subject) else "ext"


class FakeTier:
    def __init__(self, label: str, mode: Mode, end: End, rules: Sequence[Rule], targets: frozenset[str] | None = None,
                 unknown: str | None = None) -> None:
        self.label, self.mode, self.end, self.rules = label, mode, end, tuple(rules)
        self.targets, self.unknown = targets, unknown

    def select(self, subject: Subject, direction: str) -> TierSide | None:
        if self.targets is not None and _name(subject) not in self.targets:
            return None
        return TierSide(self.label, self.mode, self.end, (f"{self.label}-policy",), self.rules, self.unknown)

    def peer_index(self, rule: TierRule, other: Subject | ExternalRange) -> PeerMatch:
        assert isinstance(rule, Rule)
        if rule.hidden:
            return Unknown("hidden peers")
        if rule.peers is None:
            return None
        return 0 if _name(other) in rule.peers else False

    def boundaries(self, direction: str) -> list[tuple[int, int]]:
        return []

    def reset(self) -> None:
        pass


def deploy(name: str) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "a"},
            "spec": {"template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c"}]}}}}


DOCS = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}, deploy("src"), deploy("web")]


def factories(*tiers: FakeTier) -> list[Callable[[ClusterState, TierContext], list[FakeTier]]]:
    """The tiers apply to web's ingress only (src's egress stays open)."""
    return [lambda state, ctx, t=t: [t] for t in tiers]


def web_ingress(*tiers: FakeTier, port: int = 80):  # type: ignore[no-untyped-def]
    state = state_from(DOCS)
    engine = PolicyEngine(state, factories(*tiers))  # type: ignore[arg-type]
    by_name = {s.workload.name: s for s in cluster_subjects(state)}
    v = engine.can_reach(by_name["src"], by_name["web"], port, "TCP")
    return v, engine.connection(by_name["src"], by_name["web"])


WEB = frozenset({"web"})
SRC = frozenset({"src"})


def tier(label: str, mode: Mode, end: End, *rules: Rule, unknown: str | None = None) -> FakeTier:
    return FakeTier(label, mode, end, rules, WEB, unknown)


def test_first_match_allow_and_deny_are_final_and_undecided_goes_on() -> None:
    t = tier("T", Mode.FIRST_MATCH, End.NEXT, Rule(DENY, SRC, single("TCP", 80), 0),
             Rule(ALLOW, SRC, single("TCP", 80, 90), 1))
    v, conns = web_ingress(t)
    assert not v.allowed and v.ingress.action == "Deny" and v.ingress.decided_by == "T"
    assert [r.policy_name for r in v.ingress.rules] == ["p0"]
    assert web_ingress(t, port=81)[0].ingress.rules[0].index == 1
    assert conns == ALL & PortSet({"SCTP": [(1, 65535)], "UDP": [(1, 65535)], "TCP": [(1, 79), (81, 65535)]})


def test_pass_leaves_the_tier_even_when_it_ends_in_deny_and_log_goes_on() -> None:
    first = tier("T1", Mode.FIRST_MATCH, End.DENY, Rule(LOG, SRC, ALL, 0), Rule(PASS, SRC, single("TCP", 80), 1),
                 Rule(ALLOW, SRC, single("TCP", 80), 2))
    second = tier("T2", Mode.FIRST_MATCH, End.NEXT, Rule(DENY, SRC, single("TCP", 80), 3))
    v, conns = web_ingress(first, second)
    assert not v.allowed and v.ingress.decided_by == "T2"
    assert [(r.action, r.index) for r in v.ingress.rules] == [("Pass", 1), ("Deny", 3)]
    assert conns == EMPTY  # 80 denied by T2, everything else by T1's end


def test_union_deny_wins_and_consecutive_union_tiers_are_one() -> None:
    netpol = tier("U1", Mode.UNION, End.DENY, Rule(ALLOW, SRC, single("TCP", 80), 0))
    cilium = tier("U2", Mode.UNION, End.NEXT, Rule(ALLOW, SRC, single("TCP", 90), 1),
                  Rule(DENY, None, single("TCP", 80), 2))
    v, conns = web_ingress(netpol, cilium)
    assert not v.allowed and v.ingress.rules[0].action == "Deny"
    assert conns == single("TCP", 90)  # U2's allow counts although U1 isolates: one union
    v90, _ = web_ingress(netpol, cilium, port=90)
    assert v90.allowed and v90.ingress.isolated


def test_union_tier_that_does_not_isolate_hands_undecided_traffic_on() -> None:
    union = tier("U", Mode.UNION, End.NEXT, Rule(ALLOW, frozenset({"other"}), ALL, 0))
    last = tier("B", Mode.FIRST_MATCH, End.NEXT, Rule(DENY, SRC, single("TCP", 80), 1))
    v, conns = web_ingress(union, last)
    assert not v.allowed and v.ingress.decided_by == "B"
    assert not conns.contains(80, "TCP") and conns.contains(81, "TCP")


def test_a_tier_that_cannot_see_its_policies_gives_unknown_never_allowed() -> None:
    v, conns = web_ingress(tier("H", Mode.FIRST_MATCH, End.NEXT, unknown="AdminNetworkPolicy: forbidden"))
    assert not v.allowed and v.unknown == "AdminNetworkPolicy: forbidden"
    assert v.ingress.unknown == "AdminNetworkPolicy: forbidden" and "unknown" in v.ingress.reason()
    assert conns == EMPTY


def test_an_unknown_peer_matters_only_where_it_would_decide() -> None:
    decided_first = tier("T", Mode.FIRST_MATCH, End.NEXT, Rule(ALLOW, SRC, ALL, 0), Rule(DENY, None, ALL, 1,
                                                                                          hidden=True))
    v, conns = web_ingress(decided_first)
    assert v.allowed and v.unknown is None and conns == ALL
    hidden_first = tier("T", Mode.FIRST_MATCH, End.NEXT, Rule(DENY, None, ALL, 1, hidden=True),
                        Rule(ALLOW, SRC, ALL, 0))
    v, conns = web_ingress(hidden_first)
    assert not v.allowed and v.unknown == "hidden peers" and conns == EMPTY


def test_a_factory_can_claim_the_networkpolicy_tier_place() -> None:
    state = state_from(DOCS)

    def claims(st: ClusterState, ctx: TierContext) -> list[FakeTier]:
        ctx.claim("NetworkPolicy")
        return [tier("Calico-like", Mode.FIRST_MATCH, End.DENY)]

    engine = PolicyEngine(state, [claims, networkpolicy_tiers])  # type: ignore[list-item]
    assert [t.label for t in engine.tiers()] == ["Calico-like"]
    assert any(isinstance(t, NetworkPolicyTier) for t in PolicyEngine(state, [networkpolicy_tiers]).tiers())
    assert networkpolicy_tiers in TIER_FACTORIES


def test_fast_builder_equals_pairwise_with_stand_in_tiers() -> None:
    tiers = [tier("A", Mode.FIRST_MATCH, End.NEXT, Rule(PASS, SRC, single("TCP", 80), 0),
                  Rule(DENY, SRC, single("TCP", 81, 82), 1)),
             FakeTier("N", Mode.UNION, End.DENY, [Rule(ALLOW, SRC, single("TCP", 80, 81), 2),
                                                  Rule(ALLOW, frozenset({"ext"}), single("UDP", 53), 3)], WEB),
             FakeTier("B", Mode.FIRST_MATCH, End.NEXT, [Rule(DENY, None, single("TCP", 22), 4)], SRC)]
    fast = as_map(DOCS, factories(*tiers))  # type: ignore[arg-type]
    assert fast == brute_force(DOCS, factories(*tiers))  # type: ignore[arg-type]
    assert fast[("a/src[Deployment]", "a/web[Deployment]")] == single("TCP", 80)


# --- combine_sets is combine_port, port by port ------------------------------------------

PORTS = [single("TCP", 80), single("TCP", 80, 90), single("UDP", 53), ALL, EMPTY, single("TCP", 85, 100)]
PROBES = [(80, "TCP"), (85, "TCP"), (95, "TCP"), (53, "UDP"), (22, "TCP"), (9, "SCTP")]


@st.composite
def sides(draw: st.DrawFn) -> list[tuple[Mode, End, list[tuple[str, PortSet, bool]]]]:
    out = []
    for _ in range(draw(st.integers(1, 4))):
        mode = draw(st.sampled_from(list(Mode)))
        actions = [ALLOW, DENY] if mode is Mode.UNION else [ALLOW, DENY, PASS, LOG]
        rules = draw(st.lists(st.tuples(st.sampled_from(actions), st.sampled_from(PORTS),
                                        st.booleans() if draw(st.booleans()) else st.just(False)), max_size=4))
        out.append((mode, draw(st.sampled_from(list(End))), rules))
    return out


@settings(max_examples=300, deadline=None)
@given(sides())
def test_port_sets_agree_with_single_ports(spec: list[tuple[Mode, End, list[tuple[str, PortSet, bool]]]]) -> None:
    """Also with rules whose peer match cannot be told (MAYBE): unknown port by port is unknown in sets."""
    result = combine_sets_unknown([(mode, end, True, [(MAYBE if hidden else a, p) for a, p, hidden in rules
                                                      if not (hidden and a == LOG)])
                                   for mode, end, rules in spec])
    for port, proto in PROBES:
        per_port = []
        for k, (mode, end, rules) in enumerate(spec):
            stand_ins = [Rule(a, None, p, i, hidden=hidden) for i, (a, p, hidden) in enumerate(rules)]
            side = TierSide(f"T{k}", mode, end, (), tuple(stand_ins))
            per_port.append((side, [(r, Unknown("x") if r.hidden else None, 0) for r in stand_ins
                                    if r.ports.contains(port, proto)]))
        decision = combine_port(per_port)
        assert decision.allowed == result.allowed.contains(port, proto), (port, proto)
        assert (decision.unknown is not None) == result.unknown.contains(port, proto), (port, proto)
    assert combine_sets([(m, e, True, [(a, p) for a, p, _ in r]) for m, e, r in spec]) == combine_sets_unknown(
        [(m, e, True, [(a, p) for a, p, _ in r]) for m, e, r in spec]).allowed
