"""`ktui diff`: each side from --old-manifests / --new-manifests (repeatable) or positionally
(paths or contexts, as before); a missing path is exit 2; -n shows one namespace's changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.check.kit import ingress, netpol
from tests.cli_entry.world import run, world, write


@pytest.fixture
def sides(tmp_path: Path) -> tuple[str, str, str]:
    """OLD; NEW's extra objects (a second file): a new Ingress in shop, other's egress opened."""
    old = write(tmp_path, world(), "old.yaml")
    docs = [d for d in world() if d["kind"] != "NetworkPolicy"]
    base = write(tmp_path, docs, "base.yaml")
    extra = write(tmp_path, [ingress("more", "shop", host="more.example.com"),
                             netpol("some-egress", "other", types=["Egress"], egress=[{}])], "extra.yaml")
    return old, base, extra


def test_manifests_for_each_side(sides, capsys) -> None:
    old, base, extra = sides
    code, out, _ = run(capsys, "diff", "--old-manifests", old, "--new-manifests", base,
                       "--new-manifests", extra, "-o", "json", "--fail-on-widening")
    assert code == 1  # a new host and other's egress opened
    data = json.loads(out)
    assert (data["old"], data["new"]) == (old, f"{base},{extra}")
    assert [h["host"] for h in data["hosts"]["added"]] == ["more.example.com"]
    assert any(e["workload"].startswith("other/") and e["widened"] for e in data["egress"])


def test_positional_and_flags_mix_and_give_the_same_answer(sides, capsys) -> None:
    old, base, extra = sides
    _, by_flags, _ = run(capsys, "diff", "--old-manifests", old, "--new-manifests", base, "--new-manifests", extra,
                         "-o", "json")
    _, positional, _ = run(capsys, "diff", old, f"{base},{extra}", "-o", "json")
    _, mixed, _ = run(capsys, "diff", "--old-manifests", old, f"{base},{extra}", "-o", "json")
    strip = [{k: v for k, v in json.loads(x).items() if k not in ("old", "new")} for x in (by_flags, positional, mixed)]
    assert strip[0] == strip[1] == strip[2] and strip[0]["hosts"]["added"]


def test_missing_paths_are_errors(sides, tmp_path: Path, capsys) -> None:
    old, base, _ = sides
    missing = str(tmp_path / "gone.yaml")
    for argv in (["--old-manifests", old, "--new-manifests", missing],
                 ["--old-manifests", missing, base],
                 ["--old-manifests", old, "--new-manifests", base, "--new-manifests", missing],
                 [old, missing]):
        code, out, err = run(capsys, "diff", *argv)
        assert code == 2, argv
        assert "gone.yaml" in err and "Traceback" not in err and out == ""


def test_sides_must_be_named_once(sides, capsys) -> None:
    old, base, _ = sides
    code, _, err = run(capsys, "diff", "--old-manifests", old)
    assert code == 2 and "no NEW side" in err
    code, _, err = run(capsys, "diff", "--old-manifests", old, "--new-manifests", base, base)
    assert code == 2 and "unexpected argument" in err
    code, _, err = run(capsys, "diff", "--old-manifests", old, "--old-context", "prod", base)
    assert code == 2 and "give one" in err


def test_namespace_shows_that_namespace_changes(sides, capsys) -> None:
    old, base, extra = sides
    argv = ["diff", "--old-manifests", old, "--new-manifests", base, "--new-manifests", extra, "-o", "json"]
    _, out, _ = run(capsys, *argv, "-n", "shop")
    shop = json.loads(out)
    assert [h["host"] for h in shop["hosts"]["added"]] == ["more.example.com"]
    assert shop["egress"] == []  # other's egress change is not shop's
    assert all("shop/" in c["src"] or "shop/" in c["dst"] for c in shop["connections"]["added"])
    _, out, _ = run(capsys, *argv, "-n", "other")
    other = json.loads(out)
    assert other["hosts"]["added"] == [] and other["egress"]
    assert all(e["workload"].startswith("other/") for e in other["egress"])


def test_table_and_wide(sides, capsys) -> None:
    old, base, extra = sides
    code, table, _ = run(capsys, "diff", "--old-manifests", old, "--new-manifests", base, "--new-manifests", extra)
    assert code == 0 and table.startswith(f"OLD: {old}\nNEW: {base},{extra}\n")
    assert "Verdict: NEW is more open than OLD (widening)" in table
    _, wide, _ = run(capsys, "diff", "--old-manifests", old, "--new-manifests", base, "--new-manifests", extra,
                     "-o", "wide")
    assert len(wide) >= len(table)
