"""Options every subcommand shares (kubectl conventions) and getting a ClusterState from them."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from typing import Any

import msgspec
import yaml

from ktui.sources.base import Loaded

__all__ = ["EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "OUTPUTS", "CliError", "Loaded", "add_output_option", "emit",
           "load_state", "render", "shown_namespace"]

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class CliError(Exception):
    """A user-facing error: printed as one line, exit code 2 unless said otherwise."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def add_source_options(parser: argparse.ArgumentParser, sub: bool = False, tui: bool = False) -> None:
    """--manifests, --kubeconfig, --context, -n, -A. On subparsers they default to SUPPRESS so a
    value given before the subcommand is not overwritten."""
    d = argparse.SUPPRESS if sub else None
    parser.add_argument(
        "--manifests", "-f", action="append", metavar="PATH", default=d,
        help="read manifests (files or directories, recursive) instead of a cluster",
    )
    parser.add_argument(
        "--max-file-size", metavar="SIZE", default=d, type=_size,
        help="largest manifest file read (default 64Mi; e.g. 256Mi, 1G)",
    )
    parser.add_argument("--kubeconfig", metavar="FILE", default=d, help="kubeconfig file")
    parser.add_argument("--context", metavar="NAME", default=d, help="kubeconfig context")
    add_namespace_options(parser, sub, tui)


def add_namespace_options(parser: argparse.ArgumentParser, sub: bool = False, tui: bool = False) -> None:
    """-n / -A with kubectl get semantics: -n shows only what belongs to NS (the analysis still
    reads every namespace it can); -A shows all namespaces and wins over -n. The TUI (`tui`)
    still watches NS alone."""
    d = argparse.SUPPRESS if sub else None
    parser.add_argument(
        "-n", "--namespace", metavar="NS", default=d,
        help="the TUI: watch namespace NS only (default namespace for manifests)" if tui else
             "show only namespace NS (the analysis still sees every namespace); "
             "also the namespace of manifest objects that name none",
    )
    parser.add_argument(
        "-A", "--all-namespaces", action="store_true", default=d if sub else False,
        help="all namespaces (the default; wins over -n)",
    )


def shown_namespace(args: argparse.Namespace) -> str | None:
    """The namespace whose answers are shown (None: every namespace)."""
    if getattr(args, "all_namespaces", False):
        return None
    return getattr(args, "namespace", None) or None


def _size(text: str) -> int:
    from ktui.sources.manifests_files import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def max_file_size(args: argparse.Namespace) -> int:
    from ktui.sources.manifests_files import DEFAULT_MAX_FILE_SIZE

    return getattr(args, "max_file_size", None) or DEFAULT_MAX_FILE_SIZE


OUTPUTS = ("table", "wide", "json", "yaml")  # every command; a few add one (check: sarif, connectivity: txt)


def add_output_option(parser: argparse.ArgumentParser, extra: tuple[str, ...] = (), default: str = "table") -> None:
    """-o table (default) | wide | json | yaml, the same on every command, plus `extra`."""
    choices = OUTPUTS + tuple(x for x in extra if x not in OUTPUTS)
    parser.add_argument("-o", "--output", choices=choices, default=default,
                        help=f"output format: {' | '.join(choices)} (default {default})")


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def render(fmt: str, lines: Callable[[bool], list[str]], data: Callable[[], Any], empty: str = "") -> None:
    """The one renderer selection: json/yaml emit `data()`, table/wide (and txt) print
    `lines(wide)`, or `empty` when there are none."""
    if fmt in ("json", "yaml"):
        emit(data(), fmt)
        return
    out = lines(fmt == "wide")
    if out:
        print("\n".join(out))
    elif empty:
        print(empty)


def load_state(args: argparse.Namespace, list_scope: str | None = None) -> Loaded:
    """The objects to analyse: from --manifests (-n: the namespace of objects that name none), or
    one full list of the live cluster (every namespace, or only `list_scope`)."""
    manifests = getattr(args, "manifests", None)
    namespace = getattr(args, "namespace", None)
    if manifests:
        from ktui.sources.manifests import load_paths

        state, report = load_paths(manifests, namespace or "default", max_file_size(args))
        if report.fatal:  # a missing or unreadable path: an answer without it would be wrong
            fatal = set(report.fatal)
            report_problems(Loaded(state, [p for p in report.problems if p not in fatal]))
            raise CliError("; ".join(str(p) for p in report.fatal))
        return Loaded(state, report.problems, {}, "manifests")
    from ktui.sources.cluster import ClusterError, snapshot

    try:
        return snapshot(
            kubeconfig=getattr(args, "kubeconfig", None),
            context=getattr(args, "context", None),
            namespace=list_scope,
        )
    except ClusterError as exc:
        raise CliError(str(exc)) from None


def report_problems(loaded: Loaded) -> None:
    """Problems go to stderr, one line each, so stdout stays machine-readable."""
    from ktui.render.safe import clean

    for problem in loaded.problems:
        print(f"ktui: warning: {clean(problem)}", file=sys.stderr)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _escape(match: re.Match[str]) -> str:
    """json's ensure_ascii for one character: bidi and C1 controls never reach a terminal raw."""
    code = ord(match.group())
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 | code >> 10:04x}\\u{0xDC00 | code & 0x3FF:04x}"
    return f"\\u{code:04x}"


def emit(data: Any, fmt: str) -> None:
    if fmt == "json":
        # msgspec: about 19x faster than json.dump(indent=2) (pure-Python encoder) on 100,000 host rows;
        # the same text (ASCII-only, two-space indent, insertion order)
        try:
            text = msgspec.json.format(msgspec.json.encode(data), indent=2).decode()
        except (TypeError, UnicodeEncodeError, msgspec.EncodeError):  # a non-UTF-8 file name
            text = json.dumps(data, indent=2)
        if not text.isascii():
            text = _NON_ASCII.sub(_escape, text)
        sys.stdout.write(text)
        sys.stdout.write("\n")
    elif fmt == "yaml":
        yaml.safe_dump(data, sys.stdout, sort_keys=False)
    else:
        raise CliError(f"unknown output format {fmt}")
