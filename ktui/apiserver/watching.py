"""One watch stream: initial events, then live ones from the watcher's queue, with bookmarks,
timeoutSeconds, selector transitions, 410 as an ERROR event, and fault-driven drops.
"""

from __future__ import annotations

import queue
import time
from typing import Protocol

import msgspec

from ktui.apiserver.errors import ApiError
from ktui.apiserver.listing import parse_rv
from ktui.apiserver.routing import RequestInfo
from ktui.apiserver.selectors import Matcher, combine, field_matcher, label_matcher
from ktui.apiserver.store import DROP, END, Event, Store
from ktui.apiserver.views import View

INITIAL_CHUNK = 256 * 1024
"""Bytes of initial events gathered into one chunk."""
CLIENT_CHECK = 0.25
"""Seconds between checks that an idle watch's client is still connected."""


class StreamSink(Protocol):
    """The HTTP side of a watch: chunked writes, a clean end, or an abrupt drop."""

    def start(self) -> None: ...
    def write(self, data: bytes) -> None: ...
    def end(self) -> None: ...
    def drop(self) -> None: ...
    def client_gone(self) -> bool: ...


class Dropped(Exception):
    """The stream was cut on purpose (fault or restart): no terminating chunk."""


def error_line(err: ApiError) -> bytes:
    return msgspec.json.encode({"type": "ERROR", "object": err.body}) + b"\n"


def _translate(ev: Event, match: Matcher | None) -> str | None:
    """The event type this watcher sees: a MODIFIED object entering or leaving the selection is
    ADDED or DELETED for it, as the real watch cache reports."""
    if match is None:
        return ev.type
    now = match(ev.obj)
    if ev.type != "MODIFIED" or ev.old is None:
        return ev.type if now else None
    before = match(ev.old)
    if now:
        return "MODIFIED" if before else "ADDED"
    return "DELETED" if before else None


class WatchStream:
    def __init__(self, store: Store, info: RequestInfo, view: View, sink: StreamSink,
                 bookmark_interval: float, drop_after_events: int | None = None) -> None:
        self.store, self.info, self.view, self.sink = store, info, view, sink
        self.bookmark_interval = bookmark_interval
        self.drop_after = drop_after_events
        self.sent = 0

    def _send(self, line: bytes) -> None:
        if self.drop_after is not None and self.sent >= self.drop_after:
            raise Dropped
        self.sink.write(line)
        self.sent += 1

    def _send_initial(self, events: list[Event]) -> None:
        """The synthetic ADDED events, several lines per chunk (one write per line would cost
        a system call per object at 100,000 pods); still one JSON object per line."""
        if self.drop_after is not None:
            for ev in events:
                self._send(self.view.event_line(ev.type, ev.obj, ev.raw))
            return
        buf: list[bytes] = []
        size = 0
        for ev in events:
            line = self.view.event_line(ev.type, ev.obj, ev.raw)
            buf.append(line)
            size += len(line)
            if size >= INITIAL_CHUNK:
                self.sink.write(b"".join(buf))
                buf, size = [], 0
        if buf:
            self.sink.write(b"".join(buf))
        self.sent += len(events)

    def run(self) -> None:
        q, rt = self.info.query, self.info.rt
        assert rt is not None
        name_sel = f"metadata.name={self.info.name}" if self.info.name else None
        match = combine(label_matcher(q.get("labelSelector")),
                        field_matcher(q.get("fieldSelector")), field_matcher(name_sel))
        since = parse_rv(q.get("resourceVersion"))
        initial_end = q.get("sendInitialEvents") == "true"
        if initial_end:
            since = None
        bookmarks = q.get("allowWatchBookmarks") in ("true", "1")
        timeout = float(q.get("timeoutSeconds") or 0)
        deadline = time.monotonic() + timeout if timeout > 0 else None
        try:
            watcher, first = self.store.watch(rt, self.info.namespace, since)
        except ApiError as err:  # 410: the real server answers 200 and an ERROR event
            self.sink.start()
            self.sink.write(error_line(err))
            self.sink.end()
            return
        try:
            self.sink.start()
            if self.drop_after == 0:
                raise Dropped
            self._send_initial([ev for ev in first if match is None or match(ev.obj)])
            if initial_end and bookmarks:
                self._send(self.view.bookmark_line(watcher.since, initial_events_end=True))
            next_bookmark = time.monotonic() + self.bookmark_interval
            while True:
                now = time.monotonic()
                if deadline is not None and now >= deadline:
                    self.sink.end()
                    return
                wait = CLIENT_CHECK
                if deadline is not None:
                    wait = min(wait, deadline - now)
                if bookmarks:
                    wait = min(wait, max(0.0, next_bookmark - now))
                try:
                    item = watcher.queue.get(timeout=max(0.0, wait))
                except queue.Empty:
                    item = None
                if item is END:
                    self.sink.end()
                    return
                if item is DROP:
                    raise Dropped
                if isinstance(item, Event) and item.rv > watcher.since:
                    type_ = _translate(item, match)
                    if type_ is not None:
                        self._send(self.view.event_line(type_, item.obj, item.raw))
                if bookmarks and time.monotonic() >= next_bookmark:
                    rv = self.store.bookmark_rv(watcher)
                    if rv is not None:
                        self._send(self.view.bookmark_line(rv))
                        next_bookmark = time.monotonic() + self.bookmark_interval
                if item is None and self.sink.client_gone():
                    return
        except Dropped:
            self.sink.drop()
        finally:
            self.store.unwatch(watcher)
