"""Live-source figures: initial sync of a large cluster, memory per pod, event -> store latency.

    .venv/bin/python bench/bench_sync.py            # 10,000 pods, 1,000 policies, 2,000 Services,
                                                    # 300 Ingresses, 300 HTTPRoutes
    .venv/bin/python bench/bench_sync.py --pods 2000 --runs 1   # quicker

The embedded API server runs in a child process (as a real apiserver would), loaded with
bench/gen_cluster.py's objects. Targets (issue 3): sync / (raw list fetch + msgspec decode of the
same objects, same run) <= 1.3; <= 3 KB resident per pod; one event -> store updated <= 20 ms.
A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import psutil
from gen_cluster import generate

from ktui.model.decode import decode_list
from ktui.model.kinds import KINDS
from ktui.sources.base import SyncState, drain
from ktui.sources.cluster import ClusterSource, Settings
from ktui.sources.compact import KINDS as COMPACT_KINDS
from ktui.sources.compact import Compactor
from ktui.sources.discovery import discover
from ktui.sources.kubeclient import KubeClient, connect
from ktui.sources.wire import list_accept, resource_path
from ktui.store import ClusterState


def serve(conn: Any, sizes: dict[str, int], history: int) -> None:
    """Child process: the API server holding the cluster; answers "touch" with the write time."""
    from ktui.apiserver import ApiServer
    from ktui.apiserver.http import Listener

    Listener.request_queue_size = 128  # see the report: the default backlog of 5 drops SYNs
    srv = ApiServer(history_size=history, bookmark_interval=30.0)
    srv.start()
    t0 = time.perf_counter()
    srv.apply_all(generate(**sizes))
    loaded = time.perf_counter() - t0
    gc.collect()
    gc.freeze()  # a real apiserver has no cyclic GC pausing over its 20k stored objects
    tmp = tempfile.mkdtemp(prefix="ktui-bench-")
    conn.send((str(srv.write_kubeconfig(os.path.join(tmp, "kubeconfig"))), loaded))
    while True:
        cmd = conn.recv()
        if cmd[0] == "touch":
            _, ns, name, value = cmd
            obj = srv.get_object("pods", ns, name)
            obj["metadata"]["labels"]["bench"] = value
            written = time.time()
            srv.apply(obj)
            conn.send(written)
        else:
            srv.stop()
            conn.send("bye")
            return


def raw_fetch(kubeconfig: str) -> tuple[float, int]:
    """The floor: one unpaginated list per kind, fetched with the client and decoded with msgspec."""
    client = KubeClient(connect(kubeconfig))
    served = discover(client, KINDS)
    t0 = time.perf_counter()
    count = 0
    for info in KINDS:
        version = served.versions.get(info.kind)
        if version:
            data = client.get_bytes(resource_path(info, version, None), accept=list_accept(info))
            count += len(decode_list(info, data)[0])
    elapsed = time.perf_counter() - t0
    client.close()
    return elapsed, count


MORE = frozenset({"Pod", "EndpointSlice", "ReplicaSet", "Deployment"})
APPLY: list[float] = []  # seconds the main thread spent applying Replace items to the store, per sync


def sync(kubeconfig: str, settings: Settings) -> tuple[ClusterSource, ClusterState, float, float, Any]:
    """Start a ClusterSource and drain it (as the app does) until every kind is live."""
    source = ClusterSource(kubeconfig, settings=settings)
    state, status = ClusterState(), {}
    t0 = time.perf_counter()
    source.start()
    applying = 0.0
    while len(status) < len(KINDS) or any(s.state is SyncState.SYNCING for s in status.values()):
        t1 = time.perf_counter()
        drain(source.queue, state, status)
        applying += time.perf_counter() - t1
        time.sleep(0.001)
    filled = time.perf_counter() - t0
    APPLY.append(applying)
    index = None
    posture = 0.0
    try:
        from ktui.analysis.posture import PostureIndex

        index = PostureIndex(state)
        posture = time.perf_counter() - t0
    except Exception as exc:  # the analysis is another layer, possibly mid-change: report, go on
        print(f"  (posture not computed: {type(exc).__name__}: {exc})")
    return source, state, filled, posture, index


def store_bytes(kubeconfig: str, kinds: frozenset[str]) -> tuple[float, float]:
    """tracemalloc of decoding every kind into a ClusterState (indexes included), as the source
    does: (all objects / pods, pod objects alone / pods), in bytes."""
    client = KubeClient(connect(kubeconfig))
    served = discover(client, KINDS)
    pages = {info.kind: (info, client.get_bytes(resource_path(info, v, None), accept=list_accept(info)))
             for info in KINDS if (v := served.versions.get(info.kind))}
    client.close()
    gc.collect()
    tracemalloc.start()
    compactor = Compactor(kinds) if kinds else None
    state = ClusterState()
    pods_only = 0
    for kind, (info, data) in pages.items():
        before = tracemalloc.get_traced_memory()[0]
        objs = decode_list(info, data)[0]
        state.replace(kind, compactor.all(objs) if compactor and kind in compactor.kinds else objs)
        del objs
        gc.collect()
        if kind == "Pod":
            pods_only = tracemalloc.get_traced_memory()[0] - before
    used, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    pods = max(1, state.count("Pod"))
    return used / pods, pods_only / pods


def latency(source: ClusterSource, state: ClusterState, index: Any, conn: Any,
            n: int) -> tuple[list[float], list[float]]:
    """Write one pod in the server, time until the store (and the posture) has it."""
    pods = sorted(state.pods(), key=lambda p: (p.metadata.namespace, p.metadata.name))
    step = max(1, len(pods) // n)
    to_store, to_posture = [], []
    status: dict[str, Any] = {}
    for i in range(n):
        pod = pods[(i * step) % len(pods)]
        ns, name, value = pod.metadata.namespace, pod.metadata.name, f"v{i}"
        conn.send(("touch", ns, name, value))
        written = conn.recv()
        changes = []
        while True:
            changes += drain(source.queue, state, status).changes
            got = state.get("Pod", ns, name)
            if got is not None and got.metadata.labels.get("bench") == value:
                break
            time.sleep(0.0002)
        to_store.append(time.time() - written)
        if index is not None:
            try:
                index.update(changes)
                to_posture.append(time.time() - written)
            except Exception:
                index = None
        time.sleep(0.01)
    return to_store, to_posture


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description="live-source benchmark")
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--policies", type=int, default=1000)
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--ingresses", type=int, default=300)
    parser.add_argument("--routes", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3, help="sync runs (the best is compared)")
    parser.add_argument("--events", type=int, default=50)
    args = parser.parse_args()
    sizes = {k: getattr(args, k) for k in ("pods", "policies", "services", "ingresses", "routes")}
    print("command:", " ".join([os.path.relpath(sys.executable), *sys.argv]))
    print(f"cluster: {sizes}, {os.cpu_count()} CPUs, server in a child process")

    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=serve, args=(child, sizes, 100_000), daemon=True)
    proc.start()
    kubeconfig, loaded = parent.recv()
    print(f"server loaded in {loaded:.1f} s")

    me = psutil.Process()
    gc.collect()
    rss0 = me.memory_info().rss
    first, state, filled, posture, index = sync(kubeconfig, Settings())
    gc.collect()
    rss = me.memory_info().rss - rss0
    pods = state.count("Pod")
    objects = sum(state.count(k) for k in state.kinds())
    to_store, to_posture = latency(first, state, index, parent, args.events)
    first.stop()
    del state, index
    gc.collect()
    raws, syncs, postures, plain, more, no_pause, unpaged = [], [filled], [posture], [], [], [], []

    def timed_sync(settings: Settings) -> tuple[float, float]:
        gc.collect()
        src, _, store_filled, posture_done, _ = sync(kubeconfig, settings)
        src.stop()
        return store_filled, posture_done

    for run in range(max(1, args.runs)):  # interleaved, so drift in the machine hits all alike
        gc.collect()
        raws.append(raw_fetch(kubeconfig)[0])
        if run:
            f, p = timed_sync(Settings())
            syncs.append(f)
            postures.append(p)
        plain.append(timed_sync(Settings(compact_kinds=frozenset()))[0])
        more.append(timed_sync(Settings(compact_kinds=MORE))[0])
        no_pause.append(timed_sync(Settings(pause_gc=False))[0])
        unpaged.append(timed_sync(Settings(page_size=0))[0])
    raw = min(raws)
    page = Settings().page_size

    def line(label: str, runs: list[float]) -> None:
        med = statistics.median(runs) / statistics.median(raws)
        print(f"{label:<62} {min(runs):5.2f} s  ratio best {min(runs) / raw:.2f}, median {med:.2f}   (runs: "
              f"{', '.join(f'{r:.2f}' for r in runs)})")

    print(f"objects synced: {objects} ({pods} pods)")
    line("raw list fetch + msgspec decode, all kinds, one by one", raws)
    line(f"ClusterSource start -> store filled (default: pages of {page}, compacting "
         f"{', '.join(sorted(COMPACT_KINDS))})", syncs)
    line("  same, compacting nothing (compact_kinds=frozenset())", plain)
    line(f"  same, compacting {', '.join(sorted(MORE))}", more)
    line("  same, cyclic GC not paused (pause_gc=False)", no_pause)
    line("  same, unpaginated lists (page_size=0)", unpaged)
    print(f"  of which the main thread applying the lists to the ClusterState (store.py): "
          f"{statistics.median(APPLY):.2f} s median over {len(APPLY)} syncs")
    if min(postures) > 0:
        line("ClusterSource start -> posture computed (PostureIndex)", postures)
    print(f"RSS delta of the first sync / pods (all {objects} objects, threads, buffers, allocator slack): "
          f"{rss / pods / 1024:.2f} KB per pod")
    for kinds in (COMPACT_KINDS, MORE, frozenset()):
        everything, pods_alone = store_bytes(kubeconfig, kinds)
        print(f"store, tracemalloc, compacting {', '.join(sorted(kinds)) or 'nothing'}: all objects / pods "
              f"{everything / 1024:.2f} KB per pod; pod objects alone {pods_alone / 1024:.2f} KB per pod")
    q = statistics.quantiles(to_store, n=20)
    print(f"one watch event -> store updated ({len(to_store)} events): median {ms(statistics.median(to_store))}, "
          f"p95 {ms(q[-1])}, max {ms(max(to_store))}")
    if to_posture:
        q = statistics.quantiles(to_posture, n=20)
        print(f"one watch event -> posture updated: median {ms(statistics.median(to_posture))}, p95 {ms(q[-1])}")
    parent.send(("stop",))
    parent.recv()
    proc.join(timeout=5)


if __name__ == "__main__":
    main()
