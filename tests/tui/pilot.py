"""Waiting on the app in Pilot tests: a bounded poll, never a fixed sleep."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot


async def wait_for(pilot: Pilot[None], cond: Callable[[], bool], timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if cond():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")
