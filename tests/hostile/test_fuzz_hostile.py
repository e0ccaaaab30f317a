"""Fuzzed hostile input: YAML built from anchors, aliases, markers and odd scalars never crashes
the loader nor runs away; any string shown through safe.clean is inert (printable, no escape,
no bidi or zero-width character, always encodable). Larger budgets under the nightly marker."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktui.render.safe import clean
from ktui.sources.manifests import load_paths
from tests.core.test_fuzz import NIGHTLY

TOKENS = ["&a ", "&b ", "*a", "*b", "[", "]", "{", "}", ", ", ": ", "- ", "\n", "\n  ", "---\n", "...\n",
          "apiVersion: v1", "kind: Pod", "metadata:", "name: x", "spec:", "<<: *a", "? ", "!!str ", "|\n  ",
          "'", '"', "#", "%YAML 1.1\n", "\t", "~", "0x1F", "1e999", "\ufeff", "\u202e"]
yaml_text = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)
FORBIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _loads(tmp_path: Path, text: str) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    _, report = load_paths([str(path)])
    for problem in report.problems:
        assert problem.where.startswith(str(path)) and problem.message


def _inert(value: str) -> None:
    shown = clean(value)
    assert "\x1b" not in shown and "\n" not in shown
    assert not [c for c in shown if unicodedata.category(c) in FORBIDDEN], repr(shown)
    shown.encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(yaml_text)
def test_hostile_yaml_never_crashes(tmp_path: Path, text: str) -> None:
    _loads(tmp_path, text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_makes_any_string_inert(value: str) -> None:
    _inert(value)


@pytest.mark.nightly
@settings(max_examples=150 * NIGHTLY, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(yaml_text)
def test_hostile_yaml_never_crashes_nightly(tmp_path: Path, text: str) -> None:
    _loads(tmp_path, text)


@pytest.mark.nightly
@settings(max_examples=300 * NIGHTLY, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=500))
def test_clean_makes_any_string_inert_nightly(value: str) -> None:
    _inert(value)
