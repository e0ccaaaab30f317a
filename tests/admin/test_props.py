"""The fast connectivity list against the pair-by-pair definition, with admin policies in play, and the
per-port verdicts (first matching rule, tier by tier) against the port-set algebra."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktui.analysis.connectivity import ConnectivityBuilder, connectivity
from ktui.analysis.netpol import NetpolEngine
from ktui.analysis.portset import PortSet
from ktui.analysis.subjects import cluster_subjects
from tests.admin.strategies import mixed_clusters
from tests.conftest import state_from

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROBES = [(53, "UDP"), (53, "TCP"), (80, "TCP"), (443, "TCP"), (8000, "TCP"), (8080, "TCP"), (8080, "UDP"),
          (9000, "SCTP"), (22, "TCP")]


def as_map(docs: list[dict[str, Any]]) -> dict[tuple[str, str], PortSet]:
    return {(c.src, c.dst): c.conns for c in connectivity(state_from(docs))}


def brute_force(docs: list[dict[str, Any]]) -> dict[tuple[str, str], PortSet]:
    """Every pair, and every address range, through NetpolEngine.connection."""
    state = state_from(docs)
    engine = NetpolEngine(state)
    subjects = cluster_subjects(state)
    out: dict[tuple[str, str], PortSet] = {}

    def add(src: str, dst: str, conns: PortSet) -> None:
        if conns:
            out[(src, dst)] = out[(src, dst)] | conns if (src, dst) in out else conns

    for s in subjects:
        for d in subjects:
            if s.workload != d.workload:
                add(str(s.workload), str(d.workload), engine.connection(s, d))
    builder = ConnectivityBuilder(state, engine)
    for r in builder.external_ranges("ingress"):
        for s in subjects:
            add(str(r), str(s.workload), engine.connection(r, s))
    for r in builder.external_ranges("egress"):
        for s in subjects:
            add(str(s.workload), str(r), engine.connection(s, r))
    return out


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
