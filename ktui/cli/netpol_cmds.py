"""`ktui explain`, `ktui can-reach`, `ktui connectivity`: NetworkPolicy answers for scripts."""

from __future__ import annotations

import argparse

from ktui.analysis.analysis import Analysis
from ktui.analysis.core.portset import PortSpecError, parse_port_spec
from ktui.analysis.policy import Peer
from ktui.cli.analyse import load_analysis
from ktui.cli.common import CliError, add_output_option, add_source_options, emit
from ktui.render import netpol_text


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("explain", help="which rules apply to a pod, both directions, in words")
    p.add_argument("pod", metavar="NS/POD", help="a pod, or a workload (ns/name)")
    add_source_options(p, sub=True)
    add_output_option(p, ("txt", "json", "yaml"), "txt")
    p.set_defaults(handler=cmd_explain)

    p = sub.add_parser("can-reach", help="can SRC open a connection to DST on a port? "
                       "(exit 0 yes, 1 no, 3 unknown: it depends on what could not be read)")
    p.add_argument("src", metavar="SRC", help="ns/pod, ns/workload or an IP address")
    p.add_argument("dst", metavar="DST", help="ns/pod, ns/workload or an IP address")
    p.add_argument("--port", required=True, help="PORT[/PROTO], e.g. 443/TCP or 53/UDP")
    add_source_options(p, sub=True)
    add_output_option(p, ("txt", "json", "yaml"), "txt")
    p.set_defaults(handler=cmd_can_reach)

    p = sub.add_parser("connectivity", help="the allowed connections between workloads")
    add_source_options(p, sub=True)
    add_output_option(p, ("txt", "json", "yaml"), "txt")
    p.set_defaults(handler=cmd_connectivity)


def _peer(analysis: Analysis, ref: str, default_ns: str) -> Peer:
    peer = analysis.peer(ref, default_ns)
    if peer is None:
        raise CliError(f"no pod or workload {ref!r} (use NS/NAME, or an IP address)")
    return peer


def cmd_explain(args: argparse.Namespace) -> int:
    _, analysis = load_analysis(args)
    subject = analysis.subject(args.pod, args.namespace or "default")
    if subject is None:
        raise CliError(f"no pod or workload {args.pod!r}")
    e = analysis.explain(subject)
    if args.output == "txt":
        print("\n".join(netpol_text.explanation_lines(e)))
    else:
        emit(netpol_text.explanation_json(e), args.output)
    return 0


EXIT_UNKNOWN = 3


def cmd_can_reach(args: argparse.Namespace) -> int:
    try:
        port, proto = parse_port_spec(args.port)
    except PortSpecError as exc:
        raise CliError(f"--port {args.port}: {exc}") from None
    _, analysis = load_analysis(args)
    ns = args.namespace or "default"
    src, dst = _peer(analysis, args.src, ns), _peer(analysis, args.dst, ns)
    verdict = analysis.can_reach(src, dst, port, proto)
    if args.output == "txt":
        print("\n".join(netpol_text.verdict_lines(verdict)))
    else:
        emit(netpol_text.verdict_json(verdict), args.output)
    if verdict.unknown is not None:
        return EXIT_UNKNOWN  # depends on what could not be read: neither yes (0) nor no (1)
    return 0 if verdict.allowed else 1


def cmd_connectivity(args: argparse.Namespace) -> int:
    _, analysis = load_analysis(args)
    conns = analysis.connectivity
    if args.output == "txt":
        lines = netpol_text.connectivity_lines(conns)
        if lines:
            print("\n".join(lines))
    else:
        emit(netpol_text.connectivity_json(conns), args.output)
    return 0
