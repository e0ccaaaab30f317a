"""Showing strings from a cluster or a file literally: no terminal escapes, no Rich markup.

A name, label or host can carry ESC/OSC sequences (kubectl's CVE-2021-25743) or `[bold]`-style
markup; both must reach the screen as inert text. `clean` removes control characters (C0, DEL,
C1 and the escape sequences they start) and shows each as a visible `\\xNN`-style placeholder;
bidi overrides, zero-width and other invisible characters (which let one name pose as another)
are shown as `\\uNNNN`, and a file name byte that is not UTF-8 as `\\xNN`, so the result always
encodes. `markup` additionally escapes Rich markup for use inside markup strings.
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
# Invisible or reordering characters that let one name pose as another: bidi embeddings and
# overrides (U+202A-U+202E) and isolates (U+2066-U+2069), marks (U+061C, U+200E/F), zero-width
# characters (U+200B-U+200D, U+2060, U+FEFF), line/paragraph separators, lone surrogates (a file
# name that is not UTF-8, decoded with surrogateescape), and anything else Python deems not
# printable (format, private-use, unassigned characters, odd spaces).
_INVISIBLE = re.compile(
    "[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff\U000e0000-\U000e007f]"
)


def _visible(match: re.Match[str]) -> str:
    return "".join(f"\\x{ord(c):02x}" if ord(c) < 0x100 else c for c in match.group(0)[:1]) + "…" * (
        len(match.group(0)) > 1
    )


def _codepoint(c: str) -> str:
    """`\\u202e`; a surrogateescape'd byte as the byte it stands for (`\\xff`)."""
    n = ord(c)
    if 0xDC80 <= n <= 0xDCFF:
        return f"\\x{n - 0xDC00:02x}"
    return f"\\u{n:04x}" if n <= 0xFFFF else f"\\U{n:08x}"


def clean(text: object) -> str:
    """The text with every escape sequence, control and invisible character made visible and inert."""
    s = str(text)
    if s.isprintable() and "\x1b" not in s:
        return s
    s = _ESCAPE_SEQ.sub(_visible, s)
    s = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", s)
    s = s.replace("\n", "\\n").replace("\t", " ")
    s = _INVISIBLE.sub(lambda m: _codepoint(m.group(0)), s)
    if not s.isprintable():
        s = "".join(c if c.isprintable() else _codepoint(c) for c in s)
    return s


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
