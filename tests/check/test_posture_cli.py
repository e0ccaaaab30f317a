"""`ktui posture`: the overview as data, from manifests and from a live cluster (the embedded API
server over loopback), in every output format, with -n, and bad input as one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ktui.cli import main
from tests.check.kit import namespace, pod
from tests.conftest import CORPUS

BOUTIQUE = CORPUS / "realistic" / "online-boutique"


def test_posture_json_of_the_boutique_with_its_policies(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["posture", "-f", str(BOUTIQUE / "app.yaml"), "-f", str(BOUTIQUE / "network-policies.yaml"), "-o", "json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    (ns,) = data["namespaces"]
    assert (ns["name"], ns["pods"], ns["policies"]) == ("boutique", 12, 13)
    assert ns["ingressIsolated"] == ns["egressIsolated"] == 12  # deny-all selects every pod both ways
    assert ns["dns"] == {"ok": 12, "blocked": 0}  # egress is [{}] upstream: wide open
    assert ns["hostCounts"]["entries"] == 1 and ns["hosts"][0]["source"] == "Service boutique/frontend-external"
    assert sum(ns["findings"].values()) == data["summary"]["findings"]["medium"] + data["summary"]["findings"]["low"]
    assert data["summary"]["pods"] == 12 and data["cluster"]["findings"] is not None


def test_posture_table_and_yaml_say_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["posture", "-f", str(BOUTIQUE / "app.yaml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAMESPACE", "PODS", "IN-ISO", "OUT-ISO", "EGRESS", "DNS-BLOCKED", "HOSTS", "FINDINGS"]
    assert lines[1].split()[:5] == ["boutique", "12", "0/12", "0/12", "open:12"]
    assert main(["posture", "-f", str(BOUTIQUE / "app.yaml"), "-o", "yaml"]) == 0
    data = yaml.safe_load(capsys.readouterr().out)
    assert data["namespaces"][0]["egress"]["open"] == 12


def test_posture_namespace_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["posture", "-f", str(BOUTIQUE / "app.yaml"), "-n", "elsewhere", "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["namespaces"] == []


def test_posture_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["posture", "-f", str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ktui: ") and "Traceback" not in err[0]


def test_posture_live_cluster(cluster: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["posture", "--kubeconfig", cluster, "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    shop = next(n for n in data["namespaces"] if n["name"] == "shop")
    assert (shop["pods"], shop["egressIsolated"], shop["egress"]["denied"]) == (1, 1, 1)
    assert shop["dns"] == {"ok": 0, "blocked": 1}
    assert shop["findings"]["high"] >= 1  # KTUI-NP003: egress restricted, DNS blocked
    assert main(["check", "--kubeconfig", cluster, "-o", "json"]) == 1
    check = json.loads(capsys.readouterr().out)
    assert sum(data["summary"]["findings"].values()) == check["summary"]["total"]


def test_a_finished_pod_counts_nowhere_and_its_job_stands_in(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 10: `ktui check` reported KTUI-NP001 for a Succeeded pod the TUI never counted. Now the
    finished pod is no subject anywhere; its Job (the template) stands in, in every view."""
    done = pod("backup-1-x", labels={"app": "backup"}, owner=("Job", "backup-1"))
    done["status"]["phase"] = "Succeeded"
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "backup-1", "namespace": "shop"},
           "spec": {"template": {"metadata": {"labels": {"app": "backup"}}, "spec": {"containers": [{"name": "c"}]}}}}
    lone = pod("done-alone", labels={"app": "done"})
    lone["status"]["phase"] = "Failed"
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump_all([namespace("shop"), done, job, lone]))
    assert main(["posture", "-f", str(path), "-o", "json"]) == 0
    (shop,) = json.loads(capsys.readouterr().out)["namespaces"]
    assert shop["pods"] == 1  # the Job's template; neither finished pod
    main(["check", "-f", str(path), "-o", "json"])
    np001 = [f["object"] for f in json.loads(capsys.readouterr().out)["findings"] if f["code"] == "KTUI-NP001"]
    assert [(o["kind"], o["namespace"], o["name"]) for o in np001] == [("Job", "shop", "backup-1")]
    assert main(["connectivity", "-f", str(path)]) == 0
    assert "done-alone" not in capsys.readouterr().out


def _keys(value: object, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        return {k for key, v in value.items() for k in {prefix + key} | _keys(v, prefix + key + ".")}
    if isinstance(value, list) and value:
        return _keys(value[0], prefix)
    return set()


def test_docs_posture_md_shows_the_json_as_printed(capsys: pytest.CaptureFixture[str]) -> None:
    """The JSON example of docs/posture.md has exactly the keys `ktui posture -o json` prints."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "posture.md").read_text(encoding="utf-8")
    example = json.loads(doc.split("```json", 1)[1].split("```", 1)[0])
    gw = CORPUS / "realistic" / "gateway-api-examples"
    argv = ["posture", "-f", str(BOUTIQUE / "app.yaml"), "-f", str(gw / "standard__basic-http.yaml"), "-o", "json"]
    assert main(argv) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["namespaces"] and any(n["hosts"] for n in printed["namespaces"])
    assert _keys(example) == _keys({**printed, "namespaces": [next(n for n in printed["namespaces"] if n["hosts"])]})
