"""Plain-text columns as `kubectl get` prints them: an upper-case header, cells left-aligned and
separated by three spaces, nothing cut (a terminal wraps; a script reads whole cells)."""

from __future__ import annotations

from collections.abc import Sequence

from ktui.render.safe import clean

EMPTY = "<none>"


def columns(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """The lines of a table; every cell goes through ktui.render.safe.clean, an empty one reads <none>."""
    cells = [[clean(c) if c not in ("", None) else EMPTY for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    out = []
    for row in [list(header), *cells]:
        line = "   ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
        out.append(line.rstrip())
    return out
