"""The namespace egress answers (overview preview, Egress view) are kept across a Kubernetes
NetworkPolicy change in another namespace -- it selects none of this namespace's pods, and its
ipBlocks cut the address space where this namespace's ranges merge again -- and equal answers
asked afresh; a policy of the namespace itself drops them. `ask` bounds the new questions of one
call (the preview asks a set at a time, so events are drained between two)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ktui.analysis.analysis import Analysis
from ktui.model.decode import decode_document
from ktui.store import Event
from ktui.tui import egress_view
from ktui.tui.bridge import Bridge
from ktui.tui.egress_view import namespace_egress

from .conftest import StillSource, running_pod

WORLD = """
apiVersion: v1
kind: Namespace
metadata: {name: web}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
""" + "---\n".join([
    running_pod("client-0", "web", "client", "10.0.0.7"),
    running_pod("batch-0", "web", "batch", "10.0.0.8"),
    running_pod("db-0", "other", "db", "10.0.1.9", "{containerPort: 5432}"),
]) + """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-out, namespace: web}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 192.0.2.0/24}}]
    ports: [{port: 8443}]
  - to: [{namespaceSelector: {}}]
    ports: [{port: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: batch-out, namespace: web}
spec:
  podSelector: {matchLabels: {app: batch}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}]
"""


def _policy(ns: str, name: str, spec: dict[str, Any]) -> Any:
    info, obj = decode_document({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                                 "metadata": {"name": name, "namespace": ns}, "spec": spec}, "default")
    assert info is not None
    return obj


def _put(bridge: Bridge, verb: str, obj: Any) -> None:
    bridge.source.queue.put(Event(verb, "NetworkPolicy", obj))
    assert bridge.poll() is not None


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    out: list[str] = []
    real = Analysis.egress_destinations
    monkeypatch.setattr(Analysis, "egress_destinations", lambda self, s: (out.append(str(s)), real(self, s))[1])
    return out


def _bridge(tmp_path: Path) -> Bridge:
    (tmp_path / "world.yaml").write_text(WORLD)
    bridge = Bridge(StillSource([str(tmp_path / "world.yaml")]))
    bridge.start()
    bridge.poll()
    return bridge


def _afresh(bridge: Bridge, namespace: str) -> list[Any]:
    egress_view._CACHE.pop(id(bridge), None)
    return namespace_egress(bridge, namespace).destinations


def test_a_policy_of_another_namespace_keeps_the_answers_and_they_equal_fresh_ones(
        tmp_path: Path, asked: list[str]) -> None:
    bridge = _bridge(tmp_path)
    first = namespace_egress(bridge, "web")
    assert sorted(asked) == ["web/batch-0", "web/client-0"]
    # a policy elsewhere whose ipBlocks cut the ranges web's answers span, then one allowing all
    _put(bridge, "ADDED", _policy("other", "cuts", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
        {"to": [{"ipBlock": {"cidr": "192.0.2.64/26"}}, {"ipBlock": {"cidr": "203.0.113.0/24"}}]}]}))
    _put(bridge, "ADDED", _policy("other", "all-out", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]}))
    kept = namespace_egress(bridge, "web")
    assert len(asked) == 2  # not asked again
    assert kept.destinations == first.destinations == _afresh(bridge, "web")
    assert len(asked) == 4


def test_a_policy_of_the_namespace_drops_its_answers(tmp_path: Path, asked: list[str]) -> None:
    bridge = _bridge(tmp_path)
    namespace_egress(bridge, "web")
    more = {"podSelector": {"matchLabels": {"app": "client"}}, "policyTypes": ["Egress"],
            "egress": [{"ports": [{"port": 53}]}]}
    _put(bridge, "ADDED", _policy("web", "client-more", more))
    again = namespace_egress(bridge, "web")
    assert len(asked) == 4  # every answer of web asked again
    assert again.destinations == _afresh(bridge, "web")


def test_ask_bounds_the_new_questions_of_one_call(tmp_path: Path, asked: list[str]) -> None:
    bridge = _bridge(tmp_path)
    one = namespace_egress(bridge, "web", ask=1)
    assert (len(asked), one.judged, one.sets, one.partial) == (1, 1, 2, True)
    two = namespace_egress(bridge, "web", ask=1)
    assert (len(asked), two.judged, two.partial) == (2, 2, False)
    assert namespace_egress(bridge, "web", ask=1).destinations == two.destinations and len(asked) == 2
