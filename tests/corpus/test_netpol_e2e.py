"""Every matrix of the Kubernetes e2e NetworkPolicy corpus, through ktui's public API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ktui.analysis.core.subjects import pod_subject
from ktui.analysis.policy.engine import NetpolEngine
from tests.conftest import CORPUS, state_from

E2E = CORPUS / "netpol-e2e"


def _model() -> dict[str, Any]:
    return yaml.safe_load((E2E / "model.yaml").read_text())


def _steps(case: dict[str, Any]) -> list[dict[str, Any]]:
    if "steps" in case:
        return list(case["steps"])
    return [{"step": 1, "policies": case["policies"], "checks": case["checks"]}]


def _documents(model: dict[str, Any], step: dict[str, Any]) -> list[dict[str, Any]]:
    ns_labels = {n["name"]: dict(n["labels"]) for n in model["namespaces"]}
    pod_labels = {p["id"]: dict(p["labels"]) for p in model["pods"]}
    for change in step.get("model_changes") or []:
        if change["op"] == "add_namespace_labels":
            ns_labels[change["namespace"]].update(change["labels"])
        elif change["op"] == "add_pod_labels":
            pod_labels[change["pod"]].update(change["labels"])
        else:
            raise AssertionError(f"unknown model change {change['op']}")
    docs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n, "labels": labels}}
        for n, labels in ns_labels.items()
    ]
    for p in model["pods"]:
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": p["name"], "namespace": p["namespace"], "labels": pod_labels[p["id"]]},
                "spec": {"containers": p["containers"]},
                "status": {"phase": "Running", "podIP": p["ip"], "podIPs": [{"ip": p["ip"]}]},
            }
        )
    docs.extend(step["policies"] or [])
    return docs


CASES = sorted((E2E / "cases").glob("*.yaml"))


def _matrices() -> list[tuple[str, int, int]]:
    out = []
    for path in CASES:
        case = yaml.safe_load(path.read_text())
        for step in _steps(case):
            for i, _ in enumerate(step["checks"]):
                out.append((path.name, step["step"], i))
    return out


MATRICES = _matrices()


def test_corpus_has_all_matrices() -> None:
    assert len(CASES) == 48
    assert len(MATRICES) == 65


@pytest.mark.parametrize(("file", "step_no", "check_no"), MATRICES)
def test_matrix(file: str, step_no: int, check_no: int) -> None:
    model = _model()
    case = yaml.safe_load((E2E / "cases" / file).read_text())
    step = next(s for s in _steps(case) if s["step"] == step_no)
    check = step["checks"][check_no]
    state = state_from(_documents(model, step))
    engine = NetpolEngine(state)
    subjects = {f"{p.metadata.namespace}/{p.metadata.name}": pod_subject(p) for p in state.pods()}
    wrong = []
    for src_id, src in subjects.items():
        expected = set(check["matrix"][src_id])
        for dst_id, dst in subjects.items():
            if src_id == dst_id:
                continue
            verdict = engine.can_reach(src, dst, check["port"], check["protocol"])
            if verdict.allowed != (dst_id in expected):
                wrong.append(f"{src_id} -> {dst_id}: ktui says {verdict.allowed}")
            # the port-set view must agree with the single-port verdict
            conns = engine.connection(src, dst)
            if conns.contains(check["port"], check["protocol"]) != verdict.allowed:
                wrong.append(f"{src_id} -> {dst_id}: connection() disagrees with can_reach()")
    assert not wrong, "\n".join(wrong)


def test_corpus_paths_exist() -> None:
    assert isinstance(E2E, Path) and (E2E / "model.yaml").is_file()
