"""Copy the accepted TUI snapshots to screenshots/ under plain names, for the README.

    .venv/bin/pytest tests/tui/test_snapshots.py --snapshot-update   # after a deliberate change
    .venv/bin/python tests/tui/make_screenshots.py

The pictures are the snapshot files themselves, so the README never shows a screen the tests
did not check.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_snapshots"
OUT = ROOT / "screenshots"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    copied = 0
    for svg in sorted(SNAPSHOTS.glob("*.svg")):
        m = re.fullmatch(r"test_(screen|theme|wide)\[(.+)\]\.svg", svg.name)
        if m is None:
            continue
        kind, name = m.groups()
        name = {"screen": name.replace("-120x40", ""), "theme": f"theme-{name}", "wide": f"{name}-220x50"}[kind]
        shutil.copyfile(svg, OUT / f"{name}.svg")
        copied += 1
    print(f"{copied} screenshots in {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
