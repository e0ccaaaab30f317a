"""The same -o values on every command: table (default) | wide | json | yaml, plus sarif for
check and txt for connectivity (its DESIGN.md contract, unchanged; table and wide print the same)."""

from __future__ import annotations

import json

import pytest
import yaml

from ktui.cli import main
from tests.cli_entry.world import manifests, run

__all__ = ["manifests"]

COMMANDS = {
    "hosts": [], "routes": [], "connectivity": [], "check": [], "posture": [],
    "triage": ["shop.example.com"], "explain": ["shop/web-1"],
    "can-reach": ["shop/web-1", "payments/api-1", "--port", "8080"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_json_and_yaml_hold_the_same_data(command, manifests, capsys) -> None:
    argv = [command, *COMMANDS[command], *manifests]
    code_json, out_json, _ = run(capsys, *argv, "-o", "json")
    code_yaml, out_yaml, _ = run(capsys, *argv, "-o", "yaml")
    assert code_json == code_yaml
    assert json.loads(out_json) == yaml.safe_load(out_yaml)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_table_is_the_default_and_wide_holds_at_least_as_much(command, manifests, capsys) -> None:
    argv = [command, *COMMANDS[command], *manifests]
    code, default, _ = run(capsys, *argv)
    code_table, table, _ = run(capsys, *argv, "-o", "table")
    code_wide, wide, _ = run(capsys, *argv, "-o", "wide")
    assert (code, default) == (code_table, table)
    assert code_wide == code and table.strip()
    assert len(wide) >= len(table)


@pytest.mark.parametrize("command", ["hosts", "routes", "connectivity", "check", "posture", "diff",
                                     "triage", "explain", "can-reach"])
def test_every_command_lists_the_same_formats(command, capsys) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "table | wide | json | yaml" in out


def test_connectivity_contract_is_unchanged(manifests, capsys) -> None:
    _, txt, _ = run(capsys, "connectivity", *manifests, "-o", "txt")
    _, default, _ = run(capsys, "connectivity", *manifests)
    _, table, _ = run(capsys, "connectivity", *manifests, "-o", "table")
    _, wide, _ = run(capsys, "connectivity", *manifests, "-o", "wide")
    assert txt == default == table == wide
    assert "shop/web-1[Pod] => payments/api-1[Pod] : All Connections" in txt.splitlines()
    _, out, _ = run(capsys, "connectivity", *manifests, "-o", "json")
    data = json.loads(out)
    assert list(data) == ["connections"] and list(data["connections"][0]) == ["src", "dst", "conns"]


def test_txt_still_works_for_explain_and_can_reach(manifests, capsys) -> None:
    for argv in (["explain", "shop/web-1"], ["can-reach", "shop/web-1", "payments/api-1", "--port", "8080"]):
        code, txt, _ = run(capsys, *argv, *manifests, "-o", "txt")
        code_table, table, _ = run(capsys, *argv, *manifests)
        assert (code, txt) == (code_table, table) and txt.strip()


def test_wide_adds_columns_to_hosts_and_the_fix_reasoning_to_check(manifests, capsys) -> None:
    _, table, _ = run(capsys, "hosts", *manifests)
    _, wide, _ = run(capsys, "hosts", *manifests, "-o", "wide")
    assert table.splitlines()[0].split() == ["NAMESPACE", "HOST", "PORT", "PATH", "PROTOCOL", "TLS", "STATUS",
                                             "REASON"]
    assert wide.splitlines()[0].split() == ["NAMESPACE", "HOST", "PORT", "PATH", "PROTOCOL", "TLS", "STATUS",
                                            "VIA", "BACKENDS", "ENDPOINTS", "ADDRESS", "REASON"]
    assert "Service payments/api:80 -> targetPort 8080" in wide and "HTTPRoute shop/pay" in wide
    assert "HTTPRoute shop/pay" not in table
    _, table, _ = run(capsys, "check", *manifests, "-n", "other")
    _, wide, _ = run(capsys, "check", *manifests, "-n", "other", "-o", "wide")
    assert "fix: " in table and "why: " not in table
    assert "why: " in wide


def test_an_unknown_format_is_refused(manifests, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["hosts", *manifests, "-o", "sarif"])
    assert exc.value.code == 2
    assert "invalid choice: 'sarif'" in capsys.readouterr().err
