"""`ktui hosts`, `ktui routes`, `ktui triage HOST[/PATH]`: what is exposed and whether it works."""

from __future__ import annotations

import argparse
import sys

from ktui.analysis.exposure.entries import Exposure
from ktui.analysis.exposure.routes import listener_statuses
from ktui.cli.analyse import load_analysis
from ktui.cli.common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    CliError,
    add_output_option,
    add_source_options,
    emit,
    plural,
    render,
    shown_namespace,
)
from ktui.render import exposure_text, routes_text, triage_text
from ktui.render.safe import clean


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("hosts", help="the exposed entries with their status and TLS "
                       "(-o wide: how they are reached and their backend chains)")
    p.add_argument("--all", "--refused", dest="all", action="store_true",
                   help="also list what is hidden by default: Gateway routes their parent did not accept "
                        "(with the reason) and Gateway listeners no route attaches to")
    add_source_options(p, sub=True)
    add_output_option(p)
    p.set_defaults(handler=cmd_hosts)

    p = sub.add_parser("routes", help="Gateway API routes with their parents and conditions")
    add_source_options(p, sub=True)
    add_output_option(p)
    p.set_defaults(handler=cmd_routes)

    p = sub.add_parser("triage", help="the chain behind HOST[/PATH], link by link (exit 0 ok, 1 warn/fail, 2 none)")
    p.add_argument("target", metavar="HOST[/PATH]", help="e.g. shop.example.com/cart")
    add_source_options(p, sub=True)
    add_output_option(p)
    p.set_defaults(handler=cmd_triage)


def hidden_by_default(e: Exposure) -> bool:
    """Not a host anyone reaches: a route its parent refused, a listener no route attaches to."""
    return not e.attached or e.listener_only


def cmd_hosts(args: argparse.Namespace) -> int:
    _, analysis = load_analysis(args)
    listed = analysis.hosts(shown_namespace(args), include_unattached=True)
    entries = listed if args.all else [e for e in listed if not hidden_by_default(e)]
    hidden = len(listed) - len(entries)
    status = {id(h.entry): h for h in analysis.host_health}
    health = [status[id(e)] for e in entries]
    tls = [h.tls.status for h in health]  # the one TLS verdict, as the chain's tls link has it
    note = f"{plural(hidden, 'entry', 'entries')} hidden (refused routes, listeners without routes); " \
           "use --all to show them"
    if args.output in ("json", "yaml"):
        emit(exposure_text.hosts_json(entries, health, tls), args.output)
        if hidden:
            print(f"ktui: {note}", file=sys.stderr)
        return EXIT_OK
    lines = exposure_text.hosts_columns(entries, health, tls, wide=args.output == "wide") if entries else []
    print("\n".join(lines) if lines else "nothing exposed")
    if hidden:
        print(note)
    return EXIT_OK


def cmd_routes(args: argparse.Namespace) -> int:
    _, analysis = load_analysis(args)
    state = analysis.state
    namespace = shown_namespace(args)
    everything = analysis.route_statuses
    statuses = [s for s in everything if namespace is None or s.namespace == namespace]
    def lines(wide: bool) -> list[str]:
        listeners = []
        for gw in state.objects("Gateway", namespace):
            listeners.extend(listener_statuses(state, "Gateway", gw, everything))
        for ls in state.objects("ListenerSet", namespace):
            listeners.extend(listener_statuses(state, "ListenerSet", ls, everything))
        return routes_text.routes_lines(statuses, listeners, wide)

    render(args.output, lines, lambda: routes_text.routes_json(statuses), "no Gateway API routes")
    return EXIT_OK


def cmd_triage(args: argparse.Namespace) -> int:
    if not args.target.strip() or args.target.strip().startswith("/"):
        raise CliError(f"{args.target!r}: give HOST[/PATH], e.g. shop.example.com/cart")
    _, analysis = load_analysis(args)
    result = analysis.triage(args.target, shown_namespace(args))
    render(args.output, lambda wide: triage_text.triage_lines(result, wide), lambda: triage_text.triage_json(result))
    if not result.found:
        print(f"ktui: no exposed entry serves {clean(result.host + result.path)}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK if result.status == "ok" else EXIT_FINDINGS
