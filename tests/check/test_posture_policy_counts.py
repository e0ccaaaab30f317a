"""A namespace's policy count covers every enforcing family: on a cluster guarded by Calico or
Cilium policies, "0 policies" was the wrong answer. Staged Calico policies (never enforced) and
cluster-wide kinds are not counted; the count follows events like a full recompute."""

from __future__ import annotations

from typing import Any

from ktui.analysis.analysis import Analysis
from ktui.analysis.policy import ENFORCING_NAMESPACED_KINDS, namespace_policy_counts
from ktui.analysis.posture import PostureIndex
from ktui.render.posture_text import posture_json
from tests.cilium.tiers import calico, cnp, knp, ns, pod
from tests.conftest import apply_doc, state_from

CALICO_NP = calico("NetworkPolicy", "allow-web", {"selector": "app == 'web'", "ingress": [{"action": "Allow"}]},
                   namespace="a")
STAGED = calico("StagedNetworkPolicy", "try-deny", {"selector": "all()", "ingress": [{"action": "Deny"}]},
                namespace="a")
GLOBAL = calico("GlobalNetworkPolicy", "deny-all", {"selector": "all()", "types": ["Ingress"]})
CILIUM = cnp("a", "l3", {"endpointSelector": {}, "ingress": [{"fromEndpoints": [{}]}]})
CILIUM_WIDE = cnp("", "wide", {"endpointSelector": {}, "ingress": [{}]}, clusterwide=True)


def docs() -> list[dict[str, Any]]:
    return [ns("a"), ns("b"), pod("a", "web", "10.0.0.1"), pod("b", "web", "10.0.0.2"),
            knp("a", "deny", {"podSelector": {}}), CALICO_NP, STAGED, GLOBAL, CILIUM, CILIUM_WIDE]


def test_enforcing_kinds_come_from_the_families() -> None:
    assert ENFORCING_NAMESPACED_KINDS == ("NetworkPolicy", "CalicoNetworkPolicy", "CiliumNetworkPolicy")


def test_every_enforcing_family_counted_staged_and_global_not() -> None:
    state = state_from(docs())
    assert namespace_policy_counts(state, "a") == (("NetworkPolicy", 1), ("CalicoNetworkPolicy", 1),
                                                   ("CiliumNetworkPolicy", 1))
    assert namespace_policy_counts(state, "b") == (("NetworkPolicy", 0), ("CalicoNetworkPolicy", 0),
                                                   ("CiliumNetworkPolicy", 0))
    report = Analysis(state).posture
    rows = {n.namespace: n for n in report.namespaces}
    assert (rows["a"].policies, rows["b"].policies) == (3, 0)
    assert rows["a"].policy_kinds == namespace_policy_counts(state, "a")
    data = posture_json(report)
    assert data["namespaces"][0]["policies"] == 3 and data["summary"]["policies"] == 3
    assert data["namespaces"][0]["policiesByKind"] == {"NetworkPolicy": 1, "CalicoNetworkPolicy": 1,
                                                       "CiliumNetworkPolicy": 1}


def test_calico_only_namespace_is_not_zero() -> None:
    state = state_from([ns("ledger"), pod("ledger", "db", "10.0.0.5"), {**CALICO_NP, "metadata": {
        "name": "db", "namespace": "ledger"}}])
    assert PostureIndex(state).by_namespace["ledger"].policies == 1


def test_count_follows_events_like_a_recompute() -> None:
    state = state_from([ns("a"), pod("a", "web", "10.0.0.1")])
    index = PostureIndex(state)
    expected = (1, 2, 2, 1)  # Calico added, Cilium added, staged added (not counted), Calico deleted
    for (verb, doc), n in zip((("ADDED", CALICO_NP), ("ADDED", CILIUM), ("ADDED", STAGED), ("DELETED", CALICO_NP)),
                              expected, strict=True):
        index.update([apply_doc(state, verb, doc)])
        assert index.by_namespace["a"].policies == n
        assert index.by_namespace == PostureIndex(state).by_namespace
    assert dict(index.by_namespace["a"].policy_kinds) == {"NetworkPolicy": 0, "CalicoNetworkPolicy": 0,
                                                          "CiliumNetworkPolicy": 1}
