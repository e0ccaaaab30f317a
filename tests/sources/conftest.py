"""Fixtures for the live source: an embedded API server, a ClusterSource on it drained into a
ClusterState, and `Live.wait_equal`, which compares the store with the server's objects.

Waiting is always a bounded poll on a condition, never a sleep-and-hope.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ktui.apiserver import ApiServer
from ktui.apiserver.http import Listener
from ktui.model.decode import DecodeError, decode_document
from ktui.model.kinds import KINDS, KindInfo
from ktui.sources.base import KindStatus, Problem, SyncState, drain
from ktui.sources.cluster import ClusterSource, Settings
from ktui.store import ClusterState

# Workaround (reported to the apiserver owner): socketserver's default listen backlog of 5
# drops the SYNs of a client opening ~25 watches at once, which then wait 1 s to retry.
Listener.request_queue_size = 128

FAST = Settings(backoff_initial=0.05, backoff_max=0.3, watch_timeout=(20.0, 30.0), page_size=3,
                list_read_timeout=10.0, read_grace=5.0, streaming_list=False)
"""Paginated lists (their faults and requests are what most tests drive); STREAMING: the other path."""
STREAMING = dataclasses.replace(FAST, streaming_list=True)
TIMEOUT = 10.0
GW = "gateway.networking.k8s.io"


def wait_for(check: Callable[[], Any], what: str, timeout: float = TIMEOUT,
             pump: Callable[[], None] | None = None) -> Any:
    """Poll `check` (after `pump`) until it returns something truthy, or fail naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        if pump is not None:
            pump()
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


def served(server: ApiServer, info: KindInfo) -> bool:
    try:
        server.api.table.find(f"{info.plural}.{info.group}" if info.group else info.plural)
    except KeyError:
        return False
    return server.group_enabled(info.group)


def expected_objects(server: ApiServer, namespace: str | None = None,
                     hidden: set[str] = frozenset()) -> dict[str, dict[tuple[str, str], Any]]:
    """The server's objects decoded as ktui decodes them, per kind (what the store must hold)."""
    out: dict[str, dict[tuple[str, str], Any]] = {}
    for info in KINDS:
        objs: dict[tuple[str, str], Any] = {}
        if served(server, info) and info.kind not in hidden:
            scope = namespace if info.namespaced else None
            for doc in server.objects(f"{info.plural}.{info.group}" if info.group else info.plural, scope):
                try:
                    _, obj = decode_document(doc)
                except DecodeError:  # invalid objects are reported and left out
                    continue
                if info.metadata_only:  # PartialObjectMetadata carries no type
                    obj = msgspec.structs.replace(obj, type="")
                objs[(obj.metadata.namespace, obj.metadata.name)] = obj
        out[info.kind] = objs
    return out


def store_objects(state: ClusterState) -> dict[str, dict[tuple[str, str], Any]]:
    return {info.kind: {(o.metadata.namespace, o.metadata.name): o for o in state.objects(info.kind)}
            for info in KINDS}


def differences(want: dict[str, dict[tuple[str, str], Any]],
                have: dict[str, dict[tuple[str, str], Any]]) -> list[str]:
    diffs = []
    for kind in want:
        w, h = want[kind], have.get(kind, {})
        for key in sorted(set(w) | set(h)):
            if key not in h:
                diffs.append(f"{kind} {key}: missing from the store")
            elif key not in w:
                diffs.append(f"{kind} {key}: in the store, not on the server")
            elif w[key] != h[key]:
                diffs.append(f"{kind} {key}: differs (store rv {h[key].metadata.resource_version}, "
                             f"server rv {w[key].metadata.resource_version})")
    return diffs


class Live:
    """A started ClusterSource and the store it fills (drained on every poll)."""

    def __init__(self, server: ApiServer, kubeconfig: str, namespace: str | None = None,
                 settings: Settings = FAST, discovery_interval: float = 0.2) -> None:
        self.server = server
        self.namespace = namespace
        self.source = ClusterSource(kubeconfig, namespace=namespace, settings=settings,
                                    discovery_interval=discovery_interval)
        self.state = ClusterState()
        self.status: dict[str, KindStatus] = {}
        self.history: list[KindStatus] = []
        self.problems: list[Problem] = []
        self.changes = 0

    def start(self) -> Live:
        self.source.start()
        return self

    def pump(self) -> None:
        batch = drain(self.source.queue, self.state, self.status)
        self.history.extend(batch.statuses)
        self.problems.extend(batch.problems)
        self.changes += len(batch.changes)

    def wait(self, check: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
        return wait_for(check, what, timeout, self.pump)

    def state_of(self, kind: str) -> SyncState | None:
        st = self.status.get(kind)
        return st.state if st is not None else None

    def wait_state(self, kind: str, state: SyncState, timeout: float = TIMEOUT) -> None:
        self.wait(lambda: self.state_of(kind) is state, f"{kind} to be {state.value} "
                  f"(is {self.state_of(kind)})", timeout)

    def settled(self) -> bool:
        return len(self.status) == len(KINDS) and all(
            s.state is not SyncState.SYNCING and s.state is not SyncState.RECONNECTING
            for s in self.status.values())

    def wait_equal(self, hidden: set[str] = frozenset(), timeout: float = TIMEOUT,
                   skip: set[str] = frozenset()) -> None:
        """Until every kind has settled and the store equals the server's objects (kinds in
        `hidden` empty, kinds in `skip` not compared)."""
        last: list[str] = []

        def check() -> bool:
            nonlocal last
            want = expected_objects(self.server, self.namespace, hidden)
            last = differences({k: v for k, v in want.items() if k not in skip}, store_objects(self.state))
            return self.settled() and not last

        try:
            self.wait(check, "the store to equal the server", timeout)
        except AssertionError as exc:
            states = {k: s.state.value for k, s in self.status.items()}
            raise AssertionError(f"{exc}: {last[:10]} states={states}") from None

    def requests(self, verb: str, resource: str) -> int:
        return sum(1 for r in self.server.request_log if r.verb == verb and r.resource == resource)


@pytest.fixture
def kubeconfig(server: ApiServer, tmp_path: Path) -> str:
    return str(server.write_kubeconfig(tmp_path / "kubeconfig"))


@pytest.fixture
def live_factory(server: ApiServer, kubeconfig: str) -> Iterator[Callable[..., Live]]:
    started: list[Live] = []

    def make(**kwargs: Any) -> Live:
        live = Live(server, kubeconfig, **kwargs)
        started.append(live)
        return live.start()

    yield make
    for live in started:
        live.source.stop()


@pytest.fixture
def live(live_factory: Callable[..., Live]) -> Live:
    return live_factory()
