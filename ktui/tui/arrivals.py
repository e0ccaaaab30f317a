"""Wake the UI when the source queues something, instead of finding it at the next timer tick.

A fixed 100 ms poll costs every event up to 100 ms before anything looks at it (50 ms on
average), whatever the rest of the path costs. The source's queue is swapped for this one, whose
`put` (on the source's threads) calls `notify` once for the first item after each drain: the app
then polls at once, or at the end of the minimum gap between two polls (a frame at most), so
events that arrive together are still taken as one batch.
"""

from __future__ import annotations

import queue
from collections.abc import Callable

from ktui.sources.base import Item, Source


class ArrivalQueue(queue.SimpleQueue[Item]):
    """A SimpleQueue that says, once per drain, that something arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.notify: Callable[[], None] | None = None  # called on a source thread
        self._armed = True

    def put(self, item: Item, block: bool = True, timeout: float | None = None) -> None:
        super().put(item, block, timeout)
        if self._armed and self.notify is not None:
            self._armed = False  # one call until the next drain: a burst wakes the UI once
            self.notify()

    def rearm(self) -> None:
        """Called before each drain: an item put after this wakes the UI again (none is lost:
        one put between this and the drain is drained now and wakes one empty poll)."""
        self._armed = True

    @classmethod
    def adopt(cls, source: Source) -> ArrivalQueue:
        """Swap the source's queue for one of these (before it starts), keeping what it holds."""
        old = source.queue
        if isinstance(old, ArrivalQueue):
            return old
        new = cls()
        while True:
            try:
                new.put(old.get_nowait())
            except queue.Empty:
                break
        source.queue = new
        return new
