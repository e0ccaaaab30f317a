"""Event -> posture at scale: one pod or policy event applied to the store, then PostureIndex.update.

    .venv/bin/python bench/bench_posture_events.py [/tmp/big10k]

Loads a manifest directory (default /tmp/big10k, a 10k-pod cluster as one JSON List), builds the
PostureIndex, then applies 200 single-pod events (label change, new pod of an existing workload,
pod deleted), 30 events of the CoreDNS pods (relabelled as bench_scale's events do, rolled: a new
pod then the old one gone, readiness flipped), 20 NetworkPolicy events and 10 Namespace label
events (kube-system among them), timing PostureIndex.update per event. Target (issue 13): p99 <=
20 ms at 10k pods. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import copy
import gc
import json
import os
import random
import statistics
import sys
import time
from typing import Any

from ktui.analysis.posture import PostureIndex
from ktui.model.decode import decode_document
from ktui.store import ClusterState, Event

Doc = dict[str, Any]


def load(path: str) -> tuple[ClusterState, list[Doc]]:
    docs: list[Doc] = []
    for name in sorted(os.listdir(path)):
        if name.endswith(".json"):
            with open(os.path.join(path, name)) as f:
                data = json.load(f)
            docs.extend(data.get("items", [data]) if data.get("kind") == "List" else [data])
    state = ClusterState()
    for doc in docs:
        info, obj = decode_document(doc, "default")
        if info is not None:
            state.apply(Event("ADDED", info.kind, obj))
    return state, docs


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/big10k"
    t0 = time.perf_counter()
    state, docs = load(path)
    print(f"load {path}: {time.perf_counter() - t0:.2f} s, {state.count('Pod')} pods")
    t0 = time.perf_counter()
    index = PostureIndex(state)
    print(f"PostureIndex build: {time.perf_counter() - t0:.2f} s")
    gc.collect()
    gc.freeze()  # as the app does after its first list and build: what was loaded is never scanned again
    rnd = random.Random(7)
    pods = [d for d in docs if d.get("kind") == "Pod"]
    policies = [d for d in docs if d.get("kind") == "NetworkPolicy"]
    times: dict[str, list[float]] = {kind: [] for kind in ("label", "new pod", "deleted", "dns", "policy", "namespace")}
    gc_pauses: list[float] = []
    gc_start = [0.0]

    def gc_watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_start[0] = time.perf_counter()
        elif info.get("generation") == 2:
            gc_pauses.append(time.perf_counter() - gc_start[0])

    gc.callbacks.append(gc_watch)

    def timed(kind: str, verb: str, doc: Doc) -> None:
        info, obj = decode_document(doc, "default")
        assert info is not None
        change = state.apply(Event(verb, info.kind, obj))  # type: ignore[arg-type]
        t = time.perf_counter()
        index.update([change] if change is not None else [])
        times[kind].append(time.perf_counter() - t)

    for i in range(200):
        doc = copy.deepcopy(rnd.choice(pods))
        roll = i % 3
        if roll == 0:
            doc["metadata"].setdefault("labels", {})["bench"] = f"v{i}"
            timed("label", "MODIFIED", doc)
        elif roll == 1:
            doc["metadata"]["name"] = f"{doc['metadata']['name']}-b{i}"
            timed("new pod", "ADDED", doc)
        else:
            pods.remove(next(p for p in pods if p["metadata"]["name"] == doc["metadata"]["name"]
                             and p["metadata"].get("namespace") == doc["metadata"].get("namespace")))
            timed("deleted", "DELETED", doc)
    dns = [d for d in pods if d["metadata"].get("labels", {}).get("k8s-app") == "kube-dns"]
    for i in range(30):  # CoreDNS relabelled, rolled (new pod, old gone), readiness flipped
        doc = copy.deepcopy(dns[i % len(dns)])
        roll = i % 3
        if roll == 0:
            doc["metadata"]["labels"]["bench"] = f"v{i}"
            timed("dns", "MODIFIED", doc)
        elif roll == 1:
            new = copy.deepcopy(doc)
            new["metadata"]["name"] = f"coredns-r{i}"
            new["metadata"]["labels"]["pod-template-hash"] = f"h{i}"
            new["status"]["podIP"] = f"10.64.254.{i}"
            timed("dns", "ADDED", new)
            timed("dns", "DELETED", doc)
            dns[i % len(dns)] = new
        else:
            doc.setdefault("status", {})["conditions"] = [{"type": "Ready", "status": "False"}]
            timed("dns", "MODIFIED", doc)
            dns[i % len(dns)] = doc
    for i in range(20):
        doc = copy.deepcopy(rnd.choice(policies))
        doc["spec"].setdefault("podSelector", {}).setdefault("matchLabels", {})["bench"] = f"p{i}"
        timed("policy", "MODIFIED", doc)
    spaces = sorted({d["metadata"].get("namespace", "default") for d in pods})
    for i in range(10):  # a team label on a namespace, kube-system every other time
        name = "kube-system" if i % 2 else spaces[(i * 7) % len(spaces)]
        timed("namespace", "MODIFIED", {"apiVersion": "v1", "kind": "Namespace",
                                        "metadata": {"name": name, "labels": {"bench": f"n{i}"}}})
    gc.callbacks.remove(gc_watch)
    every = [t for ts in times.values() for t in ts]
    for kind, ts in [*times.items(), ("all", every)]:
        print(f"{kind:<10} n={len(ts):<4} p50 {statistics.median(ts) * 1000:8.2f} ms"
              f"   p99 {pct(ts, 0.99) * 1000:8.2f} ms   max {max(ts) * 1000:8.2f} ms")
    t0 = time.perf_counter()
    fresh = PostureIndex(state).by_namespace
    print(f"fresh PostureIndex: {time.perf_counter() - t0:.2f} s; the updated index equals it: "
          f"{index.by_namespace == fresh}")
    if gc_pauses:  # a full collection over the loaded objects lands inside some event's time
        print(f"gen-2 collections during the events: {len(gc_pauses)}, longest {max(gc_pauses) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
