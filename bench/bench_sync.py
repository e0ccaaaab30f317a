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
from ktui.model.kinds import BY_KIND, KINDS
from ktui.sources.base import SyncState, drain
from ktui.sources.cluster import ClusterSource
from ktui.sources.discovery import discover
from ktui.sources.kubeclient import KubeClient, connect
from ktui.sources.reflector import Settings
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


def sync(kubeconfig: str, page_size: int) -> tuple[ClusterSource, ClusterState, float, float, Any]:
    """Start a ClusterSource and drain it (as the app does) until every kind is live."""
    source = ClusterSource(kubeconfig, settings=Settings(page_size=page_size))
    state, status = ClusterState(), {}
    t0 = time.perf_counter()
    source.start()
    while len(status) < len(KINDS) or any(s.state is SyncState.SYNCING for s in status.values()):
        drain(source.queue, state, status)
        time.sleep(0.001)
    filled = time.perf_counter() - t0
    index = None
    posture = 0.0
    try:
        from ktui.analysis.posture import PostureIndex

        index = PostureIndex(state)
        posture = time.perf_counter() - t0
    except Exception as exc:  # the analysis is another layer, possibly mid-change: report, go on
        print(f"  (posture not computed: {type(exc).__name__}: {exc})")
    return source, state, filled, posture, index


def store_bytes_per_pod(kubeconfig: str) -> float:
    """tracemalloc of decoding the pods and holding them in a ClusterState (indexes included)."""
    client = KubeClient(connect(kubeconfig))
    info = BY_KIND["Pod"]
    data = client.get_bytes(resource_path(info, "v1", None))
    client.close()
    gc.collect()
    tracemalloc.start()
    state = ClusterState()
    state.replace("Pod", decode_list(info, data)[0])
    gc.collect()
    used, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return used / max(1, state.count("Pod"))


def latency(source: ClusterSource, state: ClusterState, index: Any, conn: Any, n: int) -> tuple[list[float], list[float]]:
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
    first, state, filled, posture, index = sync(kubeconfig, Settings().page_size)
    gc.collect()
    rss = me.memory_info().rss - rss0
    pods = state.count("Pod")
    objects = sum(state.count(k) for k in state.kinds())
    raws, syncs, unpaged = [], [filled], []
    postures = [posture]
    for _ in range(max(1, args.runs)):
        raws.append(raw_fetch(kubeconfig)[0])
    for _ in range(max(0, args.runs - 1)):
        src, _, f, p, _ = sync(kubeconfig, Settings().page_size)
        src.stop()
        syncs.append(f)
        postures.append(p)
    for _ in range(max(1, args.runs - 1)):
        src, _, f, _, _ = sync(kubeconfig, 0)
        src.stop()
        unpaged.append(f)
    raw = min(raws)
    print(f"objects synced: {objects} ({pods} pods)")
    print(f"raw list fetch + msgspec decode, all kinds, sequential:  {raw:.2f} s (best of {len(raws)})")
    print(f"ClusterSource start -> store filled (pages of {Settings().page_size}): {min(syncs):.2f} s "
          f"(best of {len(syncs)}; runs {', '.join(f'{s:.2f}' for s in syncs)})  ratio {min(syncs) / raw:.2f}")
    print(f"ClusterSource start -> store filled (unpaginated lists):  {min(unpaged):.2f} s  "
          f"ratio {min(unpaged) / raw:.2f}")
    if index is not None and min(postures) > 0:
        print(f"ClusterSource start -> posture computed (PostureIndex):   {min(postures):.2f} s  "
              f"ratio {min(postures) / raw:.2f}")
    print(f"resident memory: RSS delta of the first sync / pods (all {objects} objects, threads, "
          f"allocator slack): {rss / pods / 1024:.2f} KB per pod")
    print(f"store of pods alone (tracemalloc: decoded pods + indexes): {store_bytes_per_pod(kubeconfig) / 1024:.2f} "
          "KB per pod")
    to_store, to_posture = latency(first, state, index, parent, args.events)
    q = statistics.quantiles(to_store, n=20)
    print(f"one watch event -> store updated ({len(to_store)} events): median {ms(statistics.median(to_store))}, "
          f"p95 {ms(q[-1])}, max {ms(max(to_store))}")
    if to_posture:
        q = statistics.quantiles(to_posture, n=20)
        print(f"one watch event -> posture updated: median {ms(statistics.median(to_posture))}, p95 {ms(q[-1])}")
    first.stop()
    parent.send(("stop",))
    parent.recv()
    proc.join(timeout=5)


if __name__ == "__main__":
    main()
