"""Answers that must not move: a Pass-only admin policy (it hands every decision to the next tier)
and 0.0.0.0/0 written as its two halves (the same addresses). Compared with `ktui diff`'s
structured comparison (connections on a common cut of the address space, egress class and DNS per
workload) and the posture's per-namespace figures."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings

from ktui.analysis.analysis import Analysis
from ktui.analysis.diff import diff_states
from ktui.model.decode import decode_document
from ktui.render.posture_text import posture_json
from ktui.store import ClusterState
from tests.conftest import CORPUS, state_from
from tests.consistency.strategies import full_clusters

PASS_ONLY = {
    "apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy",
    "metadata": {"name": "pass-everything"},
    "spec": {"priority": 50, "subject": {"namespaces": {}},
             "ingress": [{"name": "pass-in", "action": "Pass", "from": [{"namespaces": {}}]}],
             "egress": [{"name": "pass-out", "action": "Pass", "to": [{"networks": ["0.0.0.0/0"]}]},
                        {"name": "pass-pods", "action": "Pass", "to": [{"namespaces": {}}]}]},
}


def _split_halves(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every ipBlock 0.0.0.0/0 without excepts becomes two peers, 0.0.0.0/1 and 128.0.0.0/1."""
    out = copy.deepcopy(docs)
    for d in out:
        if d.get("kind") != "NetworkPolicy":
            continue
        for direction, key in (("ingress", "from"), ("egress", "to")):
            for rule in d["spec"].get(direction) or []:
                peers = []
                for p in rule.get(key) or []:
                    block = p.get("ipBlock")
                    if block and block["cidr"] == "0.0.0.0/0" and not block.get("except"):
                        peers += [{"ipBlock": {"cidr": "0.0.0.0/1"}}, {"ipBlock": {"cidr": "128.0.0.0/1"}}]
                    else:
                        peers.append(p)
                if key in rule:
                    rule[key] = peers
    return out


def _figures(a: Analysis) -> list[tuple[Any, ...]]:
    return [(n["name"], n["pods"], n["ingressIsolated"], n["egressIsolated"], n["egress"], n["dns"])
            for n in posture_json(a.posture)["namespaces"]]


def _state(docs: list[dict[str, Any]]) -> ClusterState:
    """The documents ktui reads (ServiceAccounts and the like are skipped, as the loader does)."""
    return state_from([d for d in docs if decode_document(d, "default")[0] is not None])


def assert_same_answers(old_docs: list[dict[str, Any]], new_docs: list[dict[str, Any]]) -> None:
    old, new = Analysis(_state(old_docs)), Analysis(_state(new_docs))
    d = diff_states(old, new)
    assert (d.connections_added, d.connections_removed, d.egress_changes) == ([], [], [])
    assert _figures(old) == _figures(new)


def _with_open_egress(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A policy that opens egress to 0.0.0.0/0 on 443, so the split has something to split."""
    return [*docs, {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                    "metadata": {"name": "to-internet", "namespace": "a"},
                    "spec": {"podSelector": {}, "policyTypes": ["Egress"],
                             "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                                         "ports": [{"port": 443}]}]}}]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(full_clusters())
def test_a_pass_only_admin_policy_changes_no_answer(docs: list[dict[str, Any]]) -> None:
    assert_same_answers(docs, [*docs, PASS_ONLY])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(full_clusters())
def test_zero_slash_zero_as_two_halves_changes_no_answer(docs: list[dict[str, Any]]) -> None:
    docs = _with_open_egress(docs)
    assert_same_answers(docs, _split_halves(docs))


def test_boutique_with_a_pass_only_policy_and_halves_answers_alike() -> None:
    folder = Path(CORPUS) / "realistic" / "online-boutique"
    docs = [d for f in ("app.yaml", "network-policies.yaml")
            for d in yaml.safe_load_all((folder / f).read_text(encoding="utf-8")) if d]
    assert_same_answers(docs, [*docs, PASS_ONLY])
    docs = _with_open_egress(docs)
    assert_same_answers(docs, _split_halves(docs))
