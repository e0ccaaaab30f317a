"""One-shot commands collect garbage rarely while they run (their objects live until exit), and
leave the collector as they found it; the TUI keeps the defaults."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from ktui.cli import TUI_COMMANDS, check_cmds, main, one_shot_gc

DEMO = Path(__file__).resolve().parents[2] / "ktui" / "sources" / "demo_data"


def test_thresholds_raised_inside_restored_after() -> None:
    before = gc.get_threshold()
    with one_shot_gc():
        assert gc.get_threshold()[0] >= 10 * before[0]
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), one_shot_gc():
        raise RuntimeError("a failing command")
    assert gc.get_threshold() == before


def test_a_command_runs_tuned_and_the_tui_does_not(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[tuple[int, int, int]] = []
    real = check_cmds.cmd_check

    def spy(args: object) -> int:
        seen.append(gc.get_threshold())
        return int(real(args) or 0)  # type: ignore[arg-type]

    monkeypatch.setattr(check_cmds, "cmd_check", spy)
    before = gc.get_threshold()
    assert main(["check", "-f", str(DEMO), "-o", "json"]) in (0, 1)
    assert '"findings"' in capsys.readouterr().out
    assert seen and seen[0][0] > before[0] and gc.get_threshold() == before
    assert None in TUI_COMMANDS and "demo" in TUI_COMMANDS


def test_only_the_process_entry_freezes_what_it_read(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Frozen objects are never collected: only when the process is about to exit (argv None)."""
    gc.unfreeze()
    assert main(["hosts", "-f", str(DEMO), "-o", "json"]) == 0
    assert gc.get_freeze_count() == 0  # called with argv, as tests and embedders do: nothing frozen
    monkeypatch.setattr("sys.argv", ["ktui", "hosts", "-f", str(DEMO), "-o", "json"])
    try:
        assert main() == 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert capsys.readouterr().out.count('"entries"') == 2
