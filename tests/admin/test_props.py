"""The fast connectivity list against the pair-by-pair definition, with admin policies in play, and the
per-port verdicts (first matching rule, tier by tier) against the port-set algebra."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktui.analysis.core.subjects import cluster_subjects
from ktui.analysis.policy.connectivity import ConnectivityBuilder, connectivity
from ktui.analysis.policy.engine import NetpolEngine
from tests.admin.strategies import mixed_clusters
from tests.analysis.pairwise import as_map, brute_force
from tests.conftest import state_from

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROBES = [(53, "UDP"), (53, "TCP"), (80, "TCP"), (443, "TCP"), (8000, "TCP"), (8080, "TCP"), (8080, "UDP"),
          (9000, "SCTP"), (22, "TCP")]


@SETTINGS
@given(mixed_clusters())
def test_builder_equals_pairwise_definition_with_admin_policies(docs: list[dict[str, Any]]) -> None:
    assert as_map(docs) == brute_force(docs)


@SETTINGS
@given(mixed_clusters())
def test_single_port_verdicts_agree_with_port_sets(docs: list[dict[str, Any]]) -> None:
    state = state_from(docs)
    engine = NetpolEngine(state)
    subjects = cluster_subjects(state)
    peers = [*subjects, *ConnectivityBuilder(state, engine).external_ranges("egress")[:4]]
    for s in subjects:
        for d in peers:
            conns = engine.connection(s, d)
            for port, proto in PROBES:
                v = engine.can_reach(s, d, port, proto)
                assert v.allowed == conns.contains(port, proto), (str(s), str(d), port, proto, v)


@SETTINGS
@given(mixed_clusters(), st.randoms(use_true_random=False))
def test_order_of_documents_never_matters(docs: list[dict[str, Any]], rnd: random.Random) -> None:
    shuffled = list(docs)
    rnd.shuffle(shuffled)
    assert as_map(docs) == as_map(shuffled)


@SETTINGS
@given(mixed_clusters())
def test_one_workload_view_equals_the_full_list(docs: list[dict[str, Any]]) -> None:
    state = state_from(docs)
    full = connectivity(state)
    for s in cluster_subjects(state)[:2]:
        me = str(s.workload)
        assert ConnectivityBuilder(state).build(focus=s.workload) == [c for c in full if me in (c.src, c.dst)]
