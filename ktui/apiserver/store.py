"""Objects, the global resourceVersion and the bounded event history, like etcd behind an apiserver.

One lock guards everything; writes encode the object once (msgspec) and hand the event to the
queues of the watchers of that resource: a write costs O(watchers of that kind), never O(objects).
Stored dicts are never mutated after they are stored: readers may share them without copying.
"""

from __future__ import annotations

import queue
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec

from ktui.apiserver.errors import ApiError
from ktui.apiserver.resources import ResourceType

ResKey = tuple[str, str]
NS_LABEL = "kubernetes.io/metadata.name"


@dataclass(slots=True)
class Entry:
    obj: dict[str, Any]
    raw: bytes
    rv: int


@dataclass(slots=True, frozen=True)
class Event:
    type: str
    namespace: str
    obj: dict[str, Any]
    raw: bytes
    rv: int
    key: ResKey
    old: dict[str, Any] | None = None
    """Previous state of a MODIFIED object: selector watches may turn it into ADDED/DELETED."""


class Signal:
    """Queue sentinels: END closes a watch cleanly, DROP abruptly (server restart or stop)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


END = Signal("END")
DROP = Signal("DROP")


@dataclass(eq=False)
class Watcher:
    key: ResKey
    namespace: str | None
    since: int
    queue: queue.SimpleQueue[Event | Signal] = field(default_factory=queue.SimpleQueue)


def clone(obj: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a JSON object; also rejects what JSON cannot hold."""
    copied: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(obj))
    return copied


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _content(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status")}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal apart from metadata.resourceVersion: such a write changes nothing, emits no event."""
    ma = {k: v for k, v in a.get("metadata", {}).items() if k != "resourceVersion"}
    mb = {k: v for k, v in b.get("metadata", {}).items() if k != "resourceVersion"}
    return ma == mb and {k: v for k, v in a.items() if k != "metadata"} == {
        k: v for k, v in b.items() if k != "metadata"}


class Store:
    def __init__(self, history_size: int = 10_000) -> None:
        self.lock = threading.RLock()
        self.rv = 1  # "0" means "any version" to clients, so the first list already says "1"
        self.min_rv = 1
        """Oldest resourceVersion a watch may start from; older ones get 410 Gone."""
        self._objects: dict[ResKey, dict[str, dict[str, Entry]]] = {}
        self._history: deque[Event] = deque(maxlen=max(1, history_size))
        self._watchers: dict[ResKey, set[Watcher]] = {}

    # reads

    def get(self, rt: ResourceType, namespace: str, name: str) -> Entry | None:
        with self.lock:
            return self._objects.get(rt.key, {}).get(namespace, {}).get(name)

    def snapshot(self, rt: ResourceType, namespace: str | None) -> tuple[list[Entry], int]:
        """Current entries sorted by (namespace, name), as etcd keys are, and the store's rv."""
        with self.lock:
            by_ns = self._objects.get(rt.key, {})
            if namespace is not None:
                names = by_ns.get(namespace, {})
                return [names[n] for n in sorted(names)], self.rv
            out = [by_ns[ns][n] for ns in sorted(by_ns) for n in sorted(by_ns[ns])]
            return out, self.rv

    def count(self, rt: ResourceType) -> int:
        with self.lock:
            return sum(len(names) for names in self._objects.get(rt.key, {}).values())

    # writes

    def create(self, rt: ResourceType, obj: dict[str, Any]) -> Entry:
        meta = obj["metadata"]
        ns, name = meta.get("namespace", ""), meta["name"]
        with self.lock:
            if self.get(rt, ns, name) is not None:
                raise ApiError.already_exists(rt.name, name, rt.group)
            meta["uid"] = meta.get("uid") or str(uuid.uuid4())
            meta["creationTimestamp"] = meta.get("creationTimestamp") or _now()
            meta["generation"] = 1
            return self._commit(rt, "ADDED", obj, None)

    def update(self, rt: ResourceType, obj: dict[str, Any], *, subresource: str = "",
               check_rv: bool = True, replace_status: bool = False) -> Entry:
        """Replace an object. Like the real server: the main resource keeps the stored status,
        the status subresource changes only status, generation moves when the spec does."""
        meta = obj["metadata"]
        ns, name = meta.get("namespace", ""), meta["name"]
        with self.lock:
            old = self.get(rt, ns, name)
            if old is None:
                raise ApiError.not_found(rt.name, name, rt.group)
            wanted_rv = meta.get("resourceVersion")
            if check_rv and wanted_rv and wanted_rv != str(old.rv):
                raise ApiError.conflict(rt.name, name, rt.group)
            if subresource == "status":
                new = dict(old.obj)
                new["metadata"] = dict(old.obj["metadata"])
                if "status" in obj:
                    new["status"] = obj["status"]
                else:
                    new.pop("status", None)
            else:
                new = dict(obj)
                new["metadata"] = dict(obj["metadata"])
                if rt.status and not replace_status:
                    new.pop("status", None)
                    if "status" in old.obj:
                        new["status"] = old.obj["status"]
            old_meta = old.obj["metadata"]
            new_meta = new["metadata"]
            for k in ("uid", "creationTimestamp"):
                if k in old_meta:
                    new_meta[k] = old_meta[k]
            generation = old_meta.get("generation", 1)
            new_meta["generation"] = generation + (_content(new) != _content(old.obj))
            new_meta["resourceVersion"] = old_meta.get("resourceVersion")
            if _same(new, old.obj):
                return old
            return self._commit(rt, "MODIFIED", new, old.obj)

    def delete(self, rt: ResourceType, namespace: str, name: str) -> Entry:
        with self.lock:
            old = self.get(rt, namespace, name)
            if old is None:
                raise ApiError.not_found(rt.name, name, rt.group)
            if rt.key == ("", "namespaces"):
                self._delete_contents(name)
            final = dict(old.obj)
            final["metadata"] = dict(old.obj["metadata"])
            return self._commit(rt, "DELETED", final, old.obj)

    def _delete_contents(self, namespace: str) -> None:
        """Namespace deletion takes its objects with it (the namespace controller, instantly)."""
        for key, by_ns in list(self._objects.items()):
            for name, entry in sorted(by_ns.get(namespace, {}).items()):
                final = dict(entry.obj)
                final["metadata"] = dict(entry.obj["metadata"])
                self._commit_key(key, namespace, name, "DELETED", final, entry.obj)

    def _commit(self, rt: ResourceType, type_: str, obj: dict[str, Any],
                old: dict[str, Any] | None) -> Entry:
        meta = obj["metadata"]
        return self._commit_key(rt.key, meta.get("namespace", ""), meta["name"], type_, obj, old)

    def _commit_key(self, key: ResKey, ns: str, name: str, type_: str, obj: dict[str, Any],
                    old: dict[str, Any] | None) -> Entry:
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)
        entry = Entry(obj, msgspec.json.encode(obj), self.rv)
        by_ns = self._objects.setdefault(key, {})
        if type_ == "DELETED":
            names = by_ns.get(ns, {})
            names.pop(name, None)
            if not names:
                by_ns.pop(ns, None)
        else:
            by_ns.setdefault(ns, {})[name] = entry
        event = Event(type_, ns, obj, entry.raw, self.rv, key, old if type_ == "MODIFIED" else None)
        if len(self._history) == self._history.maxlen:
            self.min_rv = max(self.min_rv, self._history[0].rv)
        self._history.append(event)
        for w in self._watchers.get(key, ()):
            if w.namespace is None or w.namespace == ns:
                w.queue.put(event)
        return entry

    def compact(self) -> None:
        """Forget all history: every resourceVersion older than the current one is now too old."""
        with self.lock:
            self._history.clear()
            self.min_rv = self.rv

    # watches

    def watch(self, rt: ResourceType, namespace: str | None,
              since: int | None) -> tuple[Watcher, list[Event]]:
        """Subscribe, atomically with the events the watcher must see first.

        since=None: synthetic ADDED for the current objects. Otherwise the retained events after
        `since`, or 410 Gone when history no longer reaches back that far.
        """
        with self.lock:
            if since is None:
                entries, _ = self.snapshot(rt, namespace)
                first = [Event("ADDED", e.obj["metadata"].get("namespace", ""), e.obj, e.raw,
                               e.rv, rt.key) for e in entries]
                since = self.rv
            else:
                if since < self.min_rv:
                    raise ApiError.gone(since, self.min_rv)
                first = list(self._backlog(rt.key, namespace, since))
            watcher = Watcher(rt.key, namespace, since)
            self._watchers.setdefault(rt.key, set()).add(watcher)
            return watcher, first

    def _backlog(self, key: ResKey, namespace: str | None, since: int) -> Iterator[Event]:
        newer: list[Event] = []
        for ev in reversed(self._history):
            if ev.rv <= since:
                break
            if ev.key == key and (namespace is None or ev.namespace == namespace):
                newer.append(ev)
        return reversed(newer)

    def unwatch(self, watcher: Watcher) -> None:
        with self.lock:
            self._watchers.get(watcher.key, set()).discard(watcher)

    def bookmark_rv(self, watcher: Watcher) -> int | None:
        """The rv a BOOKMARK may carry now: only when the watcher has drained its queue."""
        with self.lock:
            if not watcher.queue.empty():
                return None
            return max(self.rv, watcher.since)

    def signal_watchers(self, signal: Signal, group: str | None = None) -> None:
        with self.lock:
            for key, watchers in self._watchers.items():
                if group is None or key[0] == group:
                    for w in watchers:
                        w.queue.put(signal)

    def watcher_count(self) -> int:
        with self.lock:
            return sum(len(ws) for ws in self._watchers.values())
