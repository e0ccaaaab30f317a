"""ClusterState.namespace_names is kept between changes: it must still follow every namespace that
comes (a Namespace, or the first object living in one) and goes (its last object, its Namespace)."""

from __future__ import annotations

from typing import Any

from ktui.model.decode import decode_document
from ktui.store import ClusterState, Event
from tests.check.kit import namespace, netpol, pod


def _apply(state: ClusterState, verb: str, doc: dict[str, Any]) -> None:
    info, obj = decode_document(doc, "default")
    assert info is not None
    state.apply(Event(verb, info.kind, obj))


def _fresh(state: ClusterState) -> list[str]:
    """What the held answer must equal: every Namespace, and every namespace some object lives in."""
    names = {name for _, name in state._objs["Namespace"]}
    for kind in state.kinds():
        names.update(o.metadata.namespace for o in state.objects(kind) if o.metadata.namespace)
    return sorted(names)


def test_namespace_names_follow_what_comes_and_goes() -> None:
    state = ClusterState()
    steps: list[tuple[str, dict[str, Any]]] = [
        ("ADDED", namespace("a")),
        ("ADDED", pod("web", "b")),  # b has no Namespace object: it lives through its pod
        ("ADDED", netpol("p", "b", {"app": "web"})),
        ("MODIFIED", pod("web", "b", ready=False)),
        ("DELETED", pod("web", "b")),  # the policy still lives in b
        ("DELETED", netpol("p", "b", {"app": "web"})),  # b is gone
        ("ADDED", pod("db", "a")),
        ("DELETED", namespace("a")),  # a still holds a pod
        ("DELETED", pod("db", "a")),
        ("ADDED", namespace("c")),
    ]
    seen = []
    for verb, doc in steps:
        state.namespace_names()  # held before the change
        _apply(state, verb, doc)
        assert state.namespace_names() == _fresh(state), (verb, doc["kind"], doc["metadata"]["name"])
        seen.append(state.namespace_names())
    assert seen[1] == ["a", "b"] and seen[5] == ["a"] and seen[8] == [] and seen[9] == ["c"]
