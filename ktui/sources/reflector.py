"""One kind, kept equal to the server the way client-go's reflector does it.

List (paginated), then watch from the list's resourceVersion with bookmarks; the watch asks the
server to end it after a random 5-10 min and is re-opened from the last resourceVersion seen.
410 Gone (status or ERROR event) means the history we would resume from is gone: relist, and the
Replace item makes the store equal to the server again. Other failures back off with jitter.
403 and 404 are states of the kind (forbidden, absent), not errors of the app.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import urllib3

from ktui.model.decode import DecodeError, finish_object
from ktui.model.kinds import KindInfo
from ktui.sources.base import Item, KindStatus, Problem, Replace, SyncState
from ktui.sources.compact import Compactor
from ktui.sources.kubeclient import KubeClient, StatusError, TransportError
from ktui.sources.lister import Settings, list_objects
from ktui.sources.wire import UnsafeResponse, decode_event, lines, resource_path, watch_accept
from ktui.store import Event

Emit = Callable[[Item], None]


class Gone(Exception):
    """410: the resourceVersion to resume from is no longer in the server's history."""


class BadEvent(Exception):
    """A watch line that is not a well-formed event of this kind (half a line, an unknown type,
    an object of another kind): the watch is ended, as client-go's StreamWatcher does."""


class Backoff:
    """Exponential backoff with jitter: initial, doubling, capped; reset after a success."""

    def __init__(self, initial: float, cap: float) -> None:
        self.initial, self.cap = initial, cap
        self.current = initial

    def next(self) -> float:
        delay = min(self.cap, self.current * random.uniform(0.8, 1.2))
        self.current = min(self.cap, self.current * 2)
        return delay

    def reset(self) -> None:
        self.current = self.initial


@dataclass(frozen=True, slots=True)
class _StubMeta:
    name: str
    namespace: str


@dataclass(frozen=True, slots=True)
class _Stub:
    """Stands for an object that no longer decodes, so its old version can be removed."""

    metadata: _StubMeta


class Reflector:
    """A thread that keeps one kind (in one namespace, or all) flowing into `emit`."""

    def __init__(self, client: KubeClient, info: KindInfo, version: str, namespace: str | None,
                 emit: Emit, settings: Settings, on_absent: Callable[[str], None] | None = None,
                 compactor: Compactor | None = None) -> None:
        self.client, self.info, self.version = client, info, version
        self.compactor = compactor
        self.namespace = namespace if info.namespaced else None
        self.emit = emit
        self.settings = settings
        self.on_absent = on_absent
        self.state: SyncState | None = None
        self.message = ""
        self.since = 0.0
        self.rv = ""
        self._bad_rv: str | None = None  # the resourceVersion a watch ended on a bad event at
        self._reported: set[str] = set()  # bad-event reasons already reported (once each)
        self._stop = threading.Event()
        self._resp: Any = None
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"ktui-reflector:{info.kind}")

    @property
    def kind(self) -> str:
        return self.info.kind

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()
        resp = self._resp
        if resp is not None:
            self.client.abort(resp)

    def join(self, timeout: float) -> None:
        if self.thread.is_alive():
            self.thread.join(timeout)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    # ---------------------------------------------------------------- state

    def _status(self, state: SyncState, message: str = "") -> None:
        """A new state, or a new reason for the same one (the reason shown is the current one)."""
        if (state is self.state and message == self.message) or self.stopped:
            return
        if state is not self.state:
            self.since = time.time()
        self.state, self.message = state, message
        self.emit(KindStatus(self.kind, state, self.since, message))

    def _lose(self, state: SyncState, message: str) -> None:
        """Forbidden or absent: what we held is no longer what the server shows us."""
        if state is not self.state and not self.stopped:
            self.emit(Replace(self.kind, [], self.namespace))
        self._status(state, message)

    def _track(self, resp: Any) -> None:
        self._resp = resp
        if self.stopped:
            self.client.abort(resp)

    # ---------------------------------------------------------------- loop

    def _run(self) -> None:
        """Never ends before stop(): any failure is a state (reconnecting, with the reason) and a
        retry after a backoff with jitter; a thread that died would freeze the kind for good."""
        self._status(SyncState.SYNCING)
        backoff = Backoff(self.settings.backoff_initial, self.settings.backoff_max)
        while not self.stopped:
            try:
                if not self.rv:
                    self._list()
                    backoff.reset()
                self._watch(backoff)
                continue
            except Gone:
                self.rv = ""
                continue
            except BadEvent as exc:
                if self.stopped:
                    break
                self._bad_event(str(exc))
            except StatusError as exc:
                if self.stopped:
                    break
                self._failed(exc)
            except UnsafeResponse as exc:
                self.rv = ""
                self.emit(Problem(self.kind, str(exc)))
                self._lose(SyncState.FORBIDDEN, str(exc))
            except (TransportError, msgspec.DecodeError, msgspec.ValidationError) as exc:
                if self.stopped:
                    break
                self._status(SyncState.RECONNECTING, str(exc))
            except Exception as exc:  # TLS through the client, a library bug: retried, never fatal
                if self.stopped:
                    break
                self._status(SyncState.RECONNECTING, f"{type(exc).__name__}: {_one_line(exc)}")
            self._stop.wait(backoff.next())

    def _bad_event(self, reason: str) -> None:
        """Resume from the last good resourceVersion; if that replays a bad event again (nothing
        good came in between), relist. Each reason is reported once, not on every retry."""
        if self._bad_rv == self.rv:
            self.rv = ""  # the history holds the bad event: a list gets past it
        self._bad_rv = self.rv or None
        if reason not in self._reported:
            self._reported.add(reason)
            self.emit(Problem(self.kind, f"{reason}; watch restarted"))
        self._status(SyncState.RECONNECTING, reason)

    def _failed(self, exc: StatusError) -> None:
        if exc.code == 403:
            self.rv = ""
            self._lose(SyncState.FORBIDDEN, exc.message)
        elif exc.code == 404:
            self.rv = ""
            self._lose(SyncState.ABSENT, exc.message)
            if self.on_absent is not None:
                self.on_absent(self.kind)
        elif exc.code == 410:
            self.rv = ""
        else:
            self._status(SyncState.RECONNECTING, str(exc))

    def _list(self) -> None:
        first = self.state is SyncState.SYNCING  # later lists follow a 410: ask for the latest
        objs, rv, errors = list_objects(self.client, self.info, self.version, self.namespace,
                                        self.settings, self._track, self.compactor, "0" if first else "")
        self._resp = None
        if self.stopped:
            return
        self.emit(Replace(self.kind, objs, self.namespace))
        for err in errors:
            self.emit(Problem(self.kind, err))
        self.rv = rv
        self._status(SyncState.LIVE)

    def _watch(self, backoff: Backoff) -> None:
        lo, hi = self.settings.watch_timeout
        timeout = max(1, round(random.uniform(lo, hi)))
        query = {"watch": "true", "resourceVersion": self.rv, "allowWatchBookmarks": "true",
                 "timeoutSeconds": timeout}
        resp = self.client.get(resource_path(self.info, self.version, self.namespace), query,
                               watch_accept(self.info), timeout + self.settings.read_grace)
        self._track(resp)
        self._status(SyncState.LIVE)
        backoff.reset()
        started, seen, ended = time.monotonic(), 0, False
        try:
            for line in lines(resp.stream(None, decode_content=False)):
                if self.stopped:
                    return
                seen += 1
                self._handle(line)
            ended = True
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if self.stopped:
                return
            raise TransportError(f"watch cut: {exc}") from None
        finally:
            self._resp = None
            if not ended:  # left mid-stream (a bad event, 410, stop): the connection holds unread
                self.client.abort(resp)  # watch bytes and must never serve another request
            self.client.done(resp)
        if not seen and time.monotonic() - started < 1.0 and timeout > 1 and not self.stopped:
            raise TransportError("the watch ended at once")  # like client-go: a flapping server

    def _handle(self, line: bytes) -> None:
        try:
            ev = decode_event(self.info, line)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise BadEvent(f"unreadable watch event ({_one_line(exc)[:120]})") from None
        if ev.type == "ERROR":
            if ev.code == 410:
                raise Gone(ev.message)
            raise StatusError(ev.code, ev.message)
        if ev.type not in ("ADDED", "MODIFIED", "DELETED", "BOOKMARK"):
            raise BadEvent(f"unknown watch event type {ev.type[:40]!r}")
        kind = getattr(ev.obj, "kind", "")
        if ev.obj is not None and kind and kind != self.info.wire_kind and not self.info.metadata_only:
            raise BadEvent(f"a {kind[:60]} object on the {self.info.plural} watch")
        if ev.rv:
            self.rv = ev.rv
            self._bad_rv = None
        if ev.type == "BOOKMARK":
            return
        if ev.obj is None:  # fields do not decode: drop it, as a relist would
            meta = ev.stub.metadata
            self.emit(Problem(f"{self.kind} {meta.namespace}/{meta.name}".replace(" /", " "), ev.message))
            self.emit(Event("DELETED", self.kind, _Stub(_StubMeta(meta.name, meta.namespace))))
            return
        if ev.type == "DELETED":  # only its key matters; a deleted object is never a problem
            self.emit(Event("DELETED", self.kind, ev.obj))
            return
        try:
            obj = finish_object(self.info, ev.obj)
        except DecodeError as exc:
            self.emit(Problem(self.kind, str(exc)))
            self.emit(Event("DELETED", self.kind, ev.obj))
            return
        if self.compactor is not None and self.kind in self.compactor.kinds:
            obj = self.compactor(obj)
        self.emit(Event(ev.type, self.kind, obj))  # type: ignore[arg-type]


def _one_line(exc: object) -> str:
    return " ".join(str(exc).split())
