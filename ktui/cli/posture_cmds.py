"""`ktui posture`: the overview as data, per namespace (docs/posture.md); the TUI renders the same."""

from __future__ import annotations

import argparse

from ktui.analysis.posture import PostureReport
from ktui.cli.analyse import load_analysis
from ktui.cli.common import EXIT_OK, add_output_option, add_source_options, emit
from ktui.render.posture_text import posture_json, posture_lines


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("posture", help="the overview as data: isolation, egress, DNS, hosts, findings per namespace")
    add_source_options(p, sub=True)
    add_output_option(p, ("table", "json", "yaml"), "table")
    p.set_defaults(handler=cmd_posture)


def cmd_posture(args: argparse.Namespace) -> int:
    _, analysis = load_analysis(args, warn_manifest_problems=False)
    report = analysis.posture
    namespace = getattr(args, "namespace", None)
    if namespace:  # like `ktui hosts -n`: that namespace alone (cluster-scoped findings stay)
        report = PostureReport(tuple(n for n in report.namespaces if n.namespace == namespace),
                              report.cluster_findings)
    if args.output == "table":
        print("\n".join(posture_lines(report)))
    else:
        emit(posture_json(report), args.output)
    return EXIT_OK
