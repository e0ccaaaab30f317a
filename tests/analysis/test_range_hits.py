"""The NetworkPolicy tier's bisected range_hits equals asking peer_index of every range, and a
side's range segments equal the rules' matches range by range."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ktui.analysis.core.subjects import Subject, WorkloadId
from ktui.analysis.policy import PolicyEngine
from ktui.analysis.policy.connsides import address_table
from ktui.analysis.policy.networkpolicy import NetworkPolicyTier, compile_policy
from ktui.analysis.policy.ranges import split_ranges
from ktui.analysis.policy.tier import TierContext
from ktui.model.decode import decode_document
from ktui.store import ClusterState
from tests.analysis.strategies import peers
from tests.conftest import apply_doc

extra_cidrs = st.sampled_from(["1.2.3.0/24", "1.2.3.4/32", "0.0.0.0/1", "128.0.0.0/1", "fd00::/8", "::/0"])


def _policy(rule_peers: list[dict[str, Any]] | None) -> Any:
    rule: dict[str, Any] = {} if rule_peers is None else {"to": rule_peers}
    doc = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "a"},
           "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [rule]}}
    return compile_policy(decode_document(doc)[1])


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.lists(st.one_of(peers(), extra_cidrs.map(lambda c: {"ipBlock": {"cidr": c}})),
                                     max_size=4)),
       st.lists(extra_cidrs, max_size=3))
def test_range_hits_equals_peer_index_per_range(rule_peers: list[dict[str, Any]] | None, cuts: list[str]) -> None:
    cp = _policy(rule_peers)
    rule = cp.rules("egress")[0]
    points = [b for p in rule.peers or () if p.block is not None for b in p.block.boundaries()]
    for c in cuts:
        points += _policy([{"ipBlock": {"cidr": c}}]).rules("egress")[0].peers[0].block.boundaries()
    ranges = split_ranges(points)
    tier = NetworkPolicyTier(ClusterState(), TierContext(ClusterState()))
    fast = tier.range_hits(rule, ranges)
    slow = {k for k, r in enumerate(ranges) if tier.peer_index(rule, r) is not False}
    if fast is None:
        assert rule.peers is None and len(slow) == len(ranges)
    else:
        hit, unknown = fast
        assert [k for r in hit for k in r] == sorted(slow) and not unknown
        assert all(a.stop < b.start for a, b in itertools.pairwise(hit))  # disjoint, apart, in order


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.one_of(peers(), extra_cidrs.map(lambda c: {"ipBlock": {"cidr": c}})), max_size=3),
                min_size=1, max_size=4))
def test_side_segments_equal_the_rules_matches_range_by_range(rules: list[list[dict[str, Any]]]) -> None:
    state = ClusterState()
    apply_doc(state, "ADDED", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}})
    for i, rule_peers in enumerate(rules):
        apply_doc(state, "ADDED", {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                       "metadata": {"name": f"p{i}", "namespace": "a"},
                       "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": rule_peers}]}})
    engine = PolicyEngine(state)
    subject = Subject(namespace="a", name="web", labels={}, ports=(), ips=(), workload=WorkloadId("a", "web", "Pod"))
    table = address_table(engine)
    side = table.side_of(subject, "egress")
    ranges = engine.external_ranges("egress")
    segments = table.range_segments(side, "egress", ranges)
    assert [s for s, _, _ in segments] == [0, *(e for _, e, _ in segments[:-1])] and segments[-1][1] == len(ranges)
    expected = [tuple(p for p, (_, rule, tier) in enumerate(side.rules) if tier.peer_index(rule, r) is not False)
                for r in ranges]
    assert table.range_matched(side, "egress", ranges) == expected
    assert table.range_ports(side, "egress", ranges, None) == [table.ports(side, m, None) for m in expected]
