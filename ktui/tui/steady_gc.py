"""Short full passes of the cyclic collector while the TUI runs.

A full pass (generation 2) walks every object not frozen, holding the GIL: the UI stops for it.
After the first list those are the posture's and the engine's (subjects, pod postures, address
tuples: 300,000 at 10,000 pods), and at 500 events/s a full pass came every few seconds and took
120-600 ms: the worst stall of keys and frames. What survives a full pass is alive, and almost
all of it holds no cycle, so right after each one the survivors are frozen (gc.freeze): the next
pass walks only what came since. Frozen objects are still freed when their count drops; a cycle
among them that dies (a closed screen) would be kept. So every `thaw_every` seconds the frozen
objects are counted (one walk of the frozen list: asking on every pass took the median pass from
20 to 130 ms); the first count is the baseline, and once they have grown by half (`growth`, plus
`slack`) since it or since the last pass that walked everything, that pass walks everything
again (gc.unfreeze before it) and frees those. That pass stalls the UI (~1.7 s at 10,000 pods,
more with more pods), so it comes only when what is frozen has grown, not on a clock
alone: a steady app replaces what it froze.
A full pass comes after `FULL_AFTER` passes of generation 1 (CPython's default: 10), so each
walks less.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

FULL_AFTER = 3


class SteadyCollector:
    def __init__(self, thaw_every: float = 1800.0, clock: Callable[[], float] = time.monotonic,
                 growth: float = 1.5, slack: int = 50_000) -> None:
        self.thaw_every = thaw_every
        self.clock = clock
        self.growth, self.slack = growth, slack
        self.baseline: int | None = None  # frozen at the first count, or after the last full walk
        self._walking = False
        self._thawed_at = clock()
        self._saved = gc.get_threshold()
        self.on = False

    def start(self) -> None:
        if not self.on:
            self.on = True
            gc.callbacks.append(self._pass)
            self._saved = gc.get_threshold()
            gc.set_threshold(self._saved[0], self._saved[1], min(self._saved[2], FULL_AFTER))

    def stop(self) -> None:
        if self.on:
            self.on = False
            gc.callbacks.remove(self._pass)
            if gc.get_threshold()[2] == min(self._saved[2], FULL_AFTER):  # (unless changed since)
                gc.set_threshold(*self._saved)

    def _pass(self, phase: str, info: dict[str, int]) -> None:
        """A collector callback: runs on whichever thread allocated, inside the collection."""
        if info.get("generation") != 2:
            return
        if phase == "start":
            if self.clock() - self._thawed_at >= self.thaw_every:
                self._thawed_at = self.clock()
                frozen = gc.get_freeze_count()
                if self.baseline is None:  # the first count (the first list frozen by then)
                    self.baseline = frozen
                elif frozen > self.baseline * self.growth + self.slack:
                    self._walking = True
                    gc.unfreeze()  # this pass walks everything: cycles that died frozen are freed
            return
        gc.freeze()  # the survivors (the younger generations are empty right after a full pass)
        if self._walking:
            self._walking = False
            self.baseline = gc.get_freeze_count()
