"""-o json through msgspec: the same text json.dump(indent=2) wrote, hostile characters escaped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ktui.cli.common import emit


@pytest.mark.parametrize("data", [
    {"a": [], "b": {}, "c": [1, 2.5, None, True], "n": 10**20},
    {"name": "shop\u202eevil", "c1": "x\u0085y", "ctl": "\x1b]52;c;x\x07", "emoji": "\U0001f600", "é": "ü"},
    [{"host": f"h{i}.example.com", "ok": i % 2 == 0} for i in range(50)],
    {"tuple": (1, 2), "nested": {"deep": [{"x": "y"}]}},
])
def test_emit_json_matches_json_dump(data: Any, capsys: pytest.CaptureFixture[str]) -> None:
    emit(data, "json")
    out = capsys.readouterr().out
    assert out == json.dumps(data, indent=2) + "\n"
    assert out.isascii() and "\x1b" not in out
