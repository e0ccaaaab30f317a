"""A manifest file with no kind ktui reads still ends the first load: the bridge syncs, the
overlay answers, and the overview says "no namespaces" instead of "computing" for ever."""

from __future__ import annotations

from pathlib import Path

from ktui.tui.bridge import Bridge
from ktui.tui.overlay import Overlay, OverlayResult

from .conftest import StillSource


def test_a_file_without_a_kind_ktui_reads_finishes_its_first_load(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
    bridge = Bridge(StillSource([str(tmp_path / "other.yaml")]))
    results: list[OverlayResult] = []
    bridge.attach_overlay(Overlay(lambda r: (results.append(r), bridge.apply_overlay(r)), live=False, process=False))
    bridge.start()
    update = bridge.poll()
    assert update is not None and update.first_sync and bridge.synced
    assert results and not results[-1].error
    assert bridge.exposure == {} and bridge.findings is not None  # answered: nothing, not "computing"
    assert bridge.posture_report().namespaces == ()
