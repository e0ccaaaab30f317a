"""`ktui explain`, `ktui can-reach`, `ktui connectivity`: NetworkPolicy answers for scripts."""

from __future__ import annotations

import argparse

from ktui.analysis.analysis import Analysis
from ktui.analysis.core.portset import PROTOCOLS, PortSpecError, parse_port_spec
from ktui.analysis.core.subjects import Subject, WorkloadId
from ktui.analysis.policy import Connection, Peer, named_ports
from ktui.cli.analyse import load_analysis
from ktui.cli.common import CliError, add_output_option, add_source_options, render, shown_namespace
from ktui.render import netpol_text


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("explain", help="which rules apply to a pod, both directions, in words")
    p.add_argument("pod", metavar="NS/POD", help="a pod, or a workload (ns/name)")
    add_source_options(p, sub=True)
    add_output_option(p, ("txt",))  # txt: what -o table prints (the name before issue 11)
    p.set_defaults(handler=cmd_explain)

    p = sub.add_parser("can-reach", help="can SRC open a connection to DST on a port? "
                       "(exit 0 yes, 1 no, 3 unknown: it depends on what could not be read)")
    p.add_argument("src", metavar="SRC", help="ns/pod, ns/workload or an IP address")
    p.add_argument("dst", metavar="DST", help="ns/pod, ns/workload or an IP address")
    p.add_argument("--port", required=True, help="PORT[/PROTO], e.g. 443/TCP or 53/UDP, or a port name "
                   "the destination declares (http, dns/UDP)")
    add_source_options(p, sub=True)
    add_output_option(p, ("txt",))
    p.set_defaults(handler=cmd_can_reach)

    p = sub.add_parser("connectivity", help="the allowed connections between workloads "
                       "(-n NS: the pairs with an end in NS)")
    add_source_options(p, sub=True)
    add_output_option(p, ("txt",), default="txt")  # the contract of DESIGN.md; table and wide print the same
    p.set_defaults(handler=cmd_connectivity)


def _peer(analysis: Analysis, ref: str, default_ns: str) -> Peer:
    peer = analysis.peer(ref, default_ns)
    if peer is None:
        raise CliError(f"no pod or workload {ref!r} (use NS/NAME, or an IP address)")
    return peer


def _default_ns(args: argparse.Namespace) -> str:
    """Where a bare NAME is looked up: -n, else default (kubectl)."""
    return getattr(args, "namespace", None) or "default"


def cmd_explain(args: argparse.Namespace) -> int:
    _, analysis = load_analysis(args)
    subject = analysis.subject(args.pod, _default_ns(args))
    if subject is None:
        raise CliError(f"no pod or workload {args.pod!r}")
    e, paths = analysis.explain(subject), analysis.egress_path(subject)
    render(args.output, lambda _wide: netpol_text.explanation_lines(e, paths),
           lambda: netpol_text.explanation_json(e, paths))
    return 0


EXIT_UNKNOWN = 3


def port_name(spec: str) -> tuple[str, str] | None:
    """(name, PROTO) when `spec` names a port (`http`, `dns/UDP`), else None."""
    name, _, proto = spec.strip().partition("/")
    proto = (proto or "TCP").upper()
    if not name or name[0].isdigit() or proto not in PROTOCOLS:
        return None
    return name, proto


def port_of(spec: str, dst: Peer | None) -> tuple[int, str]:
    """`443`, `53/UDP`, or a port name the destination declares (what a NetworkPolicy named port
    resolves to on it)."""
    named = port_name(spec)
    if named is None or dst is None:
        try:
            return parse_port_spec(spec)
        except PortSpecError as exc:
            if named is None:
                raise CliError(f"--port {spec}: {exc}") from None
            return 0, named[1]  # resolved once the destination is known
    name, proto = named
    numbers = named_ports(dst).get((name, proto)) if isinstance(dst, Subject) else None
    if not numbers:
        raise CliError(f"--port {spec}: the destination declares no {proto} port named {name!r}")
    return numbers[0], proto


def cmd_can_reach(args: argparse.Namespace) -> int:
    port, proto = port_of(args.port, None)  # a bad number or protocol: refused before loading
    _, analysis = load_analysis(args)
    ns = _default_ns(args)
    src, dst = _peer(analysis, args.src, ns), _peer(analysis, args.dst, ns)
    if port_name(args.port) is not None:
        port, proto = port_of(args.port, dst)
    verdict = analysis.can_reach(src, dst, port, proto)
    render(args.output, lambda _wide: netpol_text.verdict_lines(verdict), lambda: netpol_text.verdict_json(verdict))
    if verdict.unknown is not None:
        return EXIT_UNKNOWN  # depends on what could not be read: neither yes (0) nor no (1)
    return 0 if verdict.allowed else 1


def in_namespace(analysis: Analysis, conns: list[Connection], namespace: str | None) -> list[Connection]:
    """kubectl get -n: the pairs with a workload of `namespace` at either end (by what each name
    stands for, Analysis.connection_ends, never by its text)."""
    if namespace is None:
        return conns
    ends = analysis.connection_ends

    def here(name: str) -> bool:
        end = ends.get(name)
        return isinstance(end, WorkloadId) and end.namespace == namespace

    return [c for c in conns if here(c.src) or here(c.dst)]


def cmd_connectivity(args: argparse.Namespace) -> int:
    _, analysis = load_analysis(args)
    conns = in_namespace(analysis, analysis.connectivity, shown_namespace(args))
    render(args.output, lambda _wide: netpol_text.connectivity_lines(conns),
           lambda: netpol_text.connectivity_json(conns))
    return 0
