"""The `ktui` command (also `kubectl ktui`): the TUI by default, subcommands for scripts and CI."""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Callable, Iterator, Sequence

from ktui.cli.common import EXIT_ERROR, CliError, add_source_options
from ktui.render.safe import clean
from ktui.sources.collector import Pace

# Subcommand modules: each has register(subparsers). Listed here, in the order `--help` shows.
_COMMAND_MODULES = (
    "ktui.cli.tui_cmds",
    "ktui.cli.netpol_cmds",
    "ktui.cli.exposure_cmds",
    "ktui.cli.check_cmds",
    "ktui.cli.diff_cmds",
    "ktui.cli.posture_cmds",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ktui",
        description="The traffic posture of a Kubernetes cluster: exposure, egress, policies.",
    )
    add_source_options(parser, tui=True)  # options before a subcommand: the subcommand's own help says what -n does
    from ktui.cli.tui_cmds import add_tui_options

    add_tui_options(parser)  # `ktui --theme light`: the TUI is what `ktui` alone runs
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import importlib

    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # a command group not built yet
            raise
        module.register(sub)
    return parser


TUI_COMMANDS = (None, "demo")  # long-lived: the collector keeps its defaults there


@contextlib.contextmanager
def one_shot_gc() -> Iterator[None]:
    """A command reads the cluster once, answers and exits, and what it reads lives until then:
    the collector's frequent passes over those objects find nothing to free (a sixth of `ktui
    check` at 10,000 pods). Collect rarely while the command runs; the previous setting after."""
    pace = Pace()
    pace.slow()
    try:
        yield
    finally:
        pace.settle(freeze=False)


def main(argv: Sequence[str] | None = None) -> int:
    """The `ktui` command. Called as the process's entry (argv None: the console script, `python
    -m ktui`), a one-shot command also spares the interpreter's exit a last collection walking
    every object it read (half a second after `ktui check` at 10,000 pods): they are frozen."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        from ktui.cli import tui_cmds

        handler = getattr(tui_cmds, "run_tui", None)
        if handler is None:
            parser.print_help()
            return 0
    if args.command in TUI_COMMANDS:
        return _run(handler, args)
    with one_shot_gc():
        code = _run(handler, args)
    if argv is None:
        gc.freeze()  # the process exits next
    return code


def _run(handler: Callable[[argparse.Namespace], int | None], args: argparse.Namespace) -> int:
    try:
        return int(handler(args) or 0)
    except CliError as exc:
        print(f"ktui: {clean(exc)}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last line of defence: one line, never a traceback
        if "KTUI_DEBUG" in __import__("os").environ:
            raise
        print(f"ktui: internal error: {type(exc).__name__}: {clean(exc)}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
