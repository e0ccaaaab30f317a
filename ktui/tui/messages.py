"""The one message of the batch path, and merging batches for screens that were hidden."""

from __future__ import annotations

from textual.message import Message

from ktui.tui.bridge import Update
from ktui.tui.overlay import OverlayResult


class BatchApplied(Message):
    """A drained batch: posted once per poll that found something in the source queue."""

    def __init__(self, update: Update) -> None:
        super().__init__()
        self.update = update


class Arrived(Message):
    """The source queued something after the last drain (posted from a source thread)."""


class OverlayUpdated(Message):
    """Exposure and findings were recomputed (posted from the overlay thread)."""

    def __init__(self, result: OverlayResult) -> None:
        super().__init__()
        self.result = result


def merge_updates(old: Update | None, new: Update) -> Update:
    if old is None:
        return new
    return Update(
        changed=old.changed | new.changed,
        deltas=old.deltas + new.deltas,
        feed=old.feed + new.feed,
        statuses=old.statuses + new.statuses,
        changes=old.changes + new.changes,
        first_sync=old.first_sync or new.first_sync,
        overlay=old.overlay | new.overlay,  # raw changes are not kept: a hidden screen needs none
    )
