"""From command-line options to the one Analysis of the loaded state, the same way for every
command: live or manifests, the whole cluster or a namespace, the kinds the source could not see."""

from __future__ import annotations

import argparse

from ktui.analysis.analysis import Analysis
from ktui.cli.common import CliError, Loaded, load_state, report_problems
from ktui.sources.base import SyncState


def scope(args: argparse.Namespace, loaded: Loaded) -> tuple[bool, bool, frozenset[str]]:
    """(live, complete, unseen kinds): a live snapshot of all namespaces is the whole cluster."""
    live = loaded.origin != "manifests"
    complete = live and not getattr(args, "namespace", None)
    unseen = frozenset(k for k, st in loaded.statuses.items() if st.state is not SyncState.LIVE)
    return live, complete, unseen


def analysis_of(args: argparse.Namespace, loaded: Loaded) -> Analysis:
    """The Analysis every command reads. From manifests, what the loader could not read becomes
    findings (and is not also printed as warnings); from a cluster, warnings on stderr."""
    live, complete, unseen = scope(args, loaded)
    return Analysis.of(loaded.state, live=live, complete=complete, unseen=unseen,
                       problems=() if live else loaded.problems)


def load_analysis(args: argparse.Namespace, *, warn_manifest_problems: bool = True) -> tuple[Loaded, Analysis]:
    """Load the state the options name and analyse it; problems go to stderr (one line each)."""
    from ktui.sources.kubeclient import ClusterError

    try:
        loaded = load_state(args)
    except ClusterError as exc:
        raise CliError(str(exc)) from None
    if loaded.origin != "manifests" or warn_manifest_problems:
        report_problems(loaded)
    return loaded, analysis_of(args, loaded)
