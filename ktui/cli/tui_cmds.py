"""`ktui` (the TUI on the current context or on --manifests) and `ktui demo` (the bundled cluster).

The source is started before the app runs so that an unreachable cluster is one clear line on the
terminal (naming the context and suggesting `ktui demo`), never a half-drawn screen; Textual and
the app are imported just before it starts (`_import_app`), not while the first list decodes:
both hold the GIL, and taken together they took 0.4 s longer at 10,000 pods.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from ktui.cli.common import CliError, add_source_options


def add_tui_options(parser: argparse.ArgumentParser, sub: bool = False) -> None:
    parser.add_argument(
        "--theme", metavar="NAME|PATH", default=argparse.SUPPRESS if sub else None,
        help="dark (default), light, high-contrast, or a theme YAML file; also $KTUI_THEME",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="the TUI on the bundled demo cluster (no cluster needed)")
    add_tui_options(p, sub=True)
    p.add_argument("--no-churn", action="store_true", help="keep the demo cluster still")
    add_source_options(p, sub=True, tui=True)
    p.set_defaults(handler=cmd_demo)


def _theme(args: argparse.Namespace) -> str | None:
    """The theme asked for, checked before any source starts (a typo fails fast, in one line)."""
    from ktui.tui.themes import ThemeError, load_theme, resolve

    spec = getattr(args, "theme", None) or os.environ.get("KTUI_THEME") or None
    try:
        load_theme(resolve(spec))
    except ThemeError as exc:
        raise CliError(str(exc)) from None
    return spec


def _import_app() -> None:
    """Textual and the app, loaded now: before the source's threads start decoding."""
    import ktui.tui.app  # noqa: F401


def _run(source: Any, context: str, theme: str | None, cleanup: Any = None, live: bool = False) -> int:
    from ktui.tui.app import KtuiApp
    from ktui.tui.bridge import Bridge

    try:
        app = KtuiApp(Bridge(source, context=context, live=live), theme=theme, start_source=False)
        app.run()
    finally:
        source.stop()
        if cleanup is not None:
            cleanup()
    return 0


def run_tui(args: argparse.Namespace) -> int:
    """`ktui` with no subcommand: --manifests if given, else the kubeconfig's context."""
    manifests = getattr(args, "manifests", None)
    namespace = getattr(args, "namespace", None)
    theme = _theme(args)
    if manifests:
        from ktui.cli.common import max_file_size
        from ktui.sources.manifests import ManifestSource, path_errors

        if errors := path_errors(manifests, max_file_size(args)):
            raise CliError("; ".join(str(p) for p in errors))
        source: Any = ManifestSource(manifests, namespace or "default", max_file_size(args))
        _import_app()
        source.start()
        return _run(source, "manifests: " + ", ".join(manifests), theme)
    from ktui.sources.cluster import ClusterError, ClusterSource

    try:
        source = ClusterSource(getattr(args, "kubeconfig", None), getattr(args, "context", None), namespace)
        _import_app()
        source.start()
    except ClusterError as exc:
        raise CliError(str(exc)) from None
    return _run(source, source.context, theme, live=not namespace)


def cmd_demo(args: argparse.Namespace) -> int:
    theme = _theme(args)
    try:
        from ktui.sources.demo import DemoCluster
    except ImportError:
        raise CliError("the demo cluster is not available in this build (ktui.sources.demo)") from None
    from ktui.sources.cluster import ClusterError

    _import_app()
    demo = DemoCluster(churn=not args.no_churn).start()
    try:
        source = demo.source()
        source.start()
    except ClusterError as exc:
        demo.stop()
        raise CliError(f"the demo cluster did not start: {exc}") from None
    return _run(source, source.context, theme, cleanup=demo.stop, live=True)
