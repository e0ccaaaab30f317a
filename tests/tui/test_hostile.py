"""Strings from a cluster are shown literally: Rich markup stays text, escape sequences (CSI,
OSC 8 hyperlinks), BEL and backspace never reach the terminal. Checked on the rendered segments
of every screen, not just "it did not crash"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rich.segment import Segment

from ktui.render.safe import clean
from ktui.tui.app import KtuiApp

from .conftest import make_app

MARKUP = "[bold red]x[/]"
LINK = "[link=http://evil.example]click[/link]"
CSI = "\x1b[31mred"
OSC8 = "\x1b]8;;http://evil.example\x07here\x1b]8;;\x07"
BELL_BS = "a\x07b\x08c"
NS = f"ns{MARKUP}{CSI}"
POD = f"pod{LINK}{OSC8}{BELL_BS}"
HOST = f"h{MARKUP}{CSI}.example.com"


def documents() -> list[dict[str, Any]]:
    meta = {"namespace": NS, "labels": {"app": MARKUP, "note": CSI},
            "annotations": {"kubernetes.io/ingress.class": f"cls{MARKUP}{OSC8}"}}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS, "labels": {"team": OSC8}}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": POD, **meta},
         "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 80}]}]},
         "status": {"phase": "Running", "podIP": "10.9.0.1"}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": f"pol{MARKUP}{BELL_BS}", "namespace": NS},
         "spec": {"podSelector": {"matchLabels": {"app": MARKUP}}, "policyTypes": ["Ingress", "Egress"],
                  "ingress": [{"from": [{"podSelector": {"matchLabels": {"note": CSI}}}]}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc{LINK}", "namespace": NS},
         "spec": {"selector": {"app": MARKUP}, "ports": [{"port": 80}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
         "metadata": {"name": f"ing{OSC8}", **meta},
         "spec": {"rules": [{"host": HOST, "http": {"paths": [
             {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": f"svc{LINK}",
                                                                         "port": {"number": 80}}}},
             {"path": "/gone", "pathType": "Prefix", "backend": {"service": {"name": f"missing{CSI}",
                                                                             "port": {"number": 80}}}},
         ]}}]}},
    ]


def screen_segments(app: KtuiApp) -> list[Segment]:
    return [seg for strip in app.screen._compositor.render_strips() for seg in strip]


def check_literal(app: KtuiApp, must_show: list[str]) -> str:
    segments = screen_segments(app)
    for seg in segments:
        assert "\x1b" not in seg.text and "\x07" not in seg.text and "\x08" not in seg.text, repr(seg.text)
        assert seg.style is None or seg.style.link is None, seg
    text = "".join(seg.text for seg in segments)
    for needle in must_show:
        assert needle in text, (needle, text)
    return text


async def test_hostile_strings_are_shown_literally(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump_all(documents()))
    app = make_app([path])
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        assert clean(NS) in app.bridge.posture.by_namespace or NS in app.bridge.posture.by_namespace
        check_literal(app, [clean(NS)])  # overview: the name with its markup as text
        assert "[bold red]x[/]" in clean(NS)
        app.run_command(f"ns {NS}")
        await pilot.pause()
        await pilot.press("2")
        check_literal(app, [clean(NS), clean(POD)[:40]])  # pods tab
        await pilot.press("3")
        check_literal(app, [clean(f"pol{MARKUP}{BELL_BS}")])  # policies tab
        await pilot.press("1")
        await pilot.pause()
        check_literal(app, [clean(HOST)[:30]])  # exposure tab: the host
        await pilot.press("4")
        check_literal(app, [])
        app.run_command(f"pod {NS}/{POD}")
        await pilot.pause(0.5)
        text = check_literal(app, [clean(POD)[:40], "app=[bold red]x[/]"])
        assert "\\x1b" in text  # the escape is shown as a visible placeholder
        app.run_command(f"triage {HOST}/gone")
        await pilot.pause(0.5)
        check_literal(app, [clean(HOST)[:20]])
        app.run_command("ctx")
        await pilot.pause()
        check_literal(app, [])
        await pilot.press("escape")
        app.run_command("feed")
        await pilot.pause()
        check_literal(app, [])


OSC52 = "x\x1b]52;c;ZWNobyBwd25lZA==\x07"  # would write "echo pwned" to the terminal's clipboard
TITLE = "t\x1b]0;owned\x07"  # would set the window title


async def test_completions_notifications_titles_and_clipboard_are_clean(tmp_path: Path) -> None:
    """Issue 14 item 1: typing `:pod shop/x` drew the raw pod name as the suggestion."""
    docs = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": TITLE}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": OSC52, "namespace": "shop"},
         "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running", "podIP": "10.9.0.2"}},
    ]
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    app = make_app([path])
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        await pilot.press("colon", *"pod shop/x")
        box = app.screen.query_one("Input")
        for _ in range(40):  # the suggestion is computed in a worker
            if box._suggestion:
                break
            await pilot.pause(0.05)
        assert box._suggestion == f"pod shop/{clean(OSC52)}"
        check_literal(app, ["\\x1b"])  # the suggestion drawn: escaped, inert
        await pilot.press("tab", "enter")  # accepting it opens the pod (found by its cleaned name)
        await pilot.pause()
        assert app.screen.pod_name == OSC52
        check_literal(app, [])
        await pilot.press("colon", *"ns t")
        await pilot.pause(0.3)
        check_literal(app, [])
        await pilot.press("escape")
        app.run_command(f"ns {TITLE}x")  # a notification ("did you mean") naming the title string
        await pilot.pause()
        check_literal(app, [])
        app.notify(OSC52)  # even a raw call is cleaned
        app.copy_text(OSC52)  # type: ignore[arg-type]
        await pilot.pause()
        assert all("\x1b" not in n.message and "\x07" not in n.message for n in app._notifications)
        assert "\x1b" not in app._clipboard and "\x07" not in app._clipboard
        check_literal(app, [])


async def test_new_screens_show_hostile_strings_literally(tmp_path: Path) -> None:
    """The preview, the Egress tab and view, object YAML and describe, finding detail, the
    cluster findings list and the pickers: every one of them on hostile names."""
    docs = documents()
    docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                 "metadata": {"name": f"eg{OSC8}", "namespace": NS},
                 "spec": {"podSelector": {}, "policyTypes": ["Egress"],
                          "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 443}]}]}})
    docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                 "metadata": {"name": f"ic{CSI}"}, "spec": {"controller": "k8s.io/ingress-nginx"}})
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    app = make_app([path])
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        check_literal(app, [clean(NS)[:20]])  # the preview of the first (hostile) namespace
        for cmd, keys in ((f"ns {NS}", ("5",)), (f"ns {NS}", ("2", "y")), (f"ns {NS}", ("2", "d")),
                          (f"ns {NS}", ("4", "enter")), (f"egress {NS}", ()), ("findings", ("enter",)),
                          ("pod nope/x", ()), ("ns", ())):
            app.run_command(cmd)
            await pilot.pause(0.2)
            for k in keys:
                await pilot.press(k)
                await pilot.pause(0.2)
            check_literal(app, [])
            app.run_command("overview")
            await pilot.pause()
            while len(app.screen_stack) > 1:
                app.pop_screen()
                await pilot.pause()
