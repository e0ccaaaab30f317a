"""Exposure (each entry judged by its triage chain) and findings, computed away from the UI.

The findings catalogue runs over the whole cluster (seconds at 10,000 pods), so it cannot run in
the 100 ms batch path; and in a thread it would share the GIL with the UI and slow every frame.
So it runs in a child process holding its own replica of the store: the bridge hands over each
batch's changes (a list append; a sender thread writes them to the child, overlay_wire.py), the
child recomputes at most every `min_interval` seconds -- and never more often than twice its last
run time -- and a receiver thread hands each OverlayResult back. The first result is the app's
own (compute_here, from the posture it has just built); the child starts after it (defer). With
process=False (tests) it runs inline.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import pickle
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from ktui.analysis.policy import NetpolEngine
from ktui.analysis.posture import PostureIndex
from ktui.sources.base import Problem
from ktui.sources.collector import Pace
from ktui.sources.compact import Compactor
from ktui.store import Change, ClusterState
from ktui.tui.overlay_result import OverlayResult, Replica, UnseenMap, since, summarise
from ktui.tui.overlay_wire import Item, pack, unpack
from ktui.tui.summaries import ExposureSummary, FindingsSummary

__all__ = ["Item", "Overlay", "OverlayResult", "Replica", "receive_in_pieces", "send_in_pieces"]


def _worker(conn: Any, live: bool, min_interval: float) -> None:
    """The child process: apply batches as they come, compute when due, send results. It writes
    nothing to the terminal the TUI draws on."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)  # on a busy machine the screen comes first; the overlay can wait a little
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    replica = Replica(live)
    compactor = Compactor()
    dirty, hold, next_at = False, False, 0.0
    pace = Pace()
    pace.slow()  # the replica keeps every object of the first list (sources/collector.py)
    try:
        while True:
            if not dirty or hold or conn.poll(max(0.0, next_at - time.monotonic())):
                msg = conn.recv()
                if msg[0] == "stop":
                    return
                hold = msg[1]
                replica.apply(unpack(msg[2], compactor), *msg[3:])
                dirty = True
                while conn.poll(0):  # take everything queued before computing
                    msg = conn.recv()
                    if msg[0] == "stop":
                        return
                    hold = msg[1]
                    replica.apply(unpack(msg[2], compactor), *msg[3:])
                if hold or time.monotonic() < next_at:
                    continue
            result = replica.compute()
            pace.settle()  # once: what the first list left lives as long as the cluster holds it
            dirty = False
            next_at = time.monotonic() + max(min_interval, 2 * result.seconds)
            send_in_pieces(conn, result)
    except (EOFError, OSError, KeyboardInterrupt):  # the app went away
        return


def send_in_pieces(conn: Any, result: OverlayResult) -> None:
    """One message per namespace's summary, then the rest: unpickling holds the GIL (the UI
    thread waits meanwhile), so the app's side takes a piece at a time, not 0.5 MB in one go."""
    for ns, summary in result.exposure.items():
        conn.send(("exposure", ns, summary))
    for ns, found in result.findings.items():
        conn.send(("findings", ns, found))
    conn.send(("result", replace(result, exposure={}, findings={})))


def receive_in_pieces(conn: Any, holds: list[float]) -> OverlayResult:
    """The result sent by send_in_pieces; `holds` gets the longest unpickling of one piece."""
    exposure: dict[str, ExposureSummary] = {}
    findings: dict[str, FindingsSummary] = {}
    longest = 0.0
    while True:
        data = conn.recv_bytes()  # waits with the GIL released; so does the sleep below
        started = time.perf_counter()
        piece = pickle.loads(data)
        longest = max(longest, time.perf_counter() - started)
        if piece[0] == "exposure":
            exposure[piece[1]] = piece[2]
        elif piece[0] == "findings":
            findings[piece[1]] = piece[2]
        else:
            holds.append(longest)
            result: OverlayResult = replace(piece[1], exposure=exposure, findings=findings)
            return result
        time.sleep(0)  # let a waiting UI thread take the GIL between two pieces


class Overlay:
    def __init__(self, on_result: Callable[[OverlayResult], None], *, live: bool,
                 min_interval: float = 1.0, process: bool = True) -> None:
        self.on_result = on_result
        self.live = live
        self.min_interval = min_interval
        self.process = process
        self._inline = Replica(live) if not process else None
        self._pending: list[Item] = []
        self._problems: list[Problem] = []
        self._unseen: frozenset[str] = frozenset()
        self._unseen_map: UnseenMap = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._conn: Any = None
        self._proc: Any = None
        self.unpickle_seconds: list[float] = []
        self._listing = False
        self._fresh = False  # fed since the last take
        self.taken = 0  # batches handed to the child so far (its results' `version` counts them)
        self.received = 0  # results of the child's handed on so far
        self._deferred = False

    def defer(self) -> None:
        """Start the child only at `release`: until the app's own first result (compute_here)
        is in, a child decoding the first list and building its posture again only competes for
        the CPU with the app (0.2 s at 10,000 pods). What is fed meanwhile waits and goes at once."""
        self._deferred = True

    def release(self) -> None:
        if self._deferred:
            self._deferred = False
            self.start()

    def start(self) -> None:
        if not self.process or self._proc is not None or self._deferred:
            return
        ctx = mp.get_context("spawn")  # never fork a process that runs threads
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_worker, args=(child, self.live, self.min_interval),
                                 name="ktui-overlay", daemon=True)
        # Textual swaps sys.stdout/stderr for objects without a usable fileno, which spawn needs.
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        try:
            self._proc.start()
        except OSError as exc:  # no process to be had (limits, memory): say so, keep the app going
            self._proc = None
            self._stop.set()  # nothing more is fed or sent
            with self._lock:
                self._pending = []
            self.on_result(OverlayResult({}, {}, None, 0.0, 0,
                                         error=f"the analysis process could not start: {exc}"))
            return
        finally:
            sys.stdout, sys.stderr = saved
        child.close()
        threading.Thread(target=self._send_loop, name="ktui-overlay-send", daemon=True).start()
        threading.Thread(target=self._receive_loop, name="ktui-overlay-receive", daemon=True).start()

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._wake.set()
        if self._proc is not None:
            with contextlib.suppress(OSError, ValueError):
                self._conn.send(("stop",))
            if self._proc.pid is not None:
                self._proc.join(1.0)
            if self._proc.pid is not None and self._proc.is_alive():
                self._proc.terminate()
            self._conn.close()

    def feed(self, changes: Iterable[Change], state: ClusterState, problems: Iterable[Problem],
             unseen: Iterable[str], listing: bool = False) -> None:
        """Called on the UI thread with each batch: cheap (a list append under a lock).
        listing: the first list is still coming, so nothing is computed yet (an answer over part
        of the store is shown nowhere and would hold back the first complete one)."""
        if self._stop.is_set():
            return
        items = [(c, state.origins.get((c.kind, c.namespace, c.name))) for c in changes]
        with self._lock:
            self._listing = listing
            self._fresh = True
            self._pending.extend(items)
            self._problems = list(problems)
            self._unseen = frozenset(unseen)
            self._unseen_map = state.unseen_kinds()
        if self._inline is not None:
            self.compute_inline()
        else:
            self._wake.set()

    def _take(self) -> tuple[list[Item], list[Problem], frozenset[str], UnseenMap]:
        with self._lock:
            items, self._pending = self._pending, []
            self._fresh = False
            self.taken += 1
            return items, self._problems, self._unseen, dict(self._unseen_map)

    def _send(self) -> None:
        with self._lock:
            listing, fresh = self._listing, self._fresh
        if fresh:  # a feed between the wake and the last take was taken with it: nothing new
            items, *rest = self._take()
            self._conn.send(("batch", listing, pack(items), *rest))

    def fed_version(self) -> int:
        """The version of a result that includes every change fed so far (what waits to be handed
        over goes in the next take)."""
        with self._lock:
            return self.taken + (1 if self._fresh else 0)

    def compute_here(self, state: ClusterState, engine: NetpolEngine, posture: PostureIndex) -> OverlayResult:
        """The first result, computed by the app itself (on a worker thread, the store still) from
        the posture it has just built: the child would first build that posture again (9 s at
        100,000 pods) before its first result. Covers every batch fed so far."""
        version = self.fed_version()
        with self._lock:
            problems, unseen = list(self._problems), self._unseen
        started = time.perf_counter()
        try:
            exposure, by_ns, found = summarise(state, engine, posture, self.live, problems, unseen)
        except Exception as exc:  # as the child does: say it, keep going (the child's result follows)
            return OverlayResult({}, {}, None, time.perf_counter() - started, version,
                                 error=f"{type(exc).__name__}: {exc}")
        return since({}, {}, None, exposure, by_ns, found, time.perf_counter() - started, version)

    def deliver(self, result: OverlayResult) -> bool:
        """Hand on compute_here's result, unless a result of the child's came first: the child's
        results each say what changed since its previous one, so after its first nothing else may
        come in between. The child's first result (everything) still comes, equal or newer."""
        with self._lock:
            if self.received or result.error:
                return False
            self.on_result(result)
            return True

    def compute_inline(self) -> OverlayResult:
        assert self._inline is not None
        self._inline.apply(*self._take())
        result = self._inline.compute()
        self.on_result(result)
        return result

    def _send_loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._send()
            except (OSError, ValueError):  # the child went away: the receiver says so
                return
            except Exception as exc:  # a batch that cannot be written: said, not a silent stop
                self.on_result(OverlayResult({}, {}, None, 0.0, 0, error=f"the analysis feed failed: "
                                             f"{type(exc).__name__}: {exc}"))
                return

    def _receive_loop(self) -> None:
        while not self._stop.is_set():
            try:
                result = receive_in_pieces(self._conn, self.unpickle_seconds)
            except (EOFError, OSError, ValueError):
                if not self._stop.is_set():
                    self.on_result(OverlayResult({}, {}, (), 0.0, 0, error="the analysis process stopped"))
                return
            with self._lock:  # in order with deliver()
                self.received += 1
                self.on_result(result)
