"""A list to pick from: `:ns` and `:pod` without an argument, and "did you mean" answers.
Typing filters the list; enter picks; esc closes the picker (not the screen under it)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ktui.render.safe import SafeText, clean

MAX_SHOWN = 2000


class Picker(ModalScreen[str | None]):
    """Dismisses with the value of the picked choice, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(self, title: SafeText, choices: list[tuple[SafeText, str]], note: SafeText | None = None) -> None:
        super().__init__()
        self.title_text = clean(title)
        self.choices = [(clean(label), value) for label, value in choices]
        self.note = clean(note) if note else ""

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            if self.note:
                yield Static(Text(self.note), id="picker-note")
            yield Input(placeholder="type to filter, enter picks, esc closes", id="picker-filter")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self.query_one("#picker-box").border_title = Text(self.title_text)
        self._fill("")
        self.query_one("#picker-filter", Input).focus()

    def _fill(self, needle: str) -> None:
        box = self.query_one(OptionList)
        box.clear_options()
        low = needle.casefold()
        shown = [(label, value) for label, value in self.choices if low in label.casefold()][:MAX_SHOWN]
        box.add_options([Option(Text(label), id=str(i)) for i, (label, _value) in enumerate(shown)])
        self._shown = shown
        if shown:
            box.highlighted = 0

    @on(Input.Changed, "#picker-filter")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _submitted(self) -> None:
        box = self.query_one(OptionList)
        if box.highlighted is not None and self._shown:
            self.dismiss(self._shown[box.highlighted][1])

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._shown[event.option_index][1])

    def action_move(self, step: int) -> None:
        box = self.query_one(OptionList)
        if self._shown:
            box.highlighted = max(0, min(len(self._shown) - 1, (box.highlighted or 0) + step))

    def action_cancel(self) -> None:
        self.dismiss(None)
