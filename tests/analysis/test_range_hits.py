"""The NetworkPolicy tier's bisected range_hits equals asking peer_index of every range."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ktui.analysis.policy.networkpolicy import NetworkPolicyTier, compile_policy
from ktui.analysis.policy.ranges import split_ranges
from ktui.analysis.policy.tier import TierContext
from ktui.model.decode import decode_document
from ktui.store import ClusterState
from tests.analysis.strategies import peers

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
        assert fast == (frozenset(slow), frozenset())
