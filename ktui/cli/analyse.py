"""From command-line options to the one Analysis of the loaded state, the same way for every
command: live or manifests, the whole cluster or a namespace, the kinds the source could not see."""

from __future__ import annotations

import argparse

from ktui.analysis.analysis import Analysis
from ktui.cli.common import CliError, Loaded, load_state, report_problems, shown_namespace
from ktui.sources.base import SyncState


def scope(loaded: Loaded, scoped: bool) -> tuple[bool, bool, frozenset[str]]:
    """(live, complete, unseen kinds): a live snapshot of all namespaces is the whole cluster."""
    live = loaded.origin != "manifests"
    complete = live and not scoped
    unseen = frozenset(k for k, st in loaded.statuses.items() if st.state is not SyncState.LIVE)
    return live, complete, unseen


def analysis_of(loaded: Loaded, scoped: bool = False) -> Analysis:
    """The Analysis every command reads. From manifests, what the loader could not read becomes
    findings (and is not also printed as warnings); from a cluster, warnings on stderr."""
    live, complete, unseen = scope(loaded, scoped)
    return Analysis.of(loaded.state, live=live, complete=complete, unseen=unseen,
                       problems=() if live else loaded.problems)


def forbidden_across_namespaces(loaded: Loaded) -> list[str]:
    """The namespaced kinds this token may not list in every namespace (it may still in one)."""
    from ktui.model.kinds import BY_KIND

    return sorted(kind for kind, st in loaded.statuses.items()
                  if st.state is SyncState.FORBIDDEN and (info := BY_KIND.get(kind)) is not None and info.namespaced)


def load_scoped(args: argparse.Namespace) -> tuple[Loaded, bool]:
    """-n filters what is shown, not what is read: the whole cluster is listed so that a policy
    in another namespace still counts. When the token may not list some namespaced kind in every
    namespace, NS alone is listed instead (what it may read there, as before -n filtered): then
    the state is not the whole cluster, and what it may not read is unseen, as everywhere."""
    from ktui.sources.kubeclient import ClusterError

    namespace = shown_namespace(args)
    try:
        loaded = load_state(args)
        if namespace and loaded.origin != "manifests" and forbidden_across_namespaces(loaded):
            return load_state(args, list_scope=namespace), True
    except ClusterError as exc:
        raise CliError(str(exc)) from None
    return loaded, False


def load_analysis(args: argparse.Namespace, *, warn_manifest_problems: bool = True) -> tuple[Loaded, Analysis]:
    """Load the state the options name and analyse it; problems go to stderr (one line each)."""
    loaded, scoped = load_scoped(args)
    if loaded.origin != "manifests" or warn_manifest_problems:
        report_problems(loaded)
    return loaded, analysis_of(loaded, scoped)
