"""The cyclic collector's pace while a whole cluster is read and held.

Everything a list decodes is kept, and the structs hold no cycles: the collector's passes over
them free nothing (a sixth of `ktui check` at 10,000 pods). So while a first list loads, a first
posture is built or a one-shot command runs, it collects rarely; what then stays for good is
frozen out of its passes (gc.freeze) and the previous pace comes back. Used by the commands,
the TUI's bridge and the overlay's process alike. (The sources' own pause during a list,
cluster._GcPause, switches the collector off and on: another axis, so the two nest.)
"""

from __future__ import annotations

import gc

RARELY = (50_000, 20, 100)  # gen0 every 50,000 allocations, gen2 seldom


class Pace:
    """`slow()` until `settle()`; either called again is a no-op."""

    def __init__(self) -> None:
        self._saved: tuple[int, int, int] | None = None

    @property
    def slowed(self) -> bool:
        return self._saved is not None

    def slow(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            gc.set_threshold(*RARELY)

    def settle(self, freeze: bool = True) -> None:
        """The previous pace again; with freeze, what is held now is out of the passes for good
        (freed as usual once dropped)."""
        if self._saved is not None:
            if freeze:
                gc.freeze()
            gc.set_threshold(*self._saved)
            self._saved = None
