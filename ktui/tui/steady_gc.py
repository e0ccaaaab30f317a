"""Short full passes of the cyclic collector while the TUI runs.

A full pass (generation 2) walks every object not frozen, holding the GIL: the UI stops for it.
After the first list those are the posture's and the engine's (subjects, pod postures, address
tuples: 300,000 at 10,000 pods), and at 500 events/s a full pass came every few seconds and took
120-600 ms: the worst stall of keys and frames. What survives a full pass is alive, and almost
all of it holds no cycle, so right after each one the survivors are frozen (gc.freeze): the next
pass walks only what came since. A full pass comes after `FULL_AFTER` passes of generation 1
(CPython's default: 10), so each walks less.

Frozen objects are still freed when their count drops; a cycle among them that dies (a closed
screen) is kept. So when what is frozen has grown by half since the last pass that walked
everything, the next full pass walks everything again (gc.unfreeze before it, ~2 s at 10,000
pods) and frees those: rare while the app's steady state holds (frozen objects replaced by new
ones leave as they come), and a bound on what dead cycles can hold.
"""

from __future__ import annotations

import gc

FULL_AFTER = 3
GROWTH = 1.5  # frozen objects, against the count after the last pass that walked everything
SLACK = 50_000  # ... plus this many (a small app's counts move by more than half)


class SteadyCollector:
    def __init__(self) -> None:
        self._saved = gc.get_threshold()
        self.baseline: int | None = None  # frozen after the last pass that walked everything
        self.thawed = 0  # such passes so far
        self.on = False
        self._walking = False

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
            if self.baseline is not None and gc.get_freeze_count() > self.baseline * GROWTH + SLACK:
                self._walking = True
                gc.unfreeze()  # this pass walks everything: cycles that died frozen are freed
            return
        gc.freeze()  # the survivors (the younger generations are empty right after a full pass)
        if self.baseline is None or self._walking:
            self.baseline = gc.get_freeze_count()
            self.thawed += self._walking
            self._walking = False
