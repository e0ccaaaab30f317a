"""`ktui check`: the findings, for CI (`ktui diff` is in diff_cmds.py).

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above --fail-on; 2 an error (bad
input, unknown code, no cluster).
"""

from __future__ import annotations

import argparse

from ktui.analysis.findings import Finding, Severity, at_or_above, detect_cni, namespace_scores, resolve_code
from ktui.cli.analyse import load_analysis
from ktui.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    CliError,
    add_output_option,
    add_source_options,
    emit,
    render,
    shown_namespace,
)
from ktui.render.findings_text import report_json, report_lines
from ktui.render.sarif import sarif_log

DEFAULT_FAIL_ON = "high"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="the findings; exit 1 when any is at or above --fail-on")
    add_source_options(p, sub=True)
    add_output_option(p, ("sarif",))
    p.add_argument("--fail-on", metavar="SEVERITY", default=DEFAULT_FAIL_ON,
                   help="exit 1 when a finding is at or above this: info, low, medium, high (default), critical")
    p.add_argument("--ignore", metavar="CODE", action="append", default=[],
                   help="leave out a finding code or slug (repeatable, or comma-separated)")
    p.set_defaults(handler=cmd_check)


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
    namespace = shown_namespace(args)
    found = [f for f in in_namespace(analysis.findings, namespace) if f.code not in ignore]
    if args.output == "sarif":
        from importlib.metadata import PackageNotFoundError, version

        try:
            ver = version("ktui")
        except PackageNotFoundError:
            ver = "0"
        emit(sarif_log(found, ver), "json")
    else:
        scores = namespace_scores(found, [namespace] if namespace else loaded.state.namespace_names())
        cni = detect_cni(loaded.state) if not manifests or loaded.state.count("DaemonSet") else None
        render(args.output, lambda wide: report_lines(found, scores, fail_on, cni, wide),
               lambda: report_json(found, scores, fail_on, cni))
    return EXIT_FINDINGS if at_or_above(found, fail_on) else EXIT_OK


def in_namespace(found: list[Finding], namespace: str | None) -> list[Finding]:
    """kubectl get -n: the findings about objects of `namespace`, and the cluster-scoped ones
    (as kubectl lists cluster-scoped objects whatever -n says; `ktui posture -n` keeps them too)."""
    if namespace is None:
        return found
    return [f for f in found if f.object.namespace in (namespace, "")]
