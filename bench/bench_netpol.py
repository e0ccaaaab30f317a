"""NetworkPolicy engine figures: load + index, the connectivity list, one explain.

    .venv/bin/python bench/bench_netpol.py

Targets (issue 2): connectivity for 1,000 workloads x 1,000 policies <= 3 s; explain <= 5 ms.
Issue 10 (one engine over tiers) measured before / after on the same machine: see the closing note.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gen_workloads import generate, timed

from ktui.analysis.core.subjects import cluster_subjects
from ktui.analysis.policy import PolicyEngine, connectivity, egress_posture, explain, resolve_subject
from ktui.sources.manifests import load_paths


def write(docs: list[dict], directory: str) -> str:  # type: ignore[type-arg]
    path = os.path.join(directory, "cluster.yaml")
    with open(path, "w") as fh:
        yaml.dump_all(docs, fh, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
    return path


def main() -> None:
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        docs = generate(workloads=1000, policies=1000, pods_per_workload=10)
        path = write(docs, tmp)
        state, report = timed("load + index: 10,000 pods, 1,000 policies (YAML)",
                              lambda: load_paths([path]))
        print(f"  ({report.objects} objects, {len(report.problems)} problems)")
        subject = resolve_subject(state, "team-007/app-00007-3")
        assert subject is not None
        timed("explain one pod, cold engine (policies and rules)",
              lambda: explain(state, subject, PolicyEngine(state), with_reachability=False), repeat=20)
        json_path = os.path.join(tmp, "cluster.json")
        with open(json_path, "w") as fh:
            json.dump({"apiVersion": "v1", "kind": "List", "items": docs}, fh)
        timed("load + index: the same as one JSON List (kubectl get -o json)",
              lambda: load_paths([json_path]))
        engine = PolicyEngine(state)
        timed("explain one pod with who-can-reach / can-reach lists",
              lambda: explain(state, subject, engine), repeat=3)

        docs = generate(workloads=1000, policies=1000)
        path = write(docs, tmp)
        state, _ = load_paths([path])
        conns = timed("connectivity: 1,000 workloads x 1,000 policies", lambda: connectivity(state))
        print(f"  ({len(conns)} connection lines)")
        engine = PolicyEngine(state)
        subjects = cluster_subjects(state)
        classes = timed("egress class of every workload (1,000), one engine",
                        lambda: [egress_posture(engine, s).cls for s in subjects])
        print(f"  ({len(set(classes))} distinct classes)")


if __name__ == "__main__":
    main()
