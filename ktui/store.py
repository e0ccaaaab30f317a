"""ClusterState: every object by (kind, namespace, name), with the indexes selection needs.

Sources turn what they see into events; `apply` and `replace` are the only ways in, and each says
what changed so that the analysis can recompute only what a change touches. No analysis here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from ktui.model.core import NS_NAME_LABEL, EndpointSlice, Pod
from ktui.model.networking import NetworkPolicy
from ktui.model.selectors import LabelSelector

EventType = Literal["ADDED", "MODIFIED", "DELETED"]
ObjKey = tuple[str, str]  # (namespace, name); namespace "" for cluster-scoped kinds


class Origin(NamedTuple):
    """Where a manifest object was read from, for messages and SARIF."""

    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Event:
    type: EventType
    kind: str
    obj: Any
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    namespace: str
    name: str
    old: Any
    new: Any


class ClusterState:
    """The objects a source has seen, with indexes; mutated only through apply/replace."""

    def __init__(self) -> None:
        self._objs: dict[str, dict[ObjKey, Any]] = defaultdict(dict)
        self.origins: dict[tuple[str, str, str], Origin] = {}
        self.version = 0
        self._pods_by_ns: dict[str, dict[str, Pod]] = defaultdict(dict)
        self._pod_labels: dict[str, dict[tuple[str, str], set[str]]] = defaultdict(
            lambda: defaultdict(set)
        )
        self._by_ns: dict[str, dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
        self._slices_by_service: dict[ObjKey, set[str]] = defaultdict(set)
        # What the source could not see: (kind, namespace or "" for all namespaces) -> why.
        # Analysis turns answers that depend on these into "unknown", never "allowed".
        self._unseen: dict[tuple[str, str], str] = {}
        # per kind / per namespace: how many changes so far (caches keyed by what they depend on)
        self._kind_versions: dict[str, int] = defaultdict(int)
        self._ns_versions: dict[str, int] = defaultdict(int)
        self._ns_names: tuple[list[str], frozenset[str]] | None = None  # namespace_names, until one comes or goes

    # ---------------------------------------------------------------- visibility
    def set_unseen(self, kind: str, reason: str | None, namespace: str = "") -> None:
        """Record (reason) or clear (None) that `kind` could not be read (in `namespace`, or at all)."""
        key = (kind, namespace)
        if reason is None:
            if self._unseen.pop(key, None) is not None:
                self.version += 1
                self._kind_versions[""] += 1
        elif self._unseen.get(key) != reason:
            self._unseen[key] = reason
            self.version += 1
            self._kind_versions[""] += 1

    def kind_version(self, kind: str) -> int:
        """Changes to objects of `kind` so far ("" : visibility changes); every change of
        `version` counts in exactly one kind, so version - kind_version("Pod") moves only when
        something other than a pod changed."""
        return self._kind_versions[kind]

    def namespace_version(self, namespace: str) -> int:
        """Changes to objects living in `namespace` so far."""
        return self._ns_versions[namespace]

    def unseen(self, kind: str, namespace: str = "") -> str | None:
        """Why `kind` (in `namespace`) cannot be seen, or None when it can."""
        return self._unseen.get((kind, "")) or (self._unseen.get((kind, namespace)) if namespace else None)

    def unseen_kinds(self) -> dict[tuple[str, str], str]:
        return dict(self._unseen)

    # ---------------------------------------------------------------- writing
    def apply(self, event: Event) -> Change | None:
        obj = event.obj
        meta = obj.metadata
        key = (meta.namespace, meta.name)
        table = self._objs[event.kind]
        old = table.get(key)
        if event.type == "DELETED":
            if old is None:
                return None
            self._unindex(event.kind, old)
            del table[key]
            self.origins.pop((event.kind, *key), None)
            self._count(event.kind, key[0])
            return Change(event.kind, key[0], key[1], old, None)
        if old is not None:
            if old == obj:
                return None
            self._unindex(event.kind, old)
        table[key] = obj
        self._index(event.kind, obj)
        if event.origin is not None:
            self.origins[(event.kind, *key)] = event.origin
        self._count(event.kind, key[0])
        return Change(event.kind, key[0], key[1], old, obj)

    def replace(self, kind: str, objs: Iterable[Any], namespace: str | None = None) -> list[Change]:
        """A relist: the objects of `kind` (in `namespace`, or all) are now exactly `objs`."""
        changes: list[Change] = []
        table = self._objs[kind]
        if not table:  # the first list of a kind: nothing to compare or remove (100,000 pods go
            # through here on the UI thread: the per-object work is kept to the indexes)
            counts: dict[str, int] = defaultdict(int)
            index, unindex, append = self._index, self._unindex, changes.append
            for obj in objs:
                meta = obj.metadata
                ns, name = meta.namespace, meta.name
                key = (ns, name)
                old = table.get(key)
                if old is not None:
                    unindex(kind, old)
                table[key] = obj
                index(kind, obj)
                append(Change(kind, ns, name, old, obj))
                counts[ns] += 1
            for ns, n in counts.items():  # as _count once per object
                self.version += n
                self._kind_versions[kind] += n
                self._ns_versions[ns] += n
            return changes
        seen: set[ObjKey] = set()
        for obj in objs:
            seen.add((obj.metadata.namespace, obj.metadata.name))
            change = self.apply(Event("ADDED", kind, obj))
            if change is not None:
                changes.append(change)
        for key, old in list(self._objs[kind].items()):
            if key not in seen and (namespace is None or key[0] == namespace):
                change = self.apply(Event("DELETED", kind, old))
                if change is not None:
                    changes.append(change)
        return changes

    def _count(self, kind: str, namespace: str) -> None:
        self.version += 1
        self._kind_versions[kind] += 1
        self._ns_versions[namespace] += 1

    def _index(self, kind: str, obj: Any) -> None:
        ns, name = obj.metadata.namespace, obj.metadata.name
        held = self._ns_names
        if held is not None and (kind == "Namespace" or (ns and ns not in held[1])):
            self._ns_names = None
        if kind == "Pod":
            self._pods_by_ns[ns][name] = obj
            by_label = self._pod_labels[ns]
            for kv in obj.metadata.labels.items():
                by_label[kv].add(name)
        elif kind == "EndpointSlice":
            self._slices_by_service[(ns, obj.service_name())].add(name)
        if ns:
            self._by_ns[kind][ns][name] = obj

    def _unindex(self, kind: str, obj: Any) -> None:
        ns, name = obj.metadata.namespace, obj.metadata.name
        if kind == "Pod":
            self._pods_by_ns[ns].pop(name, None)
            index = self._pod_labels[ns]
            for kv in obj.metadata.labels.items():
                names = index.get(kv)
                if names is not None:
                    names.discard(name)
                    if not names:
                        del index[kv]
        elif kind == "EndpointSlice":
            self._slices_by_service[(ns, obj.service_name())].discard(name)
        if ns:
            per_ns = self._by_ns[kind][ns]
            per_ns.pop(name, None)
            if not per_ns:
                self._ns_names = None
        elif kind == "Namespace":
            self._ns_names = None

    # ---------------------------------------------------------------- reading
    def get(self, kind: str, namespace: str, name: str) -> Any | None:
        return self._objs[kind].get((namespace, name))

    def objects(self, kind: str, namespace: str | None = None) -> list[Any]:
        if namespace is None:
            return list(self._objs[kind].values())
        return list(self._by_ns[kind][namespace].values())

    def count(self, kind: str) -> int:
        return len(self._objs[kind])

    def kinds(self) -> list[str]:
        return [k for k, v in self._objs.items() if v]

    def namespace_names(self) -> list[str]:
        """Every namespace that exists or that some object lives in, sorted (kept until a
        Namespace changes, an object lands in a namespace not held, or one's last object of a
        kind goes: at 500 pod events/s the set is asked for many times between changes)."""
        if self._ns_names is None:
            names = {ns for ns, _ in self._objs["Namespace"]} | {
                name for _, name in self._objs["Namespace"]
            }
            for per_ns in self._by_ns.values():
                names.update(ns for ns, objs in per_ns.items() if objs)
            names.discard("")
            self._ns_names = (sorted(names), frozenset(names))
        return list(self._ns_names[0])

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        """The namespace's labels; always with kubernetes.io/metadata.name, as the API sets it."""
        ns = self._objs["Namespace"].get(("", namespace))
        labels: dict[str, str] = dict(ns.metadata.labels) if ns is not None else {}
        labels[NS_NAME_LABEL] = namespace
        return labels

    def pods(self, namespace: str | None = None) -> Iterator[Pod]:
        if namespace is not None:
            yield from self._pods_by_ns.get(namespace, {}).values()
            return
        for per_ns in self._pods_by_ns.values():
            yield from per_ns.values()

    def pods_matching(self, namespace: str, selector: LabelSelector) -> list[Pod]:
        """Pods of `namespace` selected by `selector`, narrowed first by the label index."""
        pods = self._pods_by_ns.get(namespace)
        if not pods:
            return []
        if selector.match_labels:
            index = self._pod_labels.get(namespace, {})
            names: set[str] | None = None
            for kv in selector.match_labels.items():
                found = index.get(kv)
                if not found:
                    return []
                names = set(found) if names is None else names & found
            candidates: Iterable[Pod] = (pods[n] for n in sorted(names or ()))
        else:
            candidates = pods.values()
        if not selector.match_expressions:
            return list(candidates)
        return [p for p in candidates if selector.matches(p.metadata.labels)]

    def policies(self, namespace: str | None = None) -> list[NetworkPolicy]:
        return self.objects("NetworkPolicy", namespace)

    def endpoint_slices(self, namespace: str, service: str) -> list[EndpointSlice]:
        names = self._slices_by_service.get((namespace, service), ())
        return [self._objs["EndpointSlice"][(namespace, n)] for n in sorted(names)]
