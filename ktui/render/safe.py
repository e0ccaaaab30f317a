"""Showing strings from a cluster or a file literally: no terminal escapes, no Rich markup.

A name, label or host can carry ESC/OSC sequences (kubectl's CVE-2021-25743) or `[bold]`-style
markup; both must reach the screen as inert text. `clean` removes control characters (C0, DEL,
C1 and the escape sequences they start) and shows each as a visible `\\xNN`-style placeholder;
`markup` additionally escapes Rich markup for use inside markup strings.
"""

from __future__ import annotations

import re
from typing import NewType

from rich.markup import escape as _rich_escape
from rich.text import Text

# ESC-started sequences (CSI, OSC ... BEL/ST, other two-byte escapes), then any control char.
_ESCAPE_SEQ = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS, PM, APC, SOS
    r"|\x1b[@-Z\\-_]?"  # other escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"  # 8-bit OSC
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    return "".join(f"\\x{ord(c):02x}" if ord(c) < 0x100 else c for c in match.group(0)[:1]) + "…" * (
        len(match.group(0)) > 1
    )


def clean(text: object) -> str:
    """The text with every escape sequence and control character made visible and inert."""
    s = str(text)
    if s.isprintable() and "\x1b" not in s:
        return s
    s = _ESCAPE_SEQ.sub(_visible, s)
    s = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", s)
    return s.replace("\n", "\\n").replace("\t", " ")


def markup(text: object) -> str:
    """Safe to embed in a Rich markup string."""
    return _rich_escape(clean(text))


def text(value: object, style: str = "") -> Text:
    """A Rich Text holding the value literally (never parsed as markup)."""
    return Text(clean(value), style=style)


SafeText = NewType("SafeText", str)
"""A string that went through `clean`: the only kind the TUI's completions, notifications and
titles accept (ktui.tui.safe_ui). Made only here, by `safe_text`."""


def safe_text(value: object) -> SafeText:
    """`clean(value)`, typed as SafeText."""
    return SafeText(clean(value))
