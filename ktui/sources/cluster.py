"""A live cluster as a source: discovery, then one reflector thread per served kind.

`ClusterSource` is what the TUI runs (and `ktui demo`, against the embedded server: the same
code path); `snapshot` is the one-shot list the CLI subcommands analyse. Both only ever send GET
requests (discovery, list, watch), so ktui cannot change the cluster it looks at; the one
exception is the live source's SelfSubjectAccessReviews (access.py), creates that store nothing.
"""

from __future__ import annotations

import dataclasses
import gc
import queue
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgspec

from ktui.model import kinds as kind_table
from ktui.model.kinds import KindInfo
from ktui.sources import access
from ktui.sources.base import Item, KindStatus, Loaded, Problem, Replace, SyncState
from ktui.sources.compact import Compactor
from ktui.sources.discovery import Served, discover
from ktui.sources.kubeclient import (
    DEMO_HINT,
    ClusterError,
    KubeClient,
    StatusError,
    TransportError,
    connect,
)
from ktui.sources.lister import Settings, list_objects
from ktui.sources.reflector import Reflector
from ktui.sources.wire import UnsafeResponse, warm_decoders
from ktui.store import ClusterState

__all__ = ["ClusterError", "ClusterSource", "Settings", "snapshot"]


def _first_discovery(client: KubeClient, kinds: Sequence[KindInfo]) -> Served:
    """Discovery that turns "cannot talk to the cluster at all" into one clear line."""
    conn = client.conn
    where = f'the cluster of context "{conn.context}" at {conn.server}'
    try:
        return discover(client, kinds)
    except TransportError as exc:
        raise ClusterError(f"cannot reach {where}: {exc}; {DEMO_HINT}") from None
    except StatusError as exc:
        if exc.code == 401:
            raise ClusterError(f"{where} refused the credentials (401 Unauthorized); log in again "
                               f"or check the kubeconfig; {DEMO_HINT}") from None
        raise ClusterError(f"{where} answered discovery with {exc}; {DEMO_HINT}") from None
    except (msgspec.DecodeError, msgspec.ValidationError):
        raise ClusterError(f"{where} does not look like a Kubernetes API server; {DEMO_HINT}") from None


class _GcPause:
    """The initial sync allocates the whole store at once, and CPython's cyclic GC would scan it
    again and again while it grows (over a second for 20,000 objects, more than the decoding).
    The objects hold no cycles (the structs are gc=False), so the collector is paused until every
    kind has been listed once; then what was loaded is frozen (gc.freeze), never scanned again."""

    def __init__(self, limit: float = 60.0) -> None:
        self.pending: set[str] = set()
        self.active = False
        self.deadline = 0.0
        self.limit = limit

    def start(self, kinds: Iterable[str]) -> None:
        self.pending = set(kinds)
        if self.pending and gc.isenabled():
            gc.disable()
            self.active = True
            self.deadline = time.monotonic() + self.limit

    def seen(self, item: Item) -> None:
        if self.active and isinstance(item, KindStatus) and item.state is not SyncState.SYNCING:
            self.pending.discard(item.kind)
            if not self.pending:
                self.end(freeze=True)
            else:
                self.overdue()

    def end(self, freeze: bool = False) -> None:
        if self.active:
            self.active = False
            gc.enable()
            if freeze:
                gc.freeze()

    def overdue(self) -> None:
        if self.active and time.monotonic() > self.deadline:
            self.end()


def _prepare(kinds: Sequence[KindInfo], compactor: Compactor | None) -> None:
    """Decoders and compaction plans are built here, before any thread (wire.warm_decoders)."""
    warm_decoders(kinds)
    if compactor is not None:
        compactor.prepare(i.type for i in kinds if i.kind in compactor.kinds)


def _absent_message(info: KindInfo) -> str:
    return f"{info.plural}.{info.group or 'core'} is not served by this cluster"


class ClusterSource:
    """The live source. `start()` discovers (ClusterError if the cluster is unreachable), then
    runs a reflector per served kind and re-checks discovery every `discovery_interval` s."""

    def __init__(self, kubeconfig: str | None = None, context: str | None = None,
                 namespace: str | None = None, *, kinds: Sequence[KindInfo] | None = None,
                 discovery_interval: float = 60.0, settings: Settings | None = None,
                 connect_timeout: float = 10.0) -> None:
        self._conn = connect(kubeconfig, context)
        self.context = self._conn.context
        self.server = self._conn.server
        self.name = self.context
        self.namespace = namespace
        self.discovery_interval = discovery_interval
        self.settings = settings or Settings()
        self.queue: queue.SimpleQueue[Item] = queue.SimpleQueue()
        self.client = KubeClient(self._conn, connect_timeout, self.settings.list_read_timeout)
        self._kinds = list(kinds) if kinds is not None else None
        self._reflectors: dict[str, Reflector] = {}
        self._versions: dict[str, str | None] = {}
        self._emit_lock = threading.Lock()
        self._stop = threading.Event()
        self._poke = threading.Event()
        self._thread: threading.Thread | None = None
        self._discovery_failing = False
        self._gc = _GcPause()
        self._compactor = Compactor(self.settings.compact_kinds) if self.settings.compact_kinds else None
        self.denied: list[access.Denied] | None = None
        """(kind, namespace, verb) the user may not read, from SelfSubjectAccessReviews; None
        until answered (or when the server cannot answer them)."""

    @property
    def kinds(self) -> list[KindInfo]:
        return self._kinds if self._kinds is not None else list(kind_table.KINDS)

    def _scope(self, info: KindInfo) -> str | None:
        return self.namespace if info.namespaced else None

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> None:
        _prepare(self.kinds, self._compactor)
        try:
            served = _first_discovery(self.client, self.kinds)
        except ClusterError:
            self.client.close()
            raise
        for note in self._conn.notes:
            self.queue.put(Problem("kubeconfig", note))
        if self.settings.pause_gc:
            self._gc.start(kind for kind, version in served.versions.items() if version)
        self._reconcile(served)
        self._thread = threading.Thread(target=self._supervise, name="ktui-discovery", daemon=True)
        self._thread.start()
        readable = [i for i in self.kinds if served.versions.get(i.kind)]
        threading.Thread(target=self._review_access, args=(readable,), name="ktui-access", daemon=True).start()

    def _review_access(self, kinds: list[KindInfo]) -> None:
        """Ask up front what cannot be read (`denied`, for the status line), once."""
        found = access.denied(self.client, kinds, self.namespace)
        if self._stop.is_set():
            return
        self.denied = found
        if found:
            self.queue.put(Problem("access", access.summary(found)))

    def stop(self, timeout: float = 2.0) -> None:
        """End every thread: blocked reads are cut, so this returns promptly."""
        self._stop.set()
        self._poke.set()
        with self._emit_lock:
            self._gc.end()
            reflectors = list(self._reflectors.values())
            for r in reflectors:
                r.stop()
        self.client.abort_all()
        deadline = time.monotonic() + timeout
        for r in reflectors:
            r.join(max(0.0, deadline - time.monotonic()))
        if self._thread is not None:
            self._thread.join(max(0.0, deadline - time.monotonic()))
        self.client.close()

    def __enter__(self) -> ClusterSource:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def alive_threads(self) -> list[str]:
        """Names of this source's threads still running (tests check stop() ends them)."""
        threads = [r.thread for r in self._reflectors.values()]
        if self._thread is not None:
            threads.append(self._thread)
        return [t.name for t in threads if t.is_alive()]

    def resource_version(self, kind: str) -> str:
        """The last resourceVersion seen for a kind (bookmarks included); "" when not watching."""
        r = self._reflectors.get(kind)
        return r.rv if r is not None else ""

    def rediscover(self) -> None:
        """Re-check discovery now rather than at the next interval."""
        self._poke.set()

    # ---------------------------------------------------------------- internals

    def _emitter(self, owner: Reflector | None) -> Any:
        def emit(item: Item) -> None:
            if isinstance(item, KindStatus) and owner is not None and owner.namespace:
                item = dataclasses.replace(item, namespace=owner.namespace)
            with self._emit_lock:  # a stopped reflector's late items never follow its successor's
                if owner is None or not owner.stopped:
                    self.queue.put(item)
                    self._gc.seen(item)
                else:
                    return
            if (isinstance(item, KindStatus) and item.kind == "Namespace" and self.namespace
                    and item.state is SyncState.FORBIDDEN):
                self.queue.put(Replace("Namespace", [access.scoped_namespace(self.client, self.namespace)]))
        return emit

    def _supervise(self) -> None:
        while not self._stop.is_set():
            self._poke.wait(self.discovery_interval)
            self._poke.clear()
            with self._emit_lock:
                self._gc.overdue()
            if self._stop.is_set():
                return
            try:
                served = discover(self.client, self.kinds)
            except Exception as exc:  # TLS, a library error: reported once, retried, never fatal
                if not self._discovery_failing:
                    self.queue.put(Problem("discovery", f"cannot re-check the served kinds: {exc}"))
                self._discovery_failing = True
                continue
            self._discovery_failing = False
            for err in served.errors:
                self.queue.put(Problem("discovery", err))
            try:
                self._reconcile(served)
            except Exception as exc:  # the supervisor must outlive any one failure
                self.queue.put(Problem("discovery", f"{type(exc).__name__}: {exc}"))

    def _reconcile(self, served: Served) -> None:
        """Start, restart (version changed) or stop reflectors to match what the cluster serves."""
        for info in self.kinds:
            if info.kind in served.unknown:
                continue
            version = served.versions.get(info.kind)
            current = self._reflectors.get(info.kind)
            if version is None:
                was_absent = self._versions.get(info.kind, "") is None or (
                    current is not None and current.state is SyncState.ABSENT)
                with self._emit_lock:
                    if current is not None:
                        current.stop()
                        del self._reflectors[info.kind]
                    if not was_absent and not self._stop.is_set():
                        self.queue.put(Replace(info.kind, [], self._scope(info)))
                        self.queue.put(KindStatus(info.kind, SyncState.ABSENT, message=_absent_message(info)))
            elif current is None or current.version != version:
                with self._emit_lock:
                    if current is not None:
                        current.stop()
                    if self._stop.is_set():
                        return
                    r = Reflector(self.client, info, version, self._scope(info), self.queue.put,
                                  self.settings, on_absent=lambda _kind: self._poke.set(),
                                  compactor=self._compactor)
                    r.emit = self._emitter(r)
                    self._reflectors[info.kind] = r
                r.start()
            self._versions[info.kind] = version


# -------------------------------------------------------------------- one-shot snapshot


def _list_with_retries(client: KubeClient, info: KindInfo, version: str, namespace: str | None,
                       settings: Settings, compactor: Compactor | None,
                       attempts: int = 3) -> tuple[list[Any], list[str]]:
    delay = settings.backoff_initial
    for attempt in range(attempts):
        try:
            objs, _, errors = list_objects(client, info, version, namespace, settings, None, compactor)
            return objs, errors
        except (TransportError, msgspec.DecodeError) as exc:
            if attempt == attempts - 1:
                raise TransportError(str(exc)) from None
        except StatusError as exc:
            if exc.code in (403, 404) or attempt == attempts - 1:
                raise
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def snapshot(kubeconfig: str | None = None, context: str | None = None, namespace: str | None = None,
             *, kinds: Iterable[KindInfo] | None = None, settings: Settings | None = None,
             workers: int = 8) -> Loaded:
    """One full list of every kind (no watch), for the CLI subcommands.

    Forbidden and absent kinds are statuses plus one Problem line each (absent kinds grouped by
    API group), never errors; ClusterError when the cluster cannot be used at all.
    """

    settings = settings or Settings(backoff_initial=0.3)
    conn = connect(kubeconfig, context)
    client = KubeClient(conn, read_timeout=settings.list_read_timeout)
    infos = list(kinds) if kinds is not None else list(kind_table.KINDS)
    pause = _GcPause()
    try:
        served = _first_discovery(client, infos)
        if settings.pause_gc:
            pause.start(["all"])
        state = ClusterState()
        loaded = Loaded(state, [Problem("kubeconfig", note) for note in conn.notes], {}, conn.context)
        absent: dict[str, list[str]] = {}
        compactor = Compactor(settings.compact_kinds) if settings.compact_kinds else None
        _prepare(infos, compactor)

        def one(info: KindInfo) -> tuple[list[Any], list[str]] | BaseException:
            version = served.versions.get(info.kind) or info.versions[0]
            scope = namespace if info.namespaced else None
            try:
                return _list_with_retries(client, info, version, scope, settings, compactor)
            except (StatusError, TransportError, UnsafeResponse) as exc:
                return exc

        listed = [i for i in infos if served.versions.get(i.kind) or i.kind in served.unknown]
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = dict(zip([i.kind for i in listed], pool.map(one, listed), strict=True))
        pause.end(freeze=True)
        failures = 0
        for info in infos:
            result = results.get(info.kind)
            if result is None or (isinstance(result, StatusError) and result.code == 404):
                absent.setdefault(info.group or "core", []).append(info.kind)
                loaded.statuses[info.kind] = KindStatus(info.kind, SyncState.ABSENT,
                                                        message=_absent_message(info))
            elif isinstance(result, StatusError) and result.code == 403:
                scope = (namespace or "") if info.namespaced else ""
                loaded.statuses[info.kind] = KindStatus(info.kind, SyncState.FORBIDDEN, message=result.message,
                                                        namespace=scope)
                state.set_unseen(info.kind, result.message or "forbidden", scope)
                if info.kind == "Namespace" and namespace:
                    state.replace("Namespace", [access.scoped_namespace(client, namespace)])
                    loaded.problems.append(Problem(info.kind, f"forbidden: only {namespace} is known "
                                                              f"(its labels if readable): {result.message}"))
                else:
                    loaded.problems.append(Problem(info.kind, f"forbidden, shown as empty: {result.message}"))
            elif isinstance(result, BaseException):
                failures += 1
                loaded.statuses[info.kind] = KindStatus(info.kind, SyncState.RECONNECTING, message=str(result))
                loaded.problems.append(Problem(info.kind, f"could not be listed, shown as empty: {result}"))
            else:
                objs, errors = result
                state.replace(info.kind, objs)
                loaded.statuses[info.kind] = KindStatus(info.kind, SyncState.LIVE)
                loaded.problems.extend(Problem(info.kind, e) for e in errors)
        if listed and failures == len(listed):
            raise ClusterError(f'cannot list anything from the cluster of context "{conn.context}" '
                               f"at {conn.server}: {loaded.problems[-1].message}; {DEMO_HINT}")
        for group, names in absent.items():
            loaded.problems.append(Problem(group, f"not served by this cluster, shown as empty: {', '.join(names)}"))
        return loaded
    finally:
        pause.end()
        client.close()
