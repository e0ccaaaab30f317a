"""Hostile names in output: a file name that is not UTF-8, bidi overrides and zero-width
characters. Every output encodes, and nothing invisible reaches a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ktui.render.safe import clean, markup
from ktui.render.sarif import artifact_uri

LOCKDOWN = b"""apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: lockdown, namespace: shop}
spec: {podSelector: {}, policyTypes: [Egress]}
"""


@pytest.mark.parametrize("raw", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
                                 "\u2069", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\ufeff", "\u2060",
                                 "\u061c", "\u2028", "\U000e0041"])
def test_bidi_and_zero_width_characters_are_shown_escaped(raw: str) -> None:
    shown = clean(f"admin{raw}-api")
    assert raw not in shown and shown.isprintable() and shown.isascii()
    assert shown == f"admin\\u{ord(raw):04x}-api" if ord(raw) <= 0xFFFF else shown == f"admin\\U{ord(raw):08x}-api"
    assert raw not in markup(f"[b]{raw}")


def test_a_right_to_left_override_cannot_pose_as_another_name() -> None:
    assert clean("payments\u202egnp.yaml") != clean("paymentslmay.png")
    assert clean("héllo wörld 日本") == "héllo wörld 日本"  # ordinary non-ASCII text stays as it is


def test_a_non_utf8_file_name_is_shown_as_its_bytes_and_uris_percent_encode_them() -> None:
    name = os.fsdecode(b"bad\xffname.yaml")
    assert clean(name) == "bad\\xffname.yaml"
    assert clean(name).encode("utf-8")
    assert artifact_uri(name, "/nowhere") == "bad%FFname.yaml"
    assert artifact_uri("/tmp/" + name, "/nowhere") == "file:///tmp/bad%FFname.yaml"


@pytest.mark.parametrize("output", ["sarif", "json", "table"])
def test_check_on_a_non_utf8_file_name_never_crashes(tmp_path: Path, output: str) -> None:
    (tmp_path / os.fsdecode(b"bad\xffname.yaml")).write_bytes(LOCKDOWN)  # egress without DNS: one finding
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-m", "ktui", "check", "-f", ".", "-o", output], cwd=tmp_path,
                          capture_output=True, env=env, timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in proc.stderr and b"internal error" not in proc.stderr
    text = proc.stdout.decode("utf-8")  # valid UTF-8 whatever the file name
    if output == "sarif":
        log = json.loads(text)
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
        assert uris == {"bad%FFname.yaml"}
    elif output == "json":
        assert json.loads(text)["findings"][0]["object"]["file"].endswith("bad\udcffname.yaml")
    else:
        assert "bad\\xffname.yaml" in text or "FAIL" in text
