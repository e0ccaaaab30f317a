"""The app's collector: survivors of a full pass are frozen (the next pass walks only what came
since), and once `thaw_every` has passed a full pass walks everything again, so a cycle that died
while frozen is freed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from ktui.tui.steady_gc import SteadyCollector


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_the_survivors_of_a_full_pass_are_frozen_and_only_while_started() -> None:
    steady = SteadyCollector(thaw_every=1e9)
    steady.start()
    try:
        kept = Cycle()
        gc.collect()
        assert any(o is kept for o in gc.get_objects()) is False  # out of every generation: frozen
        assert gc.get_freeze_count() > 0
    finally:
        steady.stop()
    gc.unfreeze()
    gc.collect()
    assert gc.get_freeze_count() == 0  # stopped: nothing frozen any more
    assert any(o is kept for o in gc.get_objects())


def test_a_frozen_cycle_that_died_is_freed_once_thawed() -> None:
    now = [0.0]
    steady = SteadyCollector(thaw_every=600.0, clock=lambda: now[0], growth=1.0, slack=0)
    steady.start()
    try:
        gc.collect()
        now[0] = 601.0
        gc.collect()  # the first count: the baseline, nothing walked again
        dead = Cycle()
        gone = weakref.ref(dead)
        grown = [object() for _ in range(100)]
        gc.collect()  # frozen with the survivors: more than the baseline now
        del dead
        gc.collect()
        assert gone() is not None  # frozen: not walked
        now[0] = 1202.0
        gc.collect()  # grown since the baseline: the thawing pass
        assert gone() is None and grown
        assert gc.get_freeze_count() > 0  # and the survivors frozen again
    finally:
        steady.stop()


def test_no_walk_of_everything_while_what_is_frozen_has_not_grown() -> None:
    """At 100,000 pods that walk would stall the UI for seconds: a clock alone does not bring it."""
    now = [0.0]
    steady = SteadyCollector(thaw_every=600.0, clock=lambda: now[0])  # grown by half + 50,000
    steady.start()
    try:
        gc.collect()
        now[0] = 601.0
        gc.collect()  # the baseline
        dead = Cycle()
        gone = weakref.ref(dead)
        gc.collect()
        del dead
        now[0] = 1202.0
        gc.collect()
        assert gone() is not None  # kept frozen: a small leak, not a stall
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
