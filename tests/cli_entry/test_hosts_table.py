"""`ktui hosts`: a STATUS column (the one host status, analysis/exposure/status.py), a TLS column
(the one TLS verdict, exposure/tls.py), and what it hides by default counted on a last line."""

from __future__ import annotations

import json
from pathlib import Path

from ktui.analysis.analysis import Analysis
from ktui.analysis.exposure.tls import tls_state
from tests.check.kit import secret
from tests.cli_entry.world import manifests, run, world, write
from tests.conftest import state_from

__all__ = ["manifests"]

HIDDEN = "2 entries hidden (refused routes, listeners without routes); use --all to show them"


def rows(out: str) -> dict[str, list[str]]:
    """host -> the row's cells up to STATUS (cells hold no spaces in this world but PATH's type)."""
    lines = [ln for ln in out.splitlines() if ln and not ln.startswith(("NAMESPACE", "2 entries"))]
    return {ln.split()[1]: ln.split() for ln in lines}


def test_status_and_tls_are_the_analysis_answers(manifests, capsys) -> None:
    code, out, _ = run(capsys, "hosts", *manifests, "--all", "-o", "json")
    assert code == 0
    entries = json.loads(out)["entries"]
    analysis = Analysis.of(state_from(world()))
    health = {(h.entry.namespace, h.entry.host, h.entry.port): h for h in analysis.host_health}
    assert len(entries) == len(health) == 4
    for e in entries:
        h = health[(e["namespace"], e["host"], e["port"])]
        assert e["status"] == h.status
        assert e["tlsStatus"] == tls_state(analysis.state, h.entry).status
    by_host = {e["host"]: e for e in entries}
    assert by_host["lost.example.com"]["status"] == "fail"  # refused by its parent
    # the Ingress names a TLS Secret the manifests do not hold: a warning, not a green cell
    assert by_host["shop.example.com"]["tlsStatus"] == "warn"
    assert by_host["pay.example.com"]["tlsStatus"] == "none"


def test_table_has_status_and_tls_columns_and_counts_what_it_hides(manifests, capsys) -> None:
    code, out, _ = run(capsys, "hosts", *manifests)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["NAMESPACE", "HOST", "PORT", "PATH", "PROTOCOL", "TLS", "STATUS", "REASON"]
    assert lines[-1] == HIDDEN
    table = rows(out)
    assert sorted(table) == ["pay.example.com", "shop.example.com"]
    assert table["shop.example.com"][5:8] == ["HTTPS", "warn", "warn"]  # PROTOCOL TLS STATUS
    assert table["pay.example.com"][5:7] == ["HTTP", "-"]


def test_all_shows_the_hidden_entries_and_refused_is_the_same(manifests, capsys) -> None:
    code, out, _ = run(capsys, "hosts", *manifests, "--all")
    assert code == 0 and "hidden" not in out
    table = rows(out)
    assert sorted(table) == ["*.example.com", "lost.example.com", "pay.example.com", "shop.example.com"]
    assert table["lost.example.com"][6] == "fail"
    assert "no listener named nope" in out  # why it is refused
    assert run(capsys, "hosts", *manifests, "--refused")[1] == out


def test_json_says_what_it_hid_on_stderr_only(manifests, capsys) -> None:
    code, out, err = run(capsys, "hosts", *manifests, "-o", "json")
    assert code == 0
    assert [e["host"] for e in json.loads(out)["entries"]] == ["pay.example.com", "shop.example.com"]
    assert err.strip() == f"ktui: {HIDDEN}"


def test_nothing_hidden_no_line(tmp_path: Path, capsys) -> None:
    docs = [d for d in world() if d["kind"] not in ("Gateway", "HTTPRoute")] + [secret("shop-tls", "shop")]
    code, out, err = run(capsys, "hosts", "-f", write(tmp_path, docs))
    assert code == 0 and "hidden" not in out + err
    (row,) = rows(out).values()
    assert row[1] == "shop.example.com" and row[6] == "ok"  # the Secret is there: TLS ok


def test_one_hidden_entry_is_singular(tmp_path: Path, capsys) -> None:
    docs = [d for d in world() if not (d["kind"] == "HTTPRoute" and d["metadata"]["name"] == "lost")]
    _, out, _ = run(capsys, "hosts", "-f", write(tmp_path, docs))
    assert out.splitlines()[-1] == "1 entry hidden (refused routes, listeners without routes); use --all to show them"


def test_hostile_names_stay_inert_in_the_table(tmp_path: Path, capsys) -> None:
    docs = world()
    for d in docs:
        if d["kind"] == "Ingress":
            d["spec"]["rules"][0]["host"] = "evil\x1b[31m.example.com\nFAKE ROW"
    _, out, _ = run(capsys, "hosts", "-f", write(tmp_path, docs))
    assert "evil" in out and "\x1b" not in out and "\nFAKE ROW" not in out
