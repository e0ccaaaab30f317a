"""The Analysis object: one per state version, lazy, and the names it resolves."""

from __future__ import annotations

import pytest

from ktui.analysis.analysis import Analysis, StaleAnalysis
from ktui.analysis.core.subjects import ExternalRange
from ktui.model.decode import decode_document
from ktui.store import Event
from tests.check.kit import deployment, namespace, netpol, pod
from tests.conftest import state_from


def _state():  # type: ignore[no-untyped-def]
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": {"name": "web-5d9", "namespace": "shop", "ownerReferences": [
              {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "controller": True, "uid": "d"}]},
          "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}}}}
    return state_from([namespace("shop"), deployment("web"), rs,
                       pod("web-5d9-a", labels={"app": "web"}, ip="10.0.0.7", owner=("ReplicaSet", "web-5d9")),
                       deployment("db"), netpol("deny", types=["Ingress"])])


def test_one_analysis_per_state_version() -> None:
    state = _state()
    a = Analysis.of(state)
    assert Analysis.of(state) is a and a.fresh
    before = len(a.subjects)
    assert Analysis.of(state, live=True) is not a  # other options, another analysis
    info, obj = decode_document(pod("extra"), "shop")
    assert info is not None
    state.apply(Event("ADDED", info.kind, obj))
    assert not a.fresh
    assert len(a.subjects) == before  # what it computed stays; it computes nothing more
    with pytest.raises(StaleAnalysis):
        _ = a.findings
    with pytest.raises(StaleAnalysis):
        a.subject("shop/extra")
    b = Analysis.of(state)
    assert b is not a and b.version == state.version
    assert len(b.subjects) == before + 1


def test_attributes_are_computed_on_first_use_only() -> None:
    a = Analysis(_state())
    assert a.posture.namespaces[0].pods == 2  # the pod and the db Deployment's template
    computed = set(vars(a))
    assert {"engine", "subjects", "posture_index", "findings", "host_health"} <= computed
    assert "connectivity" not in computed and "connectivity_builder" not in computed  # not asked for
    assert a.findings is a.findings  # cached


def test_names_resolve_to_the_shared_subjects() -> None:
    a = Analysis(_state())
    pod_subject = a.subject("shop/web-5d9-a")
    assert pod_subject is not None and pod_subject in a.subjects  # the same object every view holds
    assert a.subject("web", "shop") is not None  # a Deployment above the pod's ReplicaSet: its template
    db = a.subject("shop/db")
    assert db is not None and db.workload.kind == "Deployment"
    assert a.subject("shop/nothing") is None
    assert a.peer("10.0.0.9") == ExternalRange(4, 0x0A000009, 0x0A000009)
    assert a.egress(pod_subject) is a.egress(pod_subject)
    ends = a.connection_ends
    assert all(str(v) == k for k, v in ends.items())
    assert {c.src for c in a.connectivity} | {c.dst for c in a.connectivity} <= set(ends)
