"""The app's collector: survivors of a full pass are frozen (the next pass walks only what came
since); once what is frozen has grown by half, a full pass walks everything again, so a cycle
that died while frozen is freed; the collector's pace comes back on stop."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from ktui.tui import steady_gc
from ktui.tui.steady_gc import SteadyCollector


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_the_survivors_of_a_full_pass_are_frozen_and_only_while_started() -> None:
    steady = SteadyCollector()
    steady.start()
    try:
        kept = Cycle()
        gc.collect()
        assert not any(o is kept for o in gc.get_objects())  # out of every generation: frozen
        assert gc.get_freeze_count() > 0 and steady.baseline is not None
    finally:
        steady.stop()
    gc.unfreeze()
    gc.collect()
    assert gc.get_freeze_count() == 0  # stopped: nothing frozen any more
    assert any(o is kept for o in gc.get_objects())


def test_a_frozen_cycle_that_died_is_freed_once_the_frozen_grew_by_half(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(steady_gc, "SLACK", 0)
    steady = SteadyCollector()
    steady.start()
    try:
        dead = Cycle()
        gone = weakref.ref(dead)
        gc.collect()  # frozen with the survivors: the baseline
        del dead
        gc.collect()
        assert gone() is not None and steady.thawed == 0  # frozen: not walked
        grown = [Cycle() for _ in range(gc.get_freeze_count())]  # the frozen double
        gc.collect()  # frozen with them
        gc.collect()  # grown by half: this pass walks everything
        assert gone() is None and steady.thawed == 1
        assert steady.baseline is not None and steady.baseline > len(grown)  # the survivors frozen again
    finally:
        steady.stop()


def test_full_passes_come_sooner_while_started_and_the_pace_is_restored() -> None:
    before = gc.get_threshold()
    steady = SteadyCollector()
    steady.start()
    try:
        assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] <= 3
    finally:
        steady.stop()
    assert gc.get_threshold() == before
