"""Rich tables for the TUI: every column present, strings shown literally (no markup, no escapes)."""

from __future__ import annotations

from rich.console import Console

from ktui.analysis.exposure.entries import exposures
from ktui.analysis.exposure.routes import route_statuses
from ktui.analysis.exposure.triage import triage
from ktui.render.exposure_text import hosts_table
from ktui.render.routes_text import routes_table
from ktui.render.triage_text import chain_table
from tests.exposure.helpers import build

TRICKY = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: "[bold]x[/bold]"}
spec:
  rules:
  - host: markup.example.com
    http:
      paths:
      - {path: "/[red]p", pathType: Prefix, backend: {service: {name: "s\\e]8;;http://evil\\a", port: {number: 80}}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: "[blink]r"}
spec:
  parentRefs: [{name: missing}]
  rules: [{backendRefs: [{name: s, port: 80}]}]
"""


def render(renderable: object) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_tables_show_strings_literally() -> None:
    state = build(TRICKY)
    hosts = render(hosts_table(exposures(state)))
    assert "[bold]x[/bold]" in hosts and "/[red]p" in hosts
    assert "\x1b" not in hosts and "\x07" not in hosts
    routes = render(routes_table(route_statuses(state)))
    assert "[blink]r" in routes and "NoMatchingParent" in routes
    (chain_of_ingress,) = triage(state, "markup.example.com/[red]p").chains  # the refused route names no host
    chain = render(chain_table(chain_of_ingress))
    for name in ("class", "address", "match", "service", "[bold]x[/bold]"):
        assert name in chain
    assert "\x1b" not in chain
