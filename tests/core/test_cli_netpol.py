"""`ktui explain`, `can-reach` and `connectivity` end to end, in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ktui.cli import main
from tests.conftest import CORPUS

BOUTIQUE = CORPUS / "realistic/online-boutique"
BOTH = ["-f", str(BOUTIQUE / "app.yaml"), "-f", str(BOUTIQUE / "network-policies.yaml")]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_explain_prints_policies_and_rules_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "boutique/cartservice", *BOTH)
    assert code == 0
    assert "Ingress: isolated by 2 policies" in out
    assert "allow from pods app=frontend in namespace boutique or pods app=checkoutservice" in out
    assert "on TCP 7070" in out
    assert "no ingress rules: denies all ingress" in out
    assert "boutique/frontend[Deployment] : TCP 7070" in out


def test_explain_without_policies_says_not_isolated(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "boutique/cartservice", "-f", str(BOUTIQUE / "app.yaml"))
    assert code == 0
    assert "Ingress: not isolated: all traffic allowed" in out
    assert "Egress: not isolated: all traffic allowed" in out


def test_explain_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "boutique/redis-cart", *BOTH, "-o", "json")
    data = json.loads(out)
    assert code == 0 and data["ingress"]["isolated"] is True
    assert {p["policy"] for p in data["ingress"]["policies"]} == {"boutique/deny-all", "boutique/redis-cart"}
    assert [c["src"] for c in data["reachableFrom"]] == ["boutique/cartservice[Deployment]"]


def test_can_reach_yes_and_no_with_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "can-reach", "boutique/frontend", "boutique/cartservice", "--port", "7070", *BOTH)
    assert code == 0 and out.startswith("yes:")
    assert "boutique/cartservice ingress[0] peer[0] port[0]" in out
    code, out, _ = run(capsys, "can-reach", "boutique/adservice", "boutique/cartservice", "--port", "7070/TCP", *BOTH)
    assert code == 1 and out.startswith("no:")
    assert "isolated by boutique/cartservice, boutique/deny-all; no rule allows it" in out


def test_can_reach_from_an_external_address(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "can-reach", "203.0.113.9", "boutique/frontend", "--port", "8080", *BOTH)
    assert code == 0 and "outside the cluster" in out
    code, _, _ = run(capsys, "can-reach", "203.0.113.9", "boutique/redis-cart", "--port", "6379", *BOTH)
    assert code == 1


def test_connectivity_text_and_json_agree(capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = run(capsys, "connectivity", *BOTH)
    assert code == 0
    lines = text.splitlines()
    assert "boutique/cartservice[Deployment] => boutique/redis-cart[Deployment] : TCP 6379" in lines
    assert "0.0.0.0-255.255.255.255[External] => boutique/frontend[Deployment] : All Connections" in lines
    assert not any(line.startswith("boutique/adservice[Deployment] => boutique/cartservice") for line in lines)
    assert lines == sorted(lines, key=lambda ln: tuple(ln.split(" : ")[0].split(" => ")))
    code, out, _ = run(capsys, "connectivity", *BOTH, "-o", "json")
    data = json.loads(out)["connections"]
    assert len(data) == len(lines)
    redis = next(c for c in data if c["dst"] == "boutique/redis-cart[Deployment]")
    assert redis["conns"] == {"TCP": [[6379, 6379]]}
    ext = next(c for c in data if c["src"].endswith("[External]"))
    assert ext["conns"] == {p: [[1, 65535]] for p in ("SCTP", "TCP", "UDP")}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explain", "x/y", "-f", "/nonexistent/path"], "no such file or directory"),
        (["explain", "boutique/nope", "-f", str(BOUTIQUE / "app.yaml")], "no pod or workload"),
        (["can-reach", "a/b", "c/d", "--port", "8x", "-f", str(BOUTIQUE)], "is not a number"),  # http: a port name
        (["can-reach", "a/b", "c/d", "--port", "80/ICMP", "-f", str(BOUTIQUE)], "not TCP, UDP or SCTP"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _out, err = run(capsys, *args)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len([ln for ln in err.splitlines() if ln.startswith("ktui:")]) == 1


def test_invalid_file_is_a_warning_and_the_rest_is_answered(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("kind: [\n")
    code, out, err = run(capsys, "connectivity", "-f", str(tmp_path), *BOTH)
    assert code == 0 and "bad.yaml:" in err and "invalid YAML" in err
    assert "boutique/cartservice[Deployment] => boutique/redis-cart[Deployment] : TCP 6379" in out


def test_hostile_names_are_printed_inert(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "evil.yaml").write_text(
        'apiVersion: v1\nkind: Pod\nmetadata: {name: "evil\\e[31mred\\e]8;;http://x\\a", namespace: ns, '
        'labels: {app: "[bold]x"}}\nspec: {}\n'
    )
    code, out, _ = run(capsys, "connectivity", "-f", str(tmp_path))
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "evil\\x1b" in out
