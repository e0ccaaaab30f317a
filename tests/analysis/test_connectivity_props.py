"""Properties of the connectivity list, and the fast builder against a pair-by-pair evaluation."""

from __future__ import annotations

import copy
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktui.analysis.core.portset import ALL
from ktui.analysis.core.subjects import cluster_subjects
from ktui.analysis.policy.connectivity import ConnectivityBuilder, connectivity
from ktui.analysis.policy.engine import NetpolEngine
from tests.analysis.pairwise import as_map, brute_force
from tests.analysis.strategies import clusters
from tests.conftest import state_from

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def policies_of(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == "NetworkPolicy"]


@SETTINGS
@given(clusters())
def test_builder_equals_pairwise_definition(docs: list[dict[str, Any]]) -> None:
    assert as_map(docs) == brute_force(docs)


@SETTINGS
@given(clusters(), st.randoms(use_true_random=False))
def test_order_of_documents_never_matters(docs: list[dict[str, Any]], rnd: random.Random) -> None:
    shuffled = list(docs)
    rnd.shuffle(shuffled)
    assert as_map(docs) == as_map(shuffled)


@SETTINGS
@given(clusters(), st.integers(min_value=0, max_value=10))
def test_adding_an_allow_rule_never_removes_a_connection(docs: list[dict[str, Any]], pick: int) -> None:
    policies = policies_of(docs)
    if not policies:
        return
    docs = copy.deepcopy(docs)
    for pol in policies_of(docs):  # spell out the effective policyTypes: adding a rule must not change them
        spec = pol["spec"]
        spec.setdefault("policyTypes", ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"])
    before = as_map(docs)
    widened = copy.deepcopy(docs)
    target = [d for d in widened if d["kind"] == "NetworkPolicy"][pick % len(policies)]
    key = "ingress" if pick % 2 else "egress"
    target["spec"].setdefault(key, []).append({"ports": [{"port": 443}]})
    after = as_map(widened)
    for pair, conns in before.items():
        assert pair in after and (conns & after[pair]) == conns, pair


@SETTINGS
@given(clusters())
def test_a_pod_selected_by_no_policy_is_open_both_ways(docs: list[dict[str, Any]]) -> None:
    state = state_from(docs)
    engine = NetpolEngine(state)
    for s in cluster_subjects(state):
        if not engine.selecting(s, "ingress"):
            assert engine.allowed_ports(s, s, "ingress") == ALL
        if not engine.selecting(s, "egress"):
            for d in cluster_subjects(state):
                assert engine.allowed_ports(s, d, "egress") == ALL


def test_external_ranges_split_at_ingress_blocks_only() -> None:
    docs = [
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "a", "labels": {"app": "w"}},
         "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 8080, "name": "http"}]}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "a"},
         "spec": {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8",
                                                                     "except": ["10.1.0.0/16"]}}],
                                                  "ports": [{"port": "http"}]}]}},
    ]
    lines = [c.line() for c in connectivity(state_from(docs))]
    assert lines == [
        "10.0.0.0-10.0.255.255[External] => a/web[Pod] : TCP 8080",
        "10.2.0.0-10.255.255.255[External] => a/web[Pod] : TCP 8080",
        "a/web[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections",
    ]


@SETTINGS
@given(clusters())
def test_one_workload_view_equals_the_full_list(docs: list[dict[str, Any]]) -> None:
    state = state_from(docs)
    full = connectivity(state)
    for s in cluster_subjects(state):
        me = str(s.workload)
        focused = ConnectivityBuilder(state).build(focus=s.workload)
        assert focused == [c for c in full if me in (c.src, c.dst)]
