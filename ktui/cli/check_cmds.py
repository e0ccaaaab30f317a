"""`ktui check` (the findings, for CI) and `ktui diff OLD NEW` (what a change does to posture).

Exit codes: 0 nothing at or above --fail-on (check) / not widening (diff); 1 findings at or above
--fail-on / NEW more open with --fail-on-widening; 2 an error (bad input, unknown code, no cluster).
"""

from __future__ import annotations

import argparse
import os
import sys

from ktui.analysis.analysis import Analysis
from ktui.analysis.diff import diff_states
from ktui.analysis.findings import Severity, at_or_above, detect_cni, namespace_scores, resolve_code
from ktui.cli.analyse import load_analysis
from ktui.cli.common import EXIT_FINDINGS, EXIT_OK, CliError, add_output_option, add_source_options, emit
from ktui.render.diff_text import diff_json, diff_lines
from ktui.render.findings_text import report_json, report_lines
from ktui.render.sarif import sarif_log

DEFAULT_FAIL_ON = "high"
CONTEXT_PREFIX = "context:"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="the findings; exit 1 when any is at or above --fail-on")
    add_source_options(p, sub=True)
    add_output_option(p, ("table", "json", "sarif"), "table")
    p.add_argument("--fail-on", metavar="SEVERITY", default=DEFAULT_FAIL_ON,
                   help="exit 1 when a finding is at or above this: info, low, medium, high (default), critical")
    p.add_argument("--ignore", metavar="CODE", action="append", default=[],
                   help="leave out a finding code or slug (repeatable, or comma-separated)")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("diff", help="what NEW changes in posture compared with OLD")
    p.add_argument("old", metavar="OLD", help="manifests (PATH[,PATH...]) or a context (context:NAME, or NAME)")
    p.add_argument("new", metavar="NEW", help="manifests (PATH[,PATH...]) or a context (context:NAME, or NAME)")
    p.add_argument("--kubeconfig", metavar="FILE", default=argparse.SUPPRESS, help="kubeconfig file")
    p.add_argument("-n", "--namespace", metavar="NS", default=argparse.SUPPRESS,
                   help="default namespace for manifests; scope for a cluster")
    add_output_option(p, ("table", "json"), "table")
    p.add_argument("--fail-on-widening", action="store_true", help="exit 1 when NEW is more open than OLD")
    p.set_defaults(handler=cmd_diff)


def parse_severity(text: str) -> Severity:
    try:
        return Severity.parse(text)
    except ValueError as exc:
        raise CliError(f"--fail-on: {exc}") from None


def parse_ignore(values: list[str]) -> set[str]:
    codes: set[str] = set()
    for value in values:
        for part in filter(None, (p.strip() for p in value.split(","))):
            code = resolve_code(part)
            if code is None:
                raise CliError(f"--ignore: unknown finding code {part!r} (see docs/findings.md)")
            codes.add(code)
    return codes


def cmd_check(args: argparse.Namespace) -> int:
    fail_on = parse_severity(args.fail_on)
    ignore = parse_ignore(args.ignore)
    loaded, analysis = load_analysis(args, warn_manifest_problems=False)  # from manifests they are findings
    manifests = loaded.origin == "manifests"
    found = [f for f in analysis.findings if f.code not in ignore]
    if args.output == "sarif":
        from importlib.metadata import PackageNotFoundError, version

        try:
            ver = version("ktui")
        except PackageNotFoundError:
            ver = "0"
        emit(sarif_log(found, ver), "json")
    else:
        scores = namespace_scores(found, loaded.state.namespace_names())
        cni = detect_cni(loaded.state) if not manifests or loaded.state.count("DaemonSet") else None
        if args.output == "json":
            emit(report_json(found, scores, fail_on, cni), "json")
        else:
            print("\n".join(report_lines(found, scores, fail_on, cni)))
    return EXIT_FINDINGS if at_or_above(found, fail_on) else EXIT_OK


def side_args(spec: str, args: argparse.Namespace) -> argparse.Namespace:
    """OLD/NEW: existing path(s) are manifests; `context:NAME` (or any other word) is a context."""
    base = {"kubeconfig": getattr(args, "kubeconfig", None), "namespace": getattr(args, "namespace", None),
            "manifests": None, "context": None}
    if spec.startswith(CONTEXT_PREFIX):
        name = spec[len(CONTEXT_PREFIX):]
        if not name:
            raise CliError(f"{spec!r}: no context name after {CONTEXT_PREFIX}")
        return argparse.Namespace(**{**base, "context": name})
    if os.path.exists(spec):
        return argparse.Namespace(**{**base, "manifests": [spec]})
    parts = [p for p in spec.split(",") if p]
    if len(parts) > 1:
        missing = [p for p in parts if not os.path.exists(p)]
        if missing:
            raise CliError(f"no such file or directory: {', '.join(missing)}")
        return argparse.Namespace(**{**base, "manifests": parts})
    if os.sep in spec or spec.endswith((".yaml", ".yml", ".json")):
        raise CliError(f"no such file or directory: {spec}")
    return argparse.Namespace(**{**base, "context": spec})


def cmd_diff(args: argparse.Namespace) -> int:
    sides = []
    for spec in (args.old, args.new):
        _, analysis = load_analysis(side_args(spec, args), warn_manifest_problems=False)
        sides.append(analysis)
    old, new = sides
    # both sides judged alike: findings that need the whole cluster only when both are one
    complete = old.complete and new.complete
    if old.complete != complete or new.complete != complete:
        old = Analysis.of(old.state, live=old.live, complete=complete, problems=old.problems, unseen=old.unseen)
        new = Analysis.of(new.state, live=new.live, complete=complete, problems=new.problems, unseen=new.unseen)
    d = diff_states(old, new)
    if args.output == "json":
        emit(diff_json(d, args.old, args.new), "json")
    else:
        sys.stdout.write("\n".join(diff_lines(d, args.old, args.new)) + "\n")
    return EXIT_FINDINGS if args.fail_on_widening and d.widening else EXIT_OK
