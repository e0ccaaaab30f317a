"""The TUI's doors to the terminal that take plain strings, each closed to raw cluster text.

Rich Text cells are built through ktui.render.safe already; what remained were the places that
take a str and hand it to the terminal as is: the command line's completions (a pod named
`x<ESC>]52;c;...<BEL>` wrote to the clipboard through its suggestion), notifications, titles,
the clipboard. Each of them here takes SafeText (made only by ktui.render.safe.safe_text) and,
since Python does not enforce types at run time, cleans again on the way out: cleaning is
idempotent, so this costs nothing for text that was clean.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.suggester import Suggester

from ktui.render.safe import SafeText, clean, safe_text


class SafeSuggester(Suggester):
    """Completions from a list of SafeText; whatever it suggests is clean."""

    def __init__(self, candidates: Iterable[SafeText]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.candidates = [safe_text(c) for c in candidates]
        self._folded = [c.casefold() for c in self.candidates]

    async def get_suggestion(self, value: str) -> str | None:
        folded = value.casefold()
        for candidate, key in zip(self.candidates, self._folded, strict=True):
            if key.startswith(folded):
                return clean(value + candidate[len(value):])
        return None


def safe_title(value: object) -> SafeText:
    """A title (border, window, notification title) from anything."""
    return safe_text(value)


def lookup(names: Iterable[str], typed: str) -> str | None:
    """The real name the user meant: exact, else the one whose cleaned form they typed (a
    completion of a name holding control characters shows and inserts its cleaned form)."""
    names = list(names)
    if typed in names:
        return typed
    return next((n for n in names if clean(n) == typed), None)


def did_you_mean(names: Iterable[str], typed: str, n: int = 3) -> list[SafeText]:
    """Close matches for a mistyped name or host, cleaned for display."""
    import difflib

    pool = {clean(x): x for x in names}
    close = difflib.get_close_matches(typed, list(pool), n=n, cutoff=0.6)
    if not close:
        low = typed.casefold()
        close = [c for c in pool if low and (low in c.casefold() or c.casefold() in low)][:n]
    return [safe_text(c) for c in close]
