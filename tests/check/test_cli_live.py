"""`ktui check` and `ktui diff` against a live cluster: the embedded API server over loopback."""

from __future__ import annotations

import json

import yaml

from ktui.cli import main
from tests.check.kit import namespace, pod


def test_check_live_cluster_is_complete(cluster, capsys):
    assert main(["check", "--kubeconfig", cluster, "-o", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    codes = {f["code"] for f in data["findings"]}
    assert {"KTUI-CNI001", "KTUI-NP003"} <= codes
    assert data["cni"]["enforcement"] == "not enforcing"
    web = next(f for f in data["findings"] if f["code"] == "KTUI-NP003")
    assert web["object"] == {"kind": "Pod", "namespace": "shop", "name": "web"}  # no file for live objects


def test_diff_context_against_manifests(cluster, tmp_path, capsys):
    manifests = tmp_path / "release.yaml"
    manifests.write_text(yaml.safe_dump_all([namespace("shop"), pod("web", ip="10.0.0.5")]))
    # the release drops the egress policy: more open than the cluster
    argv = ["diff", "context:test-ctx", str(manifests), "--kubeconfig", cluster, "--fail-on-widening"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "shop/web[Pod]: denied (DNS blocked) -> open" in out
    assert main(["diff", "no-such-context", str(manifests), "--kubeconfig", cluster]) == 2
