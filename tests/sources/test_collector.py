"""One pace for the collector while a cluster is read and held (sources/collector.py)."""

from __future__ import annotations

import gc

from ktui.sources.collector import RARELY, Pace


def test_slow_then_settle_restores_the_pace_and_freezes_what_is_held() -> None:
    before = gc.get_threshold()
    gc.unfreeze()
    pace = Pace()
    try:
        pace.slow()
        pace.slow()  # again: still the pace from before, not RARELY, comes back
        assert gc.get_threshold() == RARELY and pace.slowed
        held = [object() for _ in range(10)]
        pace.settle()
        assert gc.get_threshold() == before and not pace.slowed and gc.get_freeze_count() > 0
        pace.settle()  # again: nothing
        assert gc.get_threshold() == before and held
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_settle_without_freezing() -> None:
    before = gc.get_threshold()
    gc.unfreeze()
    pace = Pace()
    pace.slow()
    pace.settle(freeze=False)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
