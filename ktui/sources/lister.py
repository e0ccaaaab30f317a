"""Listing one kind: a streaming list where the server offers it, else paginated like client-go.

Streaming list (Kubernetes 1.27+, the WatchList feature): a watch with sendInitialEvents=true,
resourceVersionMatch=NotOlderThan and bookmarks sends every object as an ADDED line, then a
bookmark annotated k8s.io/initial-events-end; each line is decoded as it arrives, so no page of
bytes is ever held (memory stays flat while listing). A server that refuses the options (422 or
400: older servers, the feature off) is remembered per client and listed with pages instead.

Paginated (limit/continue), the next page is fetched while the current one is decoded, so
decoding hides behind the server's and the network's time. A continue token that expired (410)
means the snapshot it pointed into is gone: the list starts over in one piece, as client-go's
pager falls back to a full list.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import urllib3

from ktui.model.decode import DecodeError, ListMeta, finish_object
from ktui.model.kinds import KindInfo
from ktui.sources.compact import KINDS as COMPACT_KINDS
from ktui.sources.compact import Compactor
from ktui.sources.kubeclient import KubeClient, StatusError, TransportError
from ktui.sources.wire import (
    check_partial,
    decode_event,
    decode_page,
    lines,
    list_accept,
    resource_path,
    watch_accept,
)


@dataclass(frozen=True)
class Settings:
    """Timings and sizes for the live source; the defaults are client-go's, tests shrink them."""

    backoff_initial: float = 0.8
    backoff_max: float = 30.0
    watch_timeout: tuple[float, float] = (300.0, 600.0)
    page_size: int = 500
    streaming_list: bool = True
    """Try the streaming list first (falls back to pages when the server does not offer it)."""
    list_read_timeout: float = 120.0
    read_grace: float = 30.0
    """A watch's read timeout is its own timeoutSeconds plus this: only a dead connection hits it."""
    compact_kinds: frozenset[str] = COMPACT_KINDS
    """Kinds whose objects share repeated strings and small structs (compact.py); empty: none."""
    pause_gc: bool = True
    """Pause the cyclic GC during the initial sync, then freeze what was loaded (cluster.py)."""


class _Head(msgspec.Struct):
    metadata: ListMeta = msgspec.field(default_factory=ListMeta)


_HEAD = msgspec.json.Decoder(_Head)


class _Page:
    """One page, fetched in a helper thread: its bytes, or the exception fetching raised."""

    def __init__(self, fetch: Callable[[str], bytes], token: str) -> None:
        self.data: bytes | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fetch, token), daemon=True,
                                        name="ktui-list-page")
        self._thread.start()

    def _run(self, fetch: Callable[[str], bytes], token: str) -> None:
        try:
            self.data = fetch(token)
        except BaseException as exc:  # handed to the lister's thread, raised there
            self.error = exc

    def result(self) -> bytes:
        self._thread.join()
        if self.error is not None:
            raise self.error
        assert self.data is not None
        return self.data


_NO_STREAMING: weakref.WeakSet[KubeClient] = weakref.WeakSet()
"""Clients whose server refused a streaming list once: not asked again."""


def list_objects(client: KubeClient, info: KindInfo, version: str, namespace: str | None,
                 settings: Settings, track: Callable[[Any], None] | None = None,
                 compactor: Compactor | None = None, resource_version: str = ""
                 ) -> tuple[list[Any], str, list[str]]:
    """Every object of the kind, the list's resourceVersion, and per-item errors.

    resource_version "0" (the reflector's first list, as client-go's) lets the apiserver answer
    from its watch cache instead of a quorum read of etcd; "" asks for the latest state.
    """
    if settings.streaming_list and client not in _NO_STREAMING:
        streamed = stream_objects(client, info, version, namespace, settings, track, compactor)
        if streamed is not None:
            return streamed
    return page_objects(client, info, version, namespace, settings, track, compactor, resource_version)


def stream_objects(client: KubeClient, info: KindInfo, version: str, namespace: str | None,
                   settings: Settings, track: Callable[[Any], None] | None = None,
                   compactor: Compactor | None = None) -> tuple[list[Any], str, list[str]] | None:
    """A streaming list (consistent read: resourceVersion unset), or None when the server does
    not offer one (then remembered for this client) or the stream ended before its last bookmark."""
    query = {"watch": "true", "sendInitialEvents": "true", "resourceVersionMatch": "NotOlderThan",
             "allowWatchBookmarks": "true", "timeoutSeconds": max(1, int(settings.list_read_timeout))}
    try:
        resp = client.get(resource_path(info, version, namespace), query, watch_accept(info),
                          settings.list_read_timeout + settings.read_grace)
    except StatusError as exc:
        if exc.code in (400, 422):
            _NO_STREAMING.add(client)
            return None
        raise
    if track is not None:
        track(resp)
    compact = compactor is not None and info.kind in compactor.kinds
    objs: list[Any] = []
    errors: list[str] = []
    try:
        for line in lines(resp.stream(None, decode_content=False)):
            ev = decode_event(info, line)
            if ev.type == "ERROR":
                raise StatusError(ev.code, ev.message)
            if ev.type == "BOOKMARK":
                if ev.initial_end:
                    client.abort(resp)  # the watch would go on: the reflector opens its own
                    return objs, ev.rv, errors
                continue
            kind = getattr(ev.obj, "kind", "")
            if ev.type not in ("ADDED", "MODIFIED") or (kind and kind != info.wire_kind and not info.metadata_only):
                # like the reflector's watch: a malformed stream ends this list, which is retried
                raise TransportError(f"streaming list: unexpected {ev.type[:40]!r} event ({kind[:60] or 'no kind'})")
            if ev.obj is None:
                errors.append(f"{info.kind} {ev.stub.metadata.namespace}/{ev.stub.metadata.name}: {ev.message}")
                continue
            try:
                obj = finish_object(info, ev.obj)
            except DecodeError as exc:
                errors.append(str(exc))
                continue
            objs.append(compactor(obj) if compact and compactor is not None else obj)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise TransportError(f"streaming list cut: {exc}") from None
    except BaseException:
        client.abort(resp)  # left mid-stream: the connection must not serve another request
        raise
    finally:
        client.done(resp)
    return None  # ended without the initial-events-end bookmark: list with pages instead


def page_objects(client: KubeClient, info: KindInfo, version: str, namespace: str | None,
                 settings: Settings, track: Callable[[Any], None] | None = None,
                 compactor: Compactor | None = None, resource_version: str = ""
                 ) -> tuple[list[Any], str, list[str]]:
    """A paginated list (limit/continue), the next page fetched while this one is decoded."""
    path = resource_path(info, version, namespace)
    compact = compactor is not None and info.kind in compactor.kinds
    limit = settings.page_size or None

    def fetch(token: str) -> bytes:
        query = {"limit": limit, "continue": token, "resourceVersion": "" if token else resource_version}
        resp = client.get(path, query, list_accept(info), settings.list_read_timeout, gzip=True)
        if track is not None:
            track(resp)
        data = client.read(resp)
        check_partial(info, data)  # by the body: a refused one is dropped with this frame
        return data

    objs: list[Any] = []
    errors: list[str] = []
    data = fetch("")
    while True:
        token = _HEAD.decode(data).metadata.continue_ if limit else ""
        following = _Page(fetch, token) if token else None
        items, meta, bad = decode_page(info, data)
        if compact and compactor is not None:
            compactor.all(items)
        objs.extend(items)
        errors.extend(bad)
        if following is None:
            return objs, meta.resource_version, errors
        try:
            data = following.result()
        except StatusError as exc:
            if exc.code != 410:
                raise
            limit = None  # the snapshot behind the token expired: start over, in one piece
            objs, errors = [], []
            data = fetch("")
