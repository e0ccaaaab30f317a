"""`ktui` without a reachable cluster says so in one line; themes load, fail clearly, reload live."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from ktui.cli import main
from ktui.tui.themes import ThemeError, load_theme, resolve, theme_files

from .conftest import make_app
from .pilot import wait_for

KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: nowhere, cluster: {server: "http://127.0.0.1:9"}}]
users: [{name: me, user: {token: t}}]
contexts: [{name: prod-eu, context: {cluster: nowhere, user: me}}]
current-context: prod-eu
"""


def test_unreachable_cluster_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(KUBECONFIG)
    assert main(["--kubeconfig", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert '"prod-eu"' in err and "ktui demo" in err


def test_missing_kubeconfig_and_manifests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--kubeconfig", str(tmp_path / "nope")]) == 2
    assert "ktui demo" in capsys.readouterr().err
    assert main(["--manifests", str(tmp_path / "nope.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_bundled_themes_load_with_every_posture_colour() -> None:
    names = set(theme_files())
    assert {"dark", "light", "high-contrast"} <= names
    for name in names:
        loaded = load_theme(resolve(name))
        assert loaded.theme.variables["posture-open"].startswith("#")
        assert loaded.palette.fail != loaded.palette.ok


def test_bad_theme_files_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(ThemeError, match="unknown theme 'nope'"):
        resolve("nope")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nposture: {open: not-a-colour}\n")
    with pytest.raises(ThemeError, match=r"posture\.open: 'not-a-colour' is not a colour"):
        load_theme(resolve(str(bad)))
    bad.write_text("name: x\nposture: {opn: '#ff0000'}\n")
    with pytest.raises(ThemeError, match="unknown keys opn"):
        load_theme(bad)


async def test_theme_switch_and_live_reload(tmp_path: Path) -> None:
    theme = tmp_path / "mine.yaml"
    source = resolve("dark")
    assert source is not None
    theme.write_text(source.read_text())
    app = make_app(theme=str(theme))
    app.watch_themes = True
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.palette.open.lower() == "#f26d6d"
        changed = source.read_text().replace('open: "#f26d6d"', 'open: "#123456"')
        for _ in range(20):  # written again each second: a watcher still starting misses a write
            theme.write_text(changed)
            with contextlib.suppress(AssertionError):
                await wait_for(pilot, lambda: app.palette.open.lower() == "#123456", timeout=1.0)
                break
        assert app.palette.open.lower() == "#123456"
        assert app.current_theme.variables["posture-open"].lower() == "#123456"
        await pilot.press("T")  # next bundled theme
        assert app.palette.open.lower() != "#123456"
        app.run_command("theme high-contrast")
        await pilot.pause()
        assert app.theme == "ktui-high-contrast"


def test_theme_option_on_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--theme", "nope"]) == 2
    assert "unknown theme 'nope'" in capsys.readouterr().err
