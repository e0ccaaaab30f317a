"""The overlay's batches on the wire: objects as msgpack, one array per kind.

pickle costs the app ~26 us of GIL per decoded object (0.5 s for a 10,000-pod first list, while
it is still decoding the list); msgspec writes the same structs in a tenth of that, and the child
reads them back typed, to equal values. A kind whose struct holds untyped values (`Any`: Calico
and Cilium L7 fields, which YAML can fill with dates) goes pickled, as does any batch msgspec
cannot write: what the child reads always equals what the app sent.
"""

from __future__ import annotations

import pickle
import time
from typing import Any

import msgspec
import msgspec.inspect as mi

from ktui.model.kinds import KINDS
from ktui.sources.compact import Compactor
from ktui.store import Change, Origin

Item = tuple[Change, Origin | None]
_TYPES: dict[str, type[Any]] = {info.kind: info.type for info in KINDS}
_ENCODER = msgspec.msgpack.Encoder()
CHUNK = 5_000  # objects per msgpack array: ~12 ms of the GIL each (the sender runs beside the UI)


def _exact(t: mi.Type) -> bool:
    """Whether a value of this type reads back from msgpack as it was (no `Any` inside)."""
    if isinstance(t, mi.AnyType):
        return False
    if isinstance(t, mi.StructType):
        return all(_exact(f.type) for f in t.fields)
    if isinstance(t, mi.UnionType):
        return all(_exact(u) for u in t.types)
    if isinstance(t, mi.DictType):
        return _exact(t.key_type) and _exact(t.value_type)
    if isinstance(t, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
        return _exact(t.item_type)
    if isinstance(t, mi.TupleType):
        return all(_exact(u) for u in t.item_types)
    return isinstance(t, (mi.StrType, mi.IntType, mi.BoolType, mi.FloatType, mi.NoneType, mi.LiteralType))


_PACKABLE: dict[type[Any], bool] = {}
_DECODERS: dict[type[Any], msgspec.msgpack.Decoder[list[Any]]] = {}


def _packable(cls: type[Any]) -> bool:
    known = _PACKABLE.get(cls)
    if known is None:
        known = _PACKABLE[cls] = _exact(mi.type_info(cls))
    return known


def _decoder(cls: type[Any]) -> msgspec.msgpack.Decoder[list[Any]]:
    decoder = _DECODERS.get(cls)
    if decoder is None:
        decoder = _DECODERS[cls] = msgspec.msgpack.Decoder(list[cls])  # type: ignore[valid-type]
    return decoder


def pack(items: list[Item]) -> bytes:
    """A batch's changes as bytes: each change's kind, whether it deletes, and its origin, in order;
    the objects (the new one, the old one for a delete) in arrays per kind."""
    heads: list[tuple[str, bool, Origin | None]] = []
    by_kind: dict[str, list[Any]] = {}
    for change, origin in items:
        deleted = change.new is None
        heads.append((change.kind, deleted, origin))
        by_kind.setdefault(change.kind, []).append(change.old if deleted else change.new)
    arrays: dict[str, tuple[bool, Any]] = {}
    for kind, objs in by_kind.items():
        cls = _TYPES.get(kind)
        packed: list[bytes] | None = None
        if cls is not None and _packable(cls) and all(type(o) is cls for o in objs):
            try:
                packed = []
                for i in range(0, len(objs), CHUNK):
                    packed.append(_ENCODER.encode(objs[i:i + CHUNK]))
                    time.sleep(0)  # one C call holds the GIL: the UI thread gets a turn between chunks
            except Exception:  # anything msgspec cannot write (an int beyond 64 bits...) goes pickled
                packed = None
        arrays[kind] = (True, packed) if packed is not None else (False, objs)
    return pickle.dumps((heads, arrays), protocol=pickle.HIGHEST_PROTOCOL)


def unpack(data: bytes, compactor: Compactor | None = None) -> list[Item]:
    """What pack wrote, as the app's items. Pods decoded here share their repeated strings again
    (the compactor), as the app's own do."""
    heads, arrays = pickle.loads(data)
    objects: dict[str, Any] = {}
    for kind, (packed, value) in arrays.items():
        objs = [o for chunk in value for o in _decoder(_TYPES[kind]).decode(chunk)] if packed else value
        if packed and compactor is not None and kind in compactor.kinds:
            compactor.all(objs)
        objects[kind] = iter(objs)
    items: list[Item] = []
    for kind, deleted, origin in heads:
        obj = next(objects[kind])
        meta = obj.metadata
        change = (Change(kind, meta.namespace, meta.name, obj, None) if deleted
                  else Change(kind, meta.namespace, meta.name, None, obj))
        items.append((change, origin))
    return items
