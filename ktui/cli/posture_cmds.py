"""`ktui posture`: the overview as data, per namespace (docs/posture.md); the TUI renders the same."""

from __future__ import annotations

import argparse

from ktui.analysis.posture import PostureReport
from ktui.cli.analyse import load_analysis
from ktui.cli.common import EXIT_OK, add_output_option, add_source_options, render, shown_namespace
from ktui.render.posture_text import posture_json, posture_lines


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("posture", help="the overview as data: isolation, egress, DNS, hosts, findings per namespace")
    add_source_options(p, sub=True)
    add_output_option(p)  # wide prints the table: every column is already there
    p.set_defaults(handler=cmd_posture)


def cmd_posture(args: argparse.Namespace) -> int:
    _, analysis = load_analysis(args, warn_manifest_problems=False)
    report = analysis.posture
    namespace = shown_namespace(args)
    if namespace:  # like `ktui hosts -n`: that namespace alone (cluster-scoped findings stay)
        report = PostureReport(tuple(n for n in report.namespaces if n.namespace == namespace),
                              report.cluster_findings)
    render(args.output, lambda _wide: posture_lines(report), lambda: posture_json(report))
    return EXIT_OK
