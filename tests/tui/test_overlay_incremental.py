"""The overlay's replica keeps its posture across computations (updated by the changes applied,
built again when what may be read changes): its exposure and findings equal those of a replica
that computes once over the same store."""

from __future__ import annotations

from typing import Any

from ktui.analysis.policy import NetpolEngine
from ktui.model.decode import decode_document
from ktui.sources.manifests import load_paths
from ktui.store import Change, ClusterState, Event
from ktui.tui.overlay import Item, Replica
from tests.check.kit import deployment, namespace, netpol, pod

from .conftest import CLUSTER


def _items(state: ClusterState, verb: str, *docs: dict[str, Any]) -> list[Item]:
    out: list[Item] = []
    for doc in docs:
        info, obj = decode_document(doc, "default")
        assert info is not None
        if verb == "DELETED":
            obj = state.get(info.kind, obj.metadata.namespace, obj.metadata.name)
        change = state.apply(Event(verb, info.kind, obj))  # type: ignore[arg-type]
        assert isinstance(change, Change)
        out.append((change, None))
    return out


def _answers(replica: Replica) -> tuple[object, ...]:
    result = replica.compute()
    assert not result.error
    return replica._exposure, replica._findings, replica._found


def test_a_replica_updated_batch_by_batch_answers_as_one_computing_once() -> None:
    base, _ = load_paths([str(CLUSTER)])
    truth = ClusterState()
    kept = Replica(live=True)
    first = [(Change(k, o.metadata.namespace, o.metadata.name, None, o), None)
             for k in base.kinds() for o in base.objects(k)]
    for change, _ in first:
        truth.apply(Event("ADDED", change.kind, change.new))
    kept.apply(first, [], frozenset())
    _answers(kept)
    batches = [  # each applied to the truth when its turn comes
        lambda: _items(truth, "ADDED", namespace("extra"), deployment("api", "extra"),
                       pod("api-0", "extra", {"app": "api"})),
        lambda: _items(truth, "ADDED", netpol("deny-egress", "extra", types=["Egress"], egress=[])),
        lambda: _items(truth, "MODIFIED", pod("api-0", "extra", {"app": "api", "v": "2"})),
        lambda: _items(truth, "DELETED", netpol("deny-egress", "extra")),
    ]
    for batch in batches:
        kept.apply(batch(), [], frozenset())
        assert kept.posture is not None
        index = kept.posture
        got = _answers(kept)
        assert kept.posture is index  # updated in place, not built again
        fresh = Replica(live=True)
        fresh.state, fresh.engine = truth, NetpolEngine(truth)
        assert got == _answers(fresh)


def test_what_may_be_read_changing_builds_the_posture_again() -> None:
    kept = Replica(live=True)
    state = ClusterState()
    kept.apply(_items(state, "ADDED", namespace("a"), pod("web-0", "a", {"app": "web"})), [], frozenset())
    _answers(kept)
    before = kept.posture
    kept.apply([], [], frozenset({"NetworkPolicy"}), {("NetworkPolicy", ""): "forbidden (403)"})
    assert kept.posture is None
    _answers(kept)
    assert kept.posture is not None and kept.posture is not before
    (web,) = kept.posture.by_namespace["a"].pods
    assert web.egress.cls.value == "unknown"  # policies it cannot see: never "open"
