"""Sharing what repeats across objects, so a large cluster costs a few KB per pod.

msgspec makes a new string for every label key, node name or "True", and a new struct for every
identical condition or port: ten thousand pods hold the same few hundred values ten thousand
times. The compactor walks each freshly decoded object once, along a plan derived from its struct
type, and fixes that in place (before anyone else holds the object, so mutating the frozen struct
is safe): strings are interned, small hashable structs (conditions, ports, owner references) are
replaced by one shared instance. Sharing turns itself off for a struct type whose values turn out
to be unique (pod IPs), where it would only cost memory. Values stay equal: nothing downstream can
tell, except the memory.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

import msgspec
import msgspec.inspect as mi

Fn = Callable[[Any], Any]
_intern = sys.intern
_force = msgspec.structs.force_setattr

# Unique per object: interning them would only fill the intern table.
_UNIQUE_FIELDS = frozenset({"uid", "resource_version", "creation_timestamp", "deletion_timestamp", "message"})
_LEAVES = (mi.StrType, mi.IntType, mi.BoolType, mi.FloatType, mi.NoneType)
# Pods are most of a cluster's objects and repeat the most: compacting them halves their memory
# for about the time their decoding takes. For the other kinds the walk costs more time than the
# memory it saves (bench/bench_sync.py prints both); Settings.compact_kinds can add them.
KINDS = frozenset({"Pod"})


def _intern_str(value: Any) -> Any:
    return _intern(value) if type(value) is str else value


def _intern_dict(d: dict[str, str]) -> dict[str, str]:
    return {_intern(k): _intern(v) for k, v in d.items()} if d else d


def _intern_keys(d: dict[str, Any]) -> dict[str, Any]:
    return {_intern(k): v for k, v in d.items()} if d else d


class _Sharer:
    """One shared instance per distinct value of a hashable struct type, while that pays."""

    __slots__ = ("fill", "hits", "limit", "lookups", "on", "table")

    def __init__(self, fill: Fn | None, limit: int) -> None:
        self.table: dict[Any, Any] = {}
        self.fill = fill  # interns the strings of a value seen for the first time
        self.limit = limit
        self.lookups = self.hits = 0
        self.on = True

    def __call__(self, value: Any) -> Any:
        if not self.on:
            return value
        found = self.table.get(value)
        self.lookups += 1
        if found is not None:
            self.hits += 1
            return found
        if self.lookups >= 2000 and self.hits * 4 < self.lookups:  # mostly unique: stop paying
            self.on = False
            self.table.clear()
            return value
        if len(self.table) >= self.limit:  # objects come and go: start over, never grow forever
            self.table.clear()
        if self.fill is not None:
            self.fill(value)
        self.table[value] = value
        return value


class Compactor:
    """Call it on a freshly decoded struct (or `all` on a list of them); returns the same object."""

    def __init__(self, kinds: frozenset[str] = KINDS, limit: int = 100_000) -> None:
        self.kinds = kinds
        self.limit = limit
        self._plans: dict[type[Any], Fn | None] = {}
        self._sharers: dict[type[Any], _Sharer] = {}

    def prepare(self, types: Iterable[type[Any]]) -> None:
        """Make the plans now, in one thread (msgspec.inspect builds type information that is not
        safe to build from several threads at once; see wire.warm_decoders)."""
        for cls in types:
            self.plan(cls)

    def plan(self, cls: type[Any]) -> Fn | None:
        plan = self._plans.get(cls, False)
        if plan is False:
            plan = self._plans[cls] = self._for(mi.type_info(cls))
            if cls.__name__ == "Pod" and plan is not None:
                plan = self._plans[cls] = self._pod_plan(plan)
        return plan  # type: ignore[return-value]

    def _pod_plan(self, generic: Fn) -> Fn:
        """Pods are most of a cluster: the same walk, written out (twice as fast as the generic
        one). Any surprise in the model's shape falls back to the generic plan for good."""
        from ktui.model.core import ContainerPort
        from ktui.model.meta import Condition, OwnerReference

        share_ref, share_port, share_cond = (self._sharers.get(c) for c in (OwnerReference, ContainerPort, Condition))
        if share_ref is None or share_port is None or share_cond is None:
            return generic

        by_owner: dict[str, dict[str, str]] = {}  # a controller's uid -> the labels of its last pod
        limit = self.limit

        def pod(p: Any) -> Any:
            meta, spec, status = p.metadata, p.spec, p.status
            labels, refs = meta.labels, meta.owner_references
            if labels:
                # a workload's pods mostly carry equal labels: one dict for all of them (and one
                # label set made of it, analysis/core/subjects.py)
                owner = refs[0].uid if refs else ""
                held = by_owner.get(owner) if owner else None
                if held is None or held != labels:
                    held = {k: _intern(v) for k, v in labels.items()}
                    if owner:
                        if len(by_owner) >= limit:
                            by_owner.clear()
                        by_owner[owner] = held
                _force(meta, "labels", held)
            _force(meta, "namespace", _intern(meta.namespace))
            for i, ref in enumerate(refs):
                refs[i] = share_ref(ref)
            _force(spec, "node_name", _intern(spec.node_name))
            for containers in (spec.containers, spec.init_containers):
                for c in containers:
                    _force(c, "name", _intern(c.name))
                    ports = c.ports
                    for i, port in enumerate(ports):
                        ports[i] = share_port(port)
            _force(status, "phase", _intern(status.phase))
            conditions = status.conditions
            for i, cond in enumerate(conditions):
                conditions[i] = share_cond(cond)
            return p

        current: list[Fn] = [pod]

        def guarded(p: Any) -> Any:
            try:
                return current[0](p)
            except AttributeError:
                current[0] = generic
                return generic(p)

        return guarded

    def __call__(self, obj: Any) -> Any:
        plan = self.plan(type(obj))
        return plan(obj) if plan is not None else obj

    def all(self, objs: list[Any]) -> list[Any]:
        if objs:
            plan = self.plan(type(objs[0]))
            if plan is not None:
                for obj in objs:
                    plan(obj)
        return objs

    # ------------------------------------------------------------ plans

    def _hashable(self, t: mi.Type) -> bool:
        if isinstance(t, _LEAVES):
            return True
        if isinstance(t, mi.UnionType):
            return all(self._hashable(u) for u in t.types)
        if isinstance(t, mi.StructType):
            return bool(t.cls.__struct_config__.frozen) and all(self._hashable(f.type) for f in t.fields)
        return False

    def _for(self, t: mi.Type, field: str = "", in_meta: bool = False) -> Fn | None:
        """What to do with a value of type `t`: a function returning the value to keep."""
        if field in _UNIQUE_FIELDS or (in_meta and field == "name"):
            return None
        if isinstance(t, mi.StrType):
            return _intern
        if isinstance(t, mi.UnionType):
            if all(isinstance(u, _LEAVES) for u in t.types):
                return _intern_str if any(isinstance(u, mi.StrType) for u in t.types) else None
            inner = [u for u in t.types if not isinstance(u, mi.NoneType)]
            if len(inner) == 1 and isinstance(inner[0], mi.StructType):
                fn = self._for(inner[0], field)
                return None if fn is None else (lambda v: v if v is None else fn(v))
            return None
        if isinstance(t, mi.DictType) and isinstance(t.key_type, mi.StrType):
            if field == "annotations":  # values are long and unique; keys repeat
                return _intern_keys
            return _intern_dict if isinstance(t.value_type, mi.StrType) else None
        if isinstance(t, mi.ListType):
            return self._list(t, field)
        if isinstance(t, mi.StructType):
            if self._hashable(t):
                sharer = self._sharers.get(t.cls)
                if sharer is None:
                    sharer = self._sharers[t.cls] = _Sharer(self._struct(t), self.limit)
                return sharer
            return self._struct(t)
        return None

    def _list(self, t: mi.ListType, field: str) -> Fn | None:
        item_fn = self._for(t.item_type, field)
        if item_fn is None:
            return None
        if isinstance(t.item_type, mi.StructType) and not self._hashable(t.item_type):
            def each(items: list[Any]) -> list[Any]:  # structs fixed in place
                for x in items:
                    item_fn(x)
                return items
            return each

        def replace_items(items: list[Any]) -> list[Any]:  # shared values / interned strings
            for i, x in enumerate(items):
                items[i] = item_fn(x)
            return items
        return replace_items

    def _struct(self, t: mi.StructType) -> Fn | None:
        in_meta = t.cls.__name__.endswith("Meta")
        fns = [(f.name, fn) for f in t.fields if (fn := self._for(f.type, f.name, in_meta)) is not None]
        if not fns:
            return None

        def compact(obj: Any) -> Any:
            for name, fn in fns:
                value = getattr(obj, name)
                new = fn(value)
                if new is not value:
                    _force(obj, name, new)
            return obj

        return compact
