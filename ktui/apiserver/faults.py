"""Fault hooks: make matching requests slow, fail with a status, or drop their connection.

Rules are checked in the order they were added; the first live match applies and uses up one of
its `times`. Tests use them to drive a client through the failures of a real cluster.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(eq=False)
class Fault:
    """One rule. None in a match field matches anything.

    verb: get/list/watch/create/update/patch/delete/deletecollection ("get" for discovery).
    path: prefix of the URL path; the only way to hit discovery (/api, /apis/..., /version),
        since a rule without `path` matches resource requests only.
    status: answer with this HTTP status and a Status body; for a watch, 410 is sent the way the
        real server does, as an ERROR event inside a 200 stream.
    delay: seconds to sleep before answering (or before failing).
    drop_after_events: a watch sends this many events, then the socket is closed without the
        terminating chunk; any other request is dropped before a response is written.
    times: how many requests it applies to; None means forever.
    ignore_accept: answer full objects whatever the Accept header asks (a server or proxy that
        drops the metadata-only `as=PartialObjectMetadataList` request).
    """

    verb: str | None = None
    resource: str | None = None
    group: str | None = None
    namespace: str | None = None
    path: str | None = None
    status: int | None = None
    delay: float = 0.0
    drop_after_events: int | None = None
    times: int | None = None
    message: str | None = None
    ignore_accept: bool = False
    hits: int = 0

    def matches(self, verb: str, group: str | None, resource: str | None,
                namespace: str | None, path: str) -> bool:
        if self.path is not None:
            if not path.startswith(self.path):
                return False
        elif resource is None:
            return False
        return ((self.verb is None or self.verb == verb)
                and (self.resource is None or self.resource == resource)
                and (self.group is None or self.group == group)
                and (self.namespace is None or self.namespace == namespace))


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []

    def add(self, verb: str | None = None, resource: str | None = None,
            group: str | None = None, *, namespace: str | None = None, path: str | None = None,
            status: int | None = None, delay: float = 0.0,
            drop_after_events: int | None = None, times: int | None = None,
            message: str | None = None, ignore_accept: bool = False) -> Fault:
        """Add a rule and return it (its `hits` counts the requests it applied to)."""
        fault = Fault(verb, resource, group, namespace, path, status, delay, drop_after_events,
                      times, message, ignore_accept)
        with self._lock:
            self._rules.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        with self._lock:
            if fault in self._rules:
                self._rules.remove(fault)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[Fault]:
        with self._lock:
            return list(self._rules)

    def take(self, verb: str, group: str | None, resource: str | None, namespace: str | None,
             path: str) -> Fault | None:
        """The first live rule matching this request, with one use consumed."""
        with self._lock:
            for fault in self._rules:
                if fault.times is not None and fault.times <= 0:
                    continue
                if fault.matches(verb, group, resource, namespace, path):
                    fault.hits += 1
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None
