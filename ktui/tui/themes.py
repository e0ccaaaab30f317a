"""Themes as data: YAML files naming Textual's colours and ktui's posture colours.

A theme file has `name`, `dark`, a `textual` mapping (primary, background, ...) and a `posture`
mapping (open, internet, external, cluster, denied, ok, warn, fail, muted, flash). The posture
colours become CSS variables (`$posture-open`, ...) and a Palette the widgets style cells with.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml
from textual.color import Color, ColorParseError
from textual.theme import Theme

THEMES_DIR = Path(__file__).resolve().parent.parent.parent / "themes"
DEFAULT_THEME = "dark"
TEXTUAL_KEYS = ("primary", "secondary", "accent", "foreground", "background", "surface", "panel",
                "boost", "success", "warning", "error")


class ThemeError(ValueError):
    """A theme that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Palette:
    open: str = "#f26d6d"
    internet: str = "#f0a04e"
    external: str = "#f2c14e"
    cluster: str = "#4ea1f3"
    denied: str = "#74c476"
    ok: str = "#74c476"
    warn: str = "#f2c14e"
    fail: str = "#f26d6d"
    muted: str = "#7b8494"
    flash: str = "#3a4a63"

    def egress(self, cls_value: str) -> str:
        return str(getattr(self, cls_value, self.muted))

    def level(self, level: str) -> str:
        return {"ok": self.ok, "warn": self.warn, "fail": self.fail}.get(level, self.muted)


@dataclass(frozen=True, slots=True)
class LoadedTheme:
    theme: Theme
    palette: Palette
    path: Path | None


def theme_files() -> dict[str, Path]:
    """The bundled themes by file stem (dark, light, high-contrast)."""
    if not THEMES_DIR.is_dir():
        return {}
    return {p.stem: p for p in sorted(THEMES_DIR.glob("*.yaml"))}


def resolve(spec: str | None) -> Path | None:
    """NAME (a bundled theme's file stem or theme name) or PATH to a YAML file; None: built-in."""
    spec = spec or DEFAULT_THEME
    path = Path(spec).expanduser()
    if path.suffix in (".yaml", ".yml") or "/" in spec:
        if not path.is_file():
            raise ThemeError(f"theme file {spec} not found")
        return path
    files = theme_files()
    if spec in files:
        return files[spec]
    for stem, p in files.items():
        if f"ktui-{stem}" == spec:
            return p
    if spec == DEFAULT_THEME:
        return None  # a checkout without themes/: the built-in palette
    names = ", ".join(files) or "none installed"
    raise ThemeError(f"unknown theme {spec!r} (bundled: {names}; or give a path to a YAML file)")


def _colour(where: str, key: str, value: Any) -> str:
    try:
        return Color.parse(str(value)).hex
    except ColorParseError:
        raise ThemeError(f"{where}: {key}: {value!r} is not a colour") from None


def parse_theme(data: Any, where: str) -> tuple[Theme, Palette]:
    if not isinstance(data, dict):
        raise ThemeError(f"{where}: a theme is a mapping with name, textual and posture")
    name = str(data.get("name") or Path(where).stem)
    textual = data.get("textual") or {}
    posture = data.get("posture") or {}
    if not isinstance(textual, dict) or not isinstance(posture, dict):
        raise ThemeError(f"{where}: textual and posture must be mappings")
    unknown = set(textual) - set(TEXTUAL_KEYS)
    if unknown:
        raise ThemeError(f"{where}: textual: unknown keys {', '.join(sorted(map(str, unknown)))}")
    known = {f.name for f in fields(Palette)}
    unknown = set(posture) - known
    if unknown:
        raise ThemeError(f"{where}: posture: unknown keys {', '.join(sorted(map(str, unknown)))}")
    colours = {k: _colour(where, f"textual.{k}", v) for k, v in textual.items()}
    palette = Palette(**{k: _colour(where, f"posture.{k}", v) for k, v in posture.items()})
    variables = {f"posture-{f.name}": getattr(palette, f.name) for f in fields(Palette)}
    theme = Theme(
        name=name,
        primary=colours.pop("primary", "#4ea1f3"),
        dark=bool(data.get("dark", True)),
        variables=variables,
        **colours,
    )
    return theme, palette


def load_theme(path: Path | None) -> LoadedTheme:
    if path is None:
        theme, palette = parse_theme({"name": "ktui-builtin", "dark": True}, "built-in")
        return LoadedTheme(theme, palette, None)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ThemeError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ThemeError(f"{path}: invalid YAML: {exc}") from None
    theme, palette = parse_theme(data, str(path))
    return LoadedTheme(theme, palette, path)


class ThemeWatcher:
    """Calls `on_change(path)` from a thread when a watched theme file is written."""

    def __init__(self, paths: list[Path], on_change: Callable[[Path], None]) -> None:
        self.paths = [p.resolve() for p in paths]
        self.on_change = on_change
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not self.paths:
            return
        self._thread = threading.Thread(target=self._run, name="ktui-themes", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import watchfiles

        dirs = sorted({str(p.parent) for p in self.paths})
        try:
            for changes in watchfiles.watch(*dirs, stop_event=self._stop, debounce=150,
                                            raise_interrupt=False):
                touched = {Path(p).resolve() for _, p in changes}
                for path in self.paths:
                    if path in touched:
                        self.on_change(path)
        except Exception:  # live reload is a convenience; the loaded theme stays in use
            return

    def stop(self) -> None:
        self._stop.set()
