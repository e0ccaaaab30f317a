"""The overlay's batches cross to its process as msgpack arrays (pickle cost the app's GIL ~26 us
per object): every object arrives equal to the one sent, with its kind, origin and verb, over the
corpus, the demo (Calico, Cilium and admin policies) and the TUI's fixture cluster."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import yaml

from ktui.sources.compact import Compactor
from ktui.sources.demo import load_documents
from ktui.sources.demo_world import World
from ktui.sources.manifests import load_paths
from ktui.store import Change, ClusterState, Origin
from ktui.tui.overlay_wire import Item, pack, unpack
from tests.conftest import CORPUS, ROOT

from .conftest import CLUSTER


def _items(state: ClusterState) -> list[Item]:
    items: list[Item] = []
    for i, kind in enumerate(state.kinds()):
        for j, obj in enumerate(state.objects(kind)):
            meta = obj.metadata
            if (i + j) % 3 == 0:  # some deletes (the old object travels), some with an origin
                items.append((Change(kind, meta.namespace, meta.name, obj, None), None))
            else:
                origin = state.origins.get((kind, meta.namespace, meta.name)) or Origin(f"f{j}.yaml", j)
                items.append((Change(kind, meta.namespace, meta.name, None, obj), origin))
    return items


EXTRA = """
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-db}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: db}}}
  ingress: [{name: no-db, action: Deny, from: [{namespaces: {}}]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: dated, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: cart}}
  ingress:
  - toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{path: 2020-01-01, method: GET}]}}]
"""


def _states(tmp_path: Path) -> list[ClusterState]:
    demo = tmp_path / "demo.yaml"
    demo.write_text(yaml.safe_dump_all(World(load_documents()).objects()), encoding="utf-8")
    extra = tmp_path / "extra.yaml"
    extra.write_text(EXTRA, encoding="utf-8")
    paths = [demo, extra, CLUSTER, ROOT / "tests" / "cilium" / "shop.yaml", *sorted(CORPUS.rglob("*.yaml"))]
    return [load_paths([str(p)])[0] for p in paths]


def test_every_object_arrives_equal(tmp_path: Path) -> None:
    kinds: set[str] = set()
    for state in _states(tmp_path):
        items = _items(state)
        got = unpack(pack(items), Compactor())
        assert got == items
        assert [type(c.new if c.new is not None else c.old) for c, _ in got] == \
               [type(c.new if c.new is not None else c.old) for c, _ in items]
        kinds.update(c.kind for c, _ in items)
    assert {"Pod", "Service", "NetworkPolicy", "CiliumNetworkPolicy", "GlobalNetworkPolicy", "HTTPRoute",
            "AdminNetworkPolicy"} <= kinds


def test_the_common_kinds_travel_as_msgpack_and_untyped_ones_pickled(tmp_path: Path) -> None:
    demo, extra = _states(tmp_path)[:2]
    _, arrays = pickle.loads(pack(_items(demo) + _items(extra)))
    packed = {kind for kind, (is_packed, _) in arrays.items() if is_packed}
    assert {"Pod", "Service", "EndpointSlice", "NetworkPolicy", "Namespace"} <= packed
    # Cilium's L7 rules hold untyped values (YAML may give dates): those go pickled, to stay equal
    assert "CiliumNetworkPolicy" in arrays and "CiliumNetworkPolicy" not in packed


def test_an_empty_batch() -> None:
    assert unpack(pack([])) == []


def test_what_msgspec_cannot_write_goes_pickled() -> None:
    """A manifest may hold an int beyond 64 bits (metadata.generation): that kind's batch is
    pickled, and arrives equal (the sender thread must not die on it)."""
    from ktui.model.decode import decode_document

    docs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "generation": 2**70}},
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}}]
    items: list[Item] = []
    for doc in docs:
        info, obj = decode_document(doc)
        assert info is not None
        items.append((Change(info.kind, "", obj.metadata.name, None, obj), None))
    data = pack(items)
    _, arrays = pickle.loads(data)
    assert arrays["Namespace"][0] is False  # pickled
    assert unpack(data) == items


def test_a_kind_in_several_arrays_arrives_whole_and_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ktui.tui import overlay_wire

    monkeypatch.setattr(overlay_wire, "CHUNK", 7)  # the demo's pods span several arrays
    demo = _states(tmp_path)[0]
    items = _items(demo)
    _, arrays = pickle.loads(pack(items))
    assert len(arrays["Pod"][1]) > 2
    assert unpack(pack(items)) == items
