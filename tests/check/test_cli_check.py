"""`ktui check` in-process: exit codes, --fail-on, --ignore, table/json/sarif (schema-validated)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from ktui.cli import main
from tests.check.kit import deployment, ingress, ingress_class, netpol, service

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def write(tmp_path: Path, docs: list[dict], name: str = "app.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return str(path)


@pytest.fixture
def planted(tmp_path: Path) -> str:
    """A typo'd backend (high), an unisolated workload (medium) and a default-deny without DNS (high)."""
    return write(tmp_path, [
        deployment("web"), service("web"), ingress_class("nginx", default=True), ingress("site", service_name="wbe"),
        deployment("batch", ns="jobs"), netpol("deny-egress", ns="jobs", types=["Egress"]),
    ])


@pytest.fixture
def clean(tmp_path: Path) -> str:
    return write(tmp_path, [
        deployment("web"), service("web"), ingress_class("nginx", default=True), ingress("site"),
        netpol("web", selector={"app": "web"}, ingress=[{"ports": [{"port": 8080}]}], types=["Ingress", "Egress"],
               egress=[{"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]),
    ], "clean.yaml")


def test_exit_1_on_high_findings_and_table_shows_them(planted, capsys):
    assert main(["check", "-f", planted]) == 1
    out = capsys.readouterr().out
    assert "KTUI-EX001" in out and "KTUI-NP003" in out and "app.yaml:" in out
    assert "NAMESPACE" in out and "SCORE" in out
    assert out.rstrip().splitlines()[-1].startswith("FAIL:")


def test_exit_0_when_clean(clean, capsys):
    assert main(["check", "-f", clean]) == 0
    out = capsys.readouterr().out
    assert "No findings." in out and "PASS" in out


def test_fail_on_threshold(planted, capsys):
    assert main(["check", "-f", planted, "--fail-on", "critical"]) == 0
    assert main(["check", "-f", planted, "--fail-on", "MEDIUM"]) == 1
    capsys.readouterr()


def test_ignore_by_code_and_slug(planted, capsys):
    argv = ["check", "-f", planted, "-o", "json", "--ignore", "KTUI-EX001", "--ignore", "dns-blocked"]
    assert main(argv) == 0  # only the medium NP001 remains
    data = json.loads(capsys.readouterr().out)
    assert {f["code"] for f in data["findings"]} == {"KTUI-NP001"}
    assert data["summary"]["failing"] == 0 and data["summary"]["failOn"] == "high"


def test_json_output_shape(planted, capsys):
    assert main(["check", "-f", planted, "-o", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    ex = next(f for f in data["findings"] if f["code"] == "KTUI-EX001")
    assert ex["object"] == {"kind": "Ingress", "namespace": "shop", "name": "site", "file": planted,
                            "line": ex["object"]["line"]}
    assert ex["severity"] == "high" and ex["fix"] and ex["slug"] == "backend-service-missing"
    assert data["scores"]["shop"] < 100 and data["summary"]["bySeverity"]["high"] == 2


def test_sarif_validates_and_carries_file_line_and_levels(planted, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "-f", planted, "-o", "sarif"]) == 1
    log = json.loads(capsys.readouterr().out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert all(r["help"]["text"] for r in rules)
    by_rule = {r["ruleId"]: r for r in run["results"]}
    ex = by_rule["KTUI-EX001"]
    assert ex["level"] == "error" and rules[ex["ruleIndex"]]["id"] == "KTUI-EX001"
    loc = ex["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "app.yaml" and loc["region"]["startLine"] >= 1
    assert by_rule["KTUI-NP001"]["level"] == "warning"


def test_sarif_schema_rejects_a_broken_log():
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "ktui"}},
                                            "results": [{"message": {"text": "x"}, "level": "fatal"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(broken)


def test_bad_input_exits_2(tmp_path, capsys):
    assert main(["check", "-f", str(tmp_path / "missing.yaml")]) == 2
    assert main(["check", "-f", str(tmp_path), "--ignore", "KTUI-XX999"]) == 2
    assert main(["check", "-f", str(tmp_path), "--fail-on", "severe"]) == 2
    err = capsys.readouterr().err
    assert "missing.yaml" in err and "KTUI-XX999" in err and "severe" in err


def test_invalid_object_in_manifests_fails_the_check(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  ports: nope\n")
    assert main(["check", "-f", str(path)]) == 1
    out = capsys.readouterr().out
    assert "KTUI-IN001" in out and "broken.yaml:1" in out
