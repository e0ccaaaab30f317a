"""Hostile file systems: FIFOs, devices, huge files, symlink loops, unreadable paths, missing
paths. Nothing blocks, nothing is silently skipped, and the CLI exits 2 rather than answer
without a path it was given."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from ktui.cli import main
from ktui.sources.manifests import load_paths
from ktui.sources.manifests_files import parse_size

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: shop}\n"
DENY = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: deny-all, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n")


def run_bounded(fn, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    """Run fn in a thread; fail (instead of hanging the suite) if it blocks."""
    out: dict[str, object] = {}
    t = threading.Thread(target=lambda: out.setdefault("r", fn()), daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "blocked (a FIFO opened for reading?)"
    return out["r"]


def test_a_fifo_named_yaml_is_skipped_with_a_warning_never_blocks(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(POD % "web")
    os.mkfifo(tmp_path / "trap.yaml")
    state, report = run_bounded(lambda: load_paths([str(tmp_path)]))
    assert state.get("Pod", "shop", "web") is not None
    assert any("trap.yaml" in p.where and "FIFO" in p.message for p in report.problems)
    assert not report.fatal


def test_a_fifo_given_on_the_command_line_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(tmp_path / "trap.yaml")
    assert run_bounded(lambda: main(["hosts", "-f", str(tmp_path / "trap.yaml")])) == 2
    assert "FIFO" in capsys.readouterr().err


def test_a_symlink_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(POD % "web")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    state, report = run_bounded(lambda: load_paths([str(tmp_path)]))
    assert state.get("Pod", "shop", "web") is not None
    assert any("zero.yaml" in p.where and "character device" in p.message for p in report.problems)


def test_file_size_is_capped_and_the_flag_raises_the_cap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(POD % "web" + "#" * 3000 + "\n")
    _, report = load_paths([str(big)], max_size=1000)
    assert any("more than the limit of 1000" in p.message for p in report.fatal)
    assert main(["hosts", "-f", str(big), "--max-file-size", "1000"]) == 2
    assert "--max-file-size" in capsys.readouterr().err
    assert main(["hosts", "-f", str(big), "--max-file-size", "1Mi"]) == 0
    assert parse_size("64Mi") == 64 * 1024 * 1024 and parse_size("2k") == 2000


def test_symlinked_directories_are_followed_once_with_loop_protection(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere"
    real.mkdir()
    (real / "deny.yaml").write_text(DENY)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "pod.yaml").write_text(POD % "web")
    (tree / "policies").symlink_to(real, target_is_directory=True)
    (real / "back").symlink_to(tree, target_is_directory=True)  # a loop through both
    (tree / "self").symlink_to(tree, target_is_directory=True)
    state, report = run_bounded(lambda: load_paths([str(tree)]))
    assert [p.metadata.name for p in state.policies("shop")] == ["deny-all"]
    assert not [p for p in report.problems if "also defined" in p.message]  # nothing read twice
    assert any("symlink loop" in p.message for p in report.problems)


def _deny(monkeypatch: pytest.MonkeyPatch, name: str, target: Path) -> None:
    """EACCES for one path, as a chmod 000 gives (the tests may run as root, which ignores modes)."""
    real = getattr(os, name)

    def denied(path: object, *args: object, **kwargs: object) -> object:
        if os.fspath(path) == str(target):  # type: ignore[arg-type]
            raise PermissionError(errno.EACCES, "Permission denied", str(target))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, name, denied)


def test_an_unreadable_directory_fails_check_instead_of_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pod.yaml").write_text(POD % "web")
    locked = tmp_path / "policies"
    locked.mkdir()
    (locked / "deny.yaml").write_text(DENY)
    _deny(monkeypatch, "scandir", locked)
    code = main(["check", "-f", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2 and "PASS" not in captured.out
    assert "policies: cannot read directory: Permission denied" in captured.err


def test_an_unreadable_file_is_fatal_a_broken_symlink_a_warning(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pod.yaml").write_text(POD % "web")
    bad = tmp_path / "deny.yaml"
    bad.write_text(DENY)
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    _deny(monkeypatch, "open", bad)
    state, report = load_paths([str(tmp_path)])
    assert state.get("Pod", "shop", "web") is not None
    assert any("dangling.yaml" in p.where and "broken symlink" in p.message for p in report.problems)
    assert [p.where for p in report.fatal] == [str(bad)]
    assert "Permission denied" in report.fatal[0].message


def test_a_missing_path_is_an_error_whatever_else_is_given(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(POD % "web")
    assert main(["routes", "-f", str(good), "-f", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml: no such file or directory" in capsys.readouterr().err
    assert main(["routes", "-f", str(good)]) == 0


def test_a_directory_without_manifests_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("nothing here")
    assert main(["hosts", "-f", str(empty)]) == 2
    assert "no manifests" in capsys.readouterr().err
    only_binary = tmp_path / "binary"
    only_binary.mkdir()
    (only_binary / "x.yaml").write_bytes(b"\xff\xfe\x00")
    assert main(["hosts", "-f", str(only_binary)]) == 2
    assert "nothing readable" in capsys.readouterr().err
