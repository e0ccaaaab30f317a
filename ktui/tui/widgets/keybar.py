"""The key hints line: the active bindings of the screen, clickable, as one Text.

Textual's Footer rebuilds a widget per key whenever focus or bindings change, which on every
screen switch costs more than the rest of the frame; this renders one line instead (same keys,
same mouse behaviour: clicking a hint presses its key).
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; color: $foreground; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) for mouse clicks
        self._text = Text()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self._rebuild()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self._rebuild()

    def _rebuild(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        spans: list[tuple[int, int, str]] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            start = len(text)
            text.append(f" {self.app.get_key_display(binding)} ", style="bold reverse" if enabled else "dim reverse")
            text.append(f" {binding.description} ", style="" if enabled else "dim")
            spans.append((start, len(text), binding.key.split(",")[0]))
        text.append(" ^p palette ", style="dim")
        self._text, self._spans = text, spans
        self.refresh()

    def render(self) -> Text:
        return self._text

    async def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                await self.app.run_action(f"app.simulate_key('{key}')")
                return
