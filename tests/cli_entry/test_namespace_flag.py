"""-n on every command filters what is shown (kubectl get), while the analysis still sees every
namespace: the egress default-deny in `other` still removes other/client's connections when
`-n shop` is asked, and a route in shop still exposes payments' Service under `-n payments`."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from tests.cli_entry.world import manifests, run

__all__ = ["manifests"]


def ends(line: str) -> tuple[str, str]:
    src, rest = line.split(" => ")
    return src, rest.split(" : ")[0]


def test_connectivity_shows_the_pairs_with_an_end_in_the_namespace(manifests, capsys) -> None:
    code, everything, _ = run(capsys, "connectivity", *manifests)
    assert code == 0
    code, shop, _ = run(capsys, "connectivity", *manifests, "-n", "shop")
    assert code == 0
    shown = shop.splitlines()
    assert shown and all("shop/" in a or "shop/" in b for a, b in map(ends, shown))
    # exactly the pairs of the whole answer that touch shop: nothing recomputed, nothing lost
    assert shown == [ln for ln in everything.splitlines() if any(e.startswith("shop/") for e in ends(ln))]
    # other's default-deny egress (a policy outside -n shop) still counts
    assert not any(a.startswith("other/") for a, _ in map(ends, shown))
    assert any(b.startswith("other/") for _, b in map(ends, shown))  # shop -> other stays open


def test_connectivity_json_is_filtered_alike(manifests, capsys) -> None:
    code, out, _ = run(capsys, "connectivity", *manifests, "-n", "payments", "-o", "json")
    assert code == 0
    conns = json.loads(out)["connections"]
    assert conns and all("payments/" in c["src"] or "payments/" in c["dst"] for c in conns)


def test_hosts_shows_what_is_exposed_through_another_namespace(manifests, capsys) -> None:
    code, out, _ = run(capsys, "hosts", *manifests, "-n", "payments", "-o", "json")
    assert code == 0
    hosts = [(e["namespace"], e["host"]) for e in json.loads(out)["entries"]]
    assert hosts == [("shop", "pay.example.com")]  # HTTPRoute shop/pay -> Service payments/api
    code, out, _ = run(capsys, "hosts", *manifests, "-n", "other")
    assert (code, out.strip()) == (0, "nothing exposed")


def test_routes(manifests, capsys) -> None:
    code, out, _ = run(capsys, "routes", *manifests, "-n", "shop", "-o", "json")
    assert code == 0
    assert sorted(r["name"] for r in json.loads(out)["routes"]) == ["lost", "pay"]
    code, out, _ = run(capsys, "routes", *manifests, "-n", "payments", "-o", "json")
    assert json.loads(out) == {"routes": []}


def test_triage(manifests, capsys) -> None:
    code, out, _ = run(capsys, "triage", "shop.example.com", *manifests, "-n", "shop")
    assert code in (0, 1) and out.startswith("shop.example.com/: 1 entry answers it")
    code, _, err = run(capsys, "triage", "shop.example.com", *manifests, "-n", "payments")
    assert code == 2 and "no exposed entry serves shop.example.com/" in err


def test_check_keeps_the_namespace_and_the_cluster_scoped_findings(manifests, capsys) -> None:
    code, out, _ = run(capsys, "check", *manifests, "-o", "json")
    everything = json.loads(out)["findings"]
    assert {f["object"]["namespace"] for f in everything} > {"other"}
    code, out, _ = run(capsys, "check", *manifests, "-n", "other", "-o", "json")
    data: dict[str, Any] = json.loads(out)
    assert data["findings"] == [f for f in everything if f["object"]["namespace"] in ("other", "")]
    assert {f["code"] for f in data["findings"]} == {"KTUI-NP003"}
    assert list(data["scores"]) == ["other"]
    assert code == 1  # the exit code follows what is shown: other's DNS is blocked (high)
    assert run(capsys, "check", *manifests, "-n", "payments", "--fail-on", "high")[0] == 0


def test_check_table_and_sarif(manifests, capsys) -> None:
    code, out, _ = run(capsys, "check", *manifests, "-n", "other")
    assert code == 1
    assert "other/client" in out and "shop/" not in out and "payments/" not in out
    code, out, _ = run(capsys, "check", *manifests, "-n", "other", "-o", "sarif")
    assert code == 1
    results = json.loads(out)["runs"][0]["results"]
    assert results and all("other" in json.dumps(r["locations"]) or "other" in r["message"]["text"]
                           for r in results)


def test_posture(manifests, capsys) -> None:
    code, out, _ = run(capsys, "posture", *manifests, "-n", "other", "-o", "yaml")
    assert code == 0
    assert [n["name"] for n in yaml.safe_load(out)["namespaces"]] == ["other"]


def test_explain_and_can_reach_resolve_names_in_the_namespace(manifests, capsys) -> None:
    code, out, _ = run(capsys, "explain", "client-1", *manifests, "-n", "other", "-o", "json")
    assert code == 0 and json.loads(out)["pod"].startswith("other/client-1")
    code, _, err = run(capsys, "explain", "client-1", *manifests, "-n", "shop")
    assert code == 2 and "no pod or workload 'client-1'" in err
    # a bare name is looked up in -n; other/client's egress is denied by its own namespace's policy
    assert run(capsys, "can-reach", "client-1", "shop/web-1", "--port", "8080", *manifests, "-n", "other")[0] == 1
    assert run(capsys, "can-reach", "web-1", "payments/api-1", "--port", "8080", *manifests, "-n", "shop")[0] == 0


def test_all_namespaces_wins_over_namespace(manifests, capsys) -> None:
    _, everything, _ = run(capsys, "connectivity", *manifests)
    code, out, _ = run(capsys, "connectivity", *manifests, "-n", "shop", "-A")
    assert code == 0 and out == everything
    _, out, _ = run(capsys, "hosts", *manifests, "-n", "other", "-A", "-o", "json")
    assert len(json.loads(out)["entries"]) == 2


@pytest.mark.parametrize("command", ["hosts", "routes", "connectivity", "check", "posture", "diff",
                                     "explain", "can-reach", "triage"])
def test_every_command_takes_n_and_A(command, capsys) -> None:
    from ktui.cli import main

    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "-n NS, --namespace NS" in out and "-A, --all-namespaces" in out


def test_namespace_before_the_subcommand_counts_too(manifests, capsys) -> None:
    _, after, _ = run(capsys, "connectivity", *manifests, "-n", "shop")
    code, before, _ = run(capsys, "-n", "shop", "connectivity", *manifests)
    assert code == 0 and before == after
