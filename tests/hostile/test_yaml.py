"""Hostile YAML: alias bombs, recursive aliases, one broken document among good ones, duplicate
keys. The file is reported with its line; everything else in it loads."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ktui.model.decode import DecodeError, decode_document
from ktui.sources.manifests import load_paths

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: shop}\n"


def bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines)


def test_a_600_byte_alias_bomb_is_refused_and_the_rest_loads(tmp_path: Path) -> None:
    # the bomb sits under a field ktui never reads (an annotation-like extra), in a Pod
    text = (POD % "before" + "---\n" + POD % "bomb" + "spec:\n  x:\n" +
            "\n".join("    " + line for line in bomb().splitlines()) + "\n---\n" + POD % "after")
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    assert len(bomb()) < 700
    result: dict[str, object] = {}
    t = threading.Thread(target=lambda: result.setdefault("r", load_paths([str(path)])), daemon=True)
    t.start()
    t.join(60)
    assert not t.is_alive(), "the alias bomb was expanded"
    state, report = result["r"]  # type: ignore[misc]
    assert state.get("Pod", "shop", "before") is not None and state.get("Pod", "shop", "after") is not None
    assert state.get("Pod", "shop", "bomb") is None
    (problem,) = [p for p in report.problems if "aliases" in p.message]
    assert problem.where == f"{path}:5"  # the document's first line


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(POD % "loop" + "spec: &s\n  containers: [*s]\n---\n" + POD % "fine")
    state, report = load_paths([str(path)])
    assert state.get("Pod", "shop", "fine") is not None
    assert any("recursive" in p.message and p.where.startswith(f"{path}:") for p in report.problems)


def test_decode_does_not_expand_shared_values() -> None:
    inner: list[object] = ["x"] * 9
    for _ in range(9):  # the same list object shared 9 times per level: 9**10 values expanded
        inner = [inner] * 9
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {}}, "spec": {"x": inner}}
    with pytest.raises(DecodeError, match="too large"):
        decode_document(doc)
    loop: dict[str, object] = {}
    loop["self"] = loop
    with pytest.raises(DecodeError, match="refers to itself"):
        decode_document({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": loop})


def test_one_yaml_error_keeps_the_documents_before_and_after(tmp_path: Path) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_text(POD % "one" + "---\n" + "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n"
                    + "---\n" + POD % "three" + "...\n" + POD % "four")
    state, report = load_paths([str(path)])
    assert {p.metadata.name for p in state.objects("Pod")} == {"one", "three", "four"}
    (problem,) = report.problems
    assert problem.where in (f"{path}:8", f"{path}:9") and "invalid YAML" in problem.message


def test_duplicate_keys_are_reported_with_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\n"
                    "spec:\n  type: ClusterIP\n  ports: [{port: 80}]\n  type: LoadBalancer\n")
    state, report = load_paths([str(path)])
    svc = state.get("Service", "shop", "web")
    assert svc is not None and svc.spec.type == "LoadBalancer"  # the last one, as the API would read it
    (problem,) = report.problems
    assert problem.where == f"{path}:9" and "duplicate key 'type'" in problem.message
    assert "line 7" in problem.message


def test_directives_and_comments_before_a_document_stay_with_it(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("# leading comment\n%YAML 1.1\n---\n" + POD % "one" + "# between\n---\n" + POD % "two")
    state, report = load_paths([str(path)])
    assert not report.problems
    assert {p.metadata.name for p in state.objects("Pod")} == {"one", "two"}
    assert state.origins[("Pod", "shop", "two")].line == 9
