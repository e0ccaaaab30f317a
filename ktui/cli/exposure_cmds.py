"""`ktui hosts`, `ktui routes`, `ktui triage HOST[/PATH]`: what is exposed and whether it works."""

from __future__ import annotations

import argparse
import sys

from ktui.analysis.exposure.routes import listener_statuses
from ktui.cli.analyse import load_analysis
from ktui.cli.common import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, CliError, add_output_option, add_source_options, emit
from ktui.render import exposure_text, routes_text, triage_text
from ktui.render.safe import clean

FORMATS = ("table", "json", "yaml")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("hosts", help="the exposed entries per namespace, with their backend chains")
    p.add_argument("--refused", action="store_true",
                   help="also list Gateway routes their parent did not accept (with the reason)")
    add_source_options(p, sub=True)
    add_output_option(p, FORMATS, "table")
    p.set_defaults(handler=cmd_hosts)

    p = sub.add_parser("routes", help="Gateway API routes with their parents and conditions")
    add_source_options(p, sub=True)
    add_output_option(p, FORMATS, "table")
    p.set_defaults(handler=cmd_routes)

    p = sub.add_parser("triage", help="the chain behind HOST[/PATH], link by link (exit 0 ok, 1 warn/fail, 2 none)")
    p.add_argument("target", metavar="HOST[/PATH]", help="e.g. shop.example.com/cart")
    add_source_options(p, sub=True)
    add_output_option(p, FORMATS, "table")
    p.set_defaults(handler=cmd_triage)


def cmd_hosts(args: argparse.Namespace) -> int:
    _, analysis = load_analysis(args)
    entries = analysis.hosts(getattr(args, "namespace", None), include_unattached=args.refused)
    status = {id(h.entry): h for h in analysis.host_health}
    health = [status[id(e)] for e in entries]
    if args.output == "table":
        lines = exposure_text.hosts_lines(entries, health)
        print("\n".join(lines) if lines else "nothing exposed")
    else:
        emit(exposure_text.hosts_json(entries, health), args.output)
    return EXIT_OK


def cmd_routes(args: argparse.Namespace) -> int:
    _, analysis = load_analysis(args)
    state = analysis.state
    namespace = getattr(args, "namespace", None)
    everything = analysis.route_statuses
    statuses = [s for s in everything if namespace is None or s.namespace == namespace]
    if args.output != "table":
        emit(routes_text.routes_json(statuses), args.output)
        return EXIT_OK
    listeners = []
    for gw in state.objects("Gateway", namespace):
        listeners.extend(listener_statuses(state, "Gateway", gw, everything))
    for ls in state.objects("ListenerSet", namespace):
        listeners.extend(listener_statuses(state, "ListenerSet", ls, everything))
    lines = routes_text.routes_lines(statuses, listeners)
    print("\n".join(lines) if lines else "no Gateway API routes")
    return EXIT_OK


def cmd_triage(args: argparse.Namespace) -> int:
    if not args.target.strip() or args.target.strip().startswith("/"):
        raise CliError(f"{args.target!r}: give HOST[/PATH], e.g. shop.example.com/cart")
    _, analysis = load_analysis(args)
    result = analysis.triage(args.target, getattr(args, "namespace", None))
    if args.output == "table":
        print("\n".join(triage_text.triage_lines(result)))
    else:
        emit(triage_text.triage_json(result), args.output)
    if not result.found:
        print(f"ktui: no exposed entry serves {clean(result.host + result.path)}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK if result.status == "ok" else EXIT_FINDINGS
