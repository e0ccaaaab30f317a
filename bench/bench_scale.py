"""ktui at 100,000 pods: every figure as a ratio to the floor measured in the same run.

    nice .venv/bin/python bench/bench_scale.py --pods 10000      # 10,000 pods (and 1/10 of the rest)
    nice .venv/bin/python bench/bench_scale.py                    # 100,000 pods, 10,000 policies,
                                                                  # 20,000 Services, 3,000 Ingresses,
                                                                  # 3,000 HTTPRoutes

The embedded API server runs in its own process (as a real apiserver would), loaded with
bench/gen_cluster.py's objects; every other size scales with --pods. The floor is a whole
process that lists every kind ktui lists (paginated, 500 per page) and decodes it with msgspec,
keeping every decoded object: what any client must at least do. Paired with it, whole
processes of `ktui hosts -o json` and `ktui check -o json`, a headless first complete overview
(the TUI's Bridge polled until its first list ends and its posture is built), resident
memory per pod above the empty process, one event -> posture updated, and `ktui connectivity` /
`ktui explain` live (the cluster has pods/5 workloads: 2,000 at 10,000 pods, the issue's
setting) and from manifests (YAML and JSON) at 2,000 and 10,000 workloads.

Targets (issue 13): overview and hosts <= 1.3x the floor, check <= 2x, memory per pod <= the
floor's, event -> posture <= 20 ms p99, connectivity of 2,000 workloads x 1,000 policies <= 5 s.
Keystroke -> frame under 500 events/s is bench/bench_tui.py's (`--rate 500`).
A benchmark, not a test: it prints figures and asserts nothing. Run it once, niced.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable


def sizes_for(pods: int) -> dict[str, int]:
    """The issue's cluster scaled: 100,000 pods, 10,000 policies, 20,000 Services, 3,000 each."""
    return {"pods": pods, "policies": pods // 10, "services": pods // 5, "ingresses": pods * 3 // 100,
            "routes": pods * 3 // 100}


# ---------------------------------------------------------------- child processes

SPAWNED = "KTUI_BENCH_SPAWNED"


def process_started() -> float:
    """When the parent launched this process (its clock read just before the exec). Not psutil's
    create_time: that is derived from the boot time, which /proc/stat rounds to the second and
    which drifts from the wall clock (seen here: 0.95 s off, on every process alike)."""
    return float(os.environ[SPAWNED])


def floor_main(kubeconfig: str) -> None:
    """The floor, as a whole process: paginated list + msgspec decode of every kind, kept."""
    import psutil

    from ktui.model.decode import decode_list
    from ktui.model.kinds import KINDS
    from ktui.sources.discovery import discover
    from ktui.sources.kubeclient import KubeClient, connect
    from ktui.sources.wire import list_accept, resource_path

    rss0 = psutil.Process().memory_info().rss
    t0 = time.perf_counter()
    client = KubeClient(connect(kubeconfig))
    served = discover(client, KINDS)
    kept: list[Any] = []
    pods = 0
    for info in KINDS:
        version = served.versions.get(info.kind)
        if not version:
            continue
        token = ""
        while True:
            data = client.get_bytes(resource_path(info, version, None), {"limit": 500, "continue": token},
                                    accept=list_accept(info))
            objs, meta, _ = decode_list(info, data)
            kept.extend(objs)
            pods += len(objs) if info.kind == "Pod" else 0
            token = meta.continue_
            if not token:
                break
    elapsed = time.perf_counter() - t0
    ready = time.time() - process_started()  # from the process's start, as the overview
    gc.collect()
    print(json.dumps({"seconds": elapsed, "ready": ready, "rss": psutil.Process().memory_info().rss - rss0,
                      "pods": pods, "objects": len(kept)}))


def ktui_memory_main(kubeconfig: str) -> None:
    """`ktui`'s one-shot load (what hosts/check analyse), as a whole process: RSS above empty."""
    import psutil

    from ktui.sources.cluster import snapshot

    rss0 = psutil.Process().memory_info().rss
    t0 = time.perf_counter()
    loaded = snapshot(kubeconfig)
    elapsed = time.perf_counter() - t0
    gc.collect()
    print(json.dumps({"seconds": elapsed, "rss": psutil.Process().memory_info().rss - rss0,
                      "pods": loaded.state.count("Pod")}))


def overview_main(kubeconfig: str) -> None:
    """Headless first complete overview, the TUI's own path: the Bridge polled (as the app's timer
    does, without its 100 ms pause) with the app's overlay attached (exposure and findings in a
    child process). Two moments, each from the start of the process (the interpreter's own start
    and imports included; the exit, which a running TUI never reaches, not): the posture columns
    final (first list ended, posture built), and every column final (the overlay's first result
    after the first list, applied)."""
    import threading

    from ktui.sources.cluster import ClusterSource
    from ktui.tui.bridge import Bridge
    from ktui.tui.overlay import Overlay, OverlayResult

    started = process_started()
    results: list[OverlayResult] = []
    arrived = threading.Event()

    def on_result(result: OverlayResult) -> None:
        results.append(result)
        arrived.set()

    bridge = Bridge(ClusterSource(kubeconfig), live=True, background=True)  # as the app makes it
    bridge.start()
    bridge.attach_overlay(Overlay(on_result, live=True, process=True))
    busy = 0.0
    while not bridge.synced:
        t = time.perf_counter()
        bridge.poll()
        if bridge.job is not None:  # the app's worker thread, here inline: the same work
            bridge.run_job()
            bridge.finish_job()
        busy += time.perf_counter() - t
        time.sleep(0.002)
    posture = time.time() - started
    while bridge.job is not None:  # the app's next worker: exposure and findings from that posture
        t = time.perf_counter()
        bridge.run_job()
        bridge.finish_job()
        busy += time.perf_counter() - t
    overlay = bridge.overlay
    assert overlay is not None
    wanted = overlay.fed_version()
    while not any(r.version >= wanted or r.error for r in results):  # the first that holds it all
        arrived.wait(0.05)
        arrived.clear()
    for r in results:
        bridge.apply_overlay(r)
    every = time.time() - started
    errors = [r.error for r in results if r.error]
    bridge.stop()
    print(json.dumps({"seconds": posture, "every": every, "polls": busy, "namespaces": len(bridge.namespaces()),
                      "error": errors[0] if errors else ""}))


def app_main(kubeconfig: str) -> None:
    """The whole TUI as `ktui` starts it (Textual and the app imported, the source started, the app
    run), headless
    (Textual's run_test, no terminal): from the process's start until the overview's screen has
    drawn with every column final (posture built, exposure and findings in, no job pending)."""
    import asyncio

    started = process_started()
    from ktui.sources.cluster import ClusterSource
    from ktui.tui.app import KtuiApp  # before the source starts, as tui_cmds does
    from ktui.tui.bridge import Bridge

    source = ClusterSource(kubeconfig)
    source.start()

    app = KtuiApp(Bridge(source, context="bench", live=True), theme=None, start_source=False, watch_themes=False)
    moments: dict[str, float] = {}

    async def run() -> None:
        async with app.run_test(size=(160, 50)) as pilot:
            bridge = app.bridge
            while not (bridge.synced and bridge.job is None and bridge.exposure is not None
                       and bridge.findings is not None):
                await asyncio.sleep(0.005)
                if bridge.synced and "posture" not in moments:
                    await pilot.pause()
                    moments["posture"] = time.time() - started
            await pilot.pause()  # the screen's refresh with them
            moments["every"] = time.time() - started

    try:
        asyncio.run(run())
    finally:
        source.stop()
    print(json.dumps({"seconds": moments["posture"], "every": moments["every"]}))


# ---------------------------------------------------------------- the parent


def whole(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """Wall time of a whole process (interpreter start and imports included) and its stdout."""
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def child(mode: str, kubeconfig: str) -> tuple[float, dict[str, Any]]:
    elapsed, out = whole([PY, os.path.abspath(__file__), f"--{mode}", kubeconfig],
                         {**os.environ, SPAWNED: repr(time.time())})
    return elapsed, json.loads(out.strip().splitlines()[-1])


def empty_process_rss() -> int:
    _, out = whole([PY, "-c", "import psutil, ktui.sources.cluster; print(psutil.Process().memory_info().rss)"])
    return int(out)


def event_to_posture(kubeconfig: str, conn: Any, n: int) -> tuple[list[float], list[float]]:
    """Per event written in the server: seconds until the store has it, and until the posture."""
    from bench_sync import latency, sync

    from ktui.sources.cluster import Settings

    source, state, _, _, index = sync(kubeconfig, Settings())
    gc.freeze()  # as the app's bridge does after its first build (sources/collector.py)
    try:
        return latency(source, state, index, conn, n)
    finally:
        source.stop()


def connectivity(workloads: int, policies: int) -> dict[str, float]:
    """`ktui connectivity` and `ktui explain` from manifests of a cluster with that many workloads,
    written as YAML (what users write) and as JSON Lists (what `kubectl get -o json` dumps): the
    difference is the YAML parse. explain asks for the pod with the most peers (a DNS pod)."""
    import yaml
    from gen_cluster import generate

    docs = generate(pods=workloads, policies=policies, services=workloads, ingresses=0, routes=0)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="ktui-scale-") as tmp:
        for fmt in ("yaml", "json"):
            path = os.path.join(tmp, fmt)
            os.mkdir(path)
            for i in range(0, len(docs), 2000):  # files well under the default size cap
                with open(os.path.join(path, f"part-{i // 2000:03d}.{fmt}"), "w") as f:
                    if fmt == "yaml":
                        yaml.dump_all(docs[i:i + 2000], f, Dumper=dumper)
                    else:
                        json.dump({"apiVersion": "v1", "kind": "List", "items": docs[i:i + 2000]}, f)
            out[f"connectivity-{fmt}"], _ = whole([PY, "-m", "ktui", "connectivity", "-f", path, "-o", "json"])
            out[f"explain-{fmt}"], _ = whole([PY, "-m", "ktui", "explain", EXPLAINED, "-f", path])
        out["startup"], _ = whole([PY, "-m", "ktui", "--help"])
    return out


LIVE_MATRIX_MAX = 2_000  # workloads: the live `ktui connectivity` run (the 2,000 x 1,000)
EXPLAINED = "kube-system/coredns-0"  # reached from every workload: the longest who-can-reach lists


def list_variants(kubeconfig: str, runs: int = 2) -> None:
    """Which way to list: store-filled time of a live sync, and the transient memory of listing
    the pods (tracemalloc peak above what is kept), per page size and for the streaming list."""
    import tracemalloc

    from ktui.model.kinds import lookup
    from ktui.sources.cluster import Settings
    from ktui.sources.kubeclient import KubeClient, connect
    from ktui.sources.lister import list_objects

    variants = {"streaming list": Settings(), "pages of 500": Settings(streaming_list=False),
                "pages of 2000": Settings(streaming_list=False, page_size=2000),
                "pages of 5000": Settings(streaming_list=False, page_size=5000)}
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, settings in variants.items():
            gc.collect()
            source, _, filled, _, _ = _sync_only(kubeconfig, settings)
            source.stop()
            times[name].append(filled)
    pod = lookup("v1", "Pod")
    assert pod is not None
    for name, settings in variants.items():
        client = KubeClient(connect(kubeconfig))
        gc.collect()
        tracemalloc.start()
        objs, _, _ = list_objects(client, pod, "v1", None, settings)
        kept, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        client.close()
        del objs
        runs_text = ", ".join(f"{t:.2f}" for t in times[name])
        print(f"  {name:<16} store filled {min(times[name]):5.2f} s (runs {runs_text});"
              f" listing the pods: peak {(peak - kept) / 2**20:6.1f} MiB above the {kept / 2**20:.1f} MiB kept")


def _sync_only(kubeconfig: str, settings: Any) -> tuple[Any, Any, float, float, Any]:
    """A live sync until every kind is live (no posture): the source, state and seconds."""
    from ktui.model.kinds import KINDS
    from ktui.sources.base import SyncState, drain
    from ktui.sources.cluster import ClusterSource
    from ktui.store import ClusterState

    source = ClusterSource(kubeconfig, settings=settings)
    state, status = ClusterState(), {}
    t0 = time.perf_counter()
    source.start()
    while len(status) < len(KINDS) or any(s.state is SyncState.SYNCING for s in status.values()):
        drain(source.queue, state, status)
        time.sleep(0.001)
    return source, state, time.perf_counter() - t0, 0.0, None


def cached_bytecode() -> None:
    """Every child reads compiled bytecode, as an installed package does: with
    PYTHONDONTWRITEBYTECODE (this machine's default) each process would compile its modules
    afresh (~0.4 s of a 2 s `ktui hosts`, less for the floor). The cache goes to a directory of
    its own (PYTHONPYCACHEPREFIX), never into the tree, and is warmed before the first run."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.setdefault("PYTHONPYCACHEPREFIX", os.path.join(tempfile.gettempdir(), "ktui-bench-pycache"))
    subprocess.run([PY, "-m", "compileall", "-q", os.path.join(ROOT, "ktui")], cwd=ROOT, check=False,
                   capture_output=True)
    whole([PY, "-c", "import psutil, msgspec, yaml, kubernetes, textual, rich, ktui.cli, ktui.tui.app"])


def ratio(value: float, floor: float) -> str:
    return f"{value:6.2f} s  ({value / floor:.2f}x the floor)"


def main() -> None:
    parser = argparse.ArgumentParser(description="ktui at scale, as ratios to the floor")
    parser.add_argument("--pods", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=2, help="interleaved floor/ktui runs (the best is kept)")
    parser.add_argument("--skip-connectivity", action="store_true")
    parser.add_argument("--skip-variants", action="store_true")
    parser.add_argument("--compile-each-run", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE: every process compiles its modules")
    parser.add_argument("--workloads", type=int, nargs="*", default=[2000, 10_000],
                        help="connectivity from manifests at these workload counts")
    parser.add_argument("--floor", metavar="KUBECONFIG", help=argparse.SUPPRESS)
    parser.add_argument("--ktui-memory", metavar="KUBECONFIG", help=argparse.SUPPRESS)
    parser.add_argument("--overview", metavar="KUBECONFIG", help=argparse.SUPPRESS)
    parser.add_argument("--app", metavar="KUBECONFIG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        return floor_main(args.floor)
    if args.ktui_memory:
        return ktui_memory_main(args.ktui_memory)
    if args.overview:
        return overview_main(args.overview)
    if args.app:
        return app_main(args.app)

    from bench_sync import serve

    if not args.compile_each_run:
        cached_bytecode()
    sizes = sizes_for(args.pods)
    print("command:", " ".join([os.path.relpath(PY), *sys.argv]))
    print(f"cluster: {sizes}, {os.cpu_count()} CPUs (shared), server in a child process, "
          f"bytecode cached in {os.environ.get('PYTHONPYCACHEPREFIX', '(none: compiled each run)')}")
    parent, conn = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=serve, args=(conn, sizes, 100_000), daemon=True)
    proc.start()
    kubeconfig, loaded = parent.recv()
    print(f"server loaded in {loaded:.1f} s")
    env = {**os.environ, "KUBECONFIG": kubeconfig}

    floors, readies, hosts, checks, overviews, everys, syncs, conns, explains = [], [], [], [], [], [], [], [], []
    apps: list[dict[str, float]] = []
    floor_doc: dict[str, Any] = {}
    for _ in range(max(1, args.pairs)):  # interleaved pairs, so machine drift hits all alike; the best of each
        wall, floor_doc = child("floor", kubeconfig)
        floors.append(wall)
        readies.append(floor_doc["ready"])
        hosts.append(whole([PY, "-m", "ktui", "hosts", "-o", "json"], env)[0])
        checks.append(whole([PY, "-m", "ktui", "check", "-o", "json"], env)[0])
        _, doc = child("overview", kubeconfig)
        if doc["error"]:
            raise SystemExit(f"the overview's overlay failed: {doc['error']}")
        overviews.append(doc["seconds"])
        everys.append(doc["every"])
        syncs.append(doc["polls"])
        apps.append(child("app", kubeconfig)[1])
        if sizes["services"] <= LIVE_MATRIX_MAX:  # the whole matrix of a bigger cluster: see --workloads
            conns.append(whole([PY, "-m", "ktui", "connectivity", "-o", "json"], env)[0])
        explains.append(whole([PY, "-m", "ktui", "explain", EXPLAINED], env)[0])
    _, mem = child("ktui-memory", kubeconfig)
    floor = min(floors)
    pods = max(1, floor_doc["pods"])
    print(f"objects: {floor_doc['objects']} ({pods} pods)")
    print(f"floor: whole process, paginated list + msgspec decode, all kinds   {floor:6.2f} s  "
          f"(runs {', '.join(f'{f:.2f}' for f in floors)})")
    ready = min(readies)
    print(f"floor, from the process's start to the last object decoded (no exit)  {ready:6.2f} s")
    print(f"TUI overview, posture columns final (headless Bridge, from start)  {ratio(min(overviews), ready)}"
          f"   (of which {min(syncs):.2f} s in Bridge.poll)")
    print(f"TUI first complete overview: every column (overlay's exposure and findings too)"
          f"  {ratio(min(everys), ready)}   target <= 1.3x")
    drawn, every_drawn = min(a["seconds"] for a in apps), min(a["every"] for a in apps)
    print(f"the whole TUI (Textual, headless), overview drawn: posture columns  {ratio(drawn, ready)}, "
          f"every column {ratio(every_drawn, ready)}")
    print(f"ktui hosts -o json                                                  {ratio(min(hosts), floor)}"
          f"   target <= 1.3x")
    print(f"ktui check -o json                                                  {ratio(min(checks), floor)}"
          f"   target <= 2x")
    if conns:
        print(f"ktui connectivity -o json ({sizes['services']} workloads x {sizes['policies']} policies)   "
              f"{ratio(min(conns), floor)}   target <= 5 s at 2,000 x 1,000")
    else:
        print(f"ktui connectivity -o json live: not run ({sizes['services']} workloads: the whole matrix;"
              f" connectivity at 2,000 and 10,000 workloads is measured from manifests below)")
    print(f"ktui explain {EXPLAINED}                                     {ratio(min(explains), floor)}")
    print(f"resident memory per pod above the empty process: ktui {mem['rss'] / pods / 1024:.2f} KB, "
          f"floor {floor_doc['rss'] / pods / 1024:.2f} KB   target: ktui <= floor")
    to_store, to_posture = event_to_posture(kubeconfig, parent, args.events)
    if to_posture:
        q, qs = statistics.quantiles(to_posture, n=100), statistics.quantiles(to_store, n=100)
        print(f"one event -> posture updated ({len(to_posture)} events): p50 {statistics.median(to_posture) * 1000:.1f}"
              f" ms, p99 {q[98] * 1000:.1f} ms   target p99 <= 20 ms  (-> store: p50 "
              f"{statistics.median(to_store) * 1000:.1f} ms, p99 {qs[98] * 1000:.1f} ms)")
    print("event -> screen and keystroke -> frame under load: bench/bench_tui.py --rate 500 (not run here)")
    if not args.skip_variants:
        print("how to list (live sync until every kind is live, in-process):")
        list_variants(kubeconfig)
    parent.send(("stop",))
    parent.recv()
    proc.join(5)
    if not args.skip_connectivity:
        for workloads in args.workloads:
            c = connectivity(workloads, 1000)
            print(f"from manifests, {workloads} workloads x 1000 policies (startup {c['startup']:.2f} s): "
                  f"connectivity {c['connectivity-yaml']:.2f} s from YAML, {c['connectivity-json']:.2f} s from JSON;"
                  f" explain {EXPLAINED} {c['explain-yaml']:.2f} s from YAML, {c['explain-json']:.2f} s from JSON")

if __name__ == "__main__":
    main()
