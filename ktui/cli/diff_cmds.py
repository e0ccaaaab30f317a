"""`ktui diff`: what NEW changes in posture compared with OLD (hosts, egress classes, connections,
findings), each side manifests or a context.

A side is named positionally (OLD NEW: existing path(s), `PATH,PATH`, `context:NAME` or a context
name) or by flags (`--old-manifests PATH` / `--new-manifests PATH`, repeatable, or `--old-context`
/ `--new-context`); the positionals fill the sides no flag named, in order. Exit codes: 0 not
widening (or no --fail-on-widening), 1 NEW more open with --fail-on-widening, 2 an error.
"""

from __future__ import annotations

import argparse
import dataclasses
import os

from ktui.analysis.analysis import Analysis
from ktui.analysis.core.subjects import WorkloadId
from ktui.analysis.diff import PostureDiff, diff_states
from ktui.cli.analyse import load_analysis
from ktui.cli.check_cmds import in_namespace
from ktui.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    CliError,
    add_namespace_options,
    add_output_option,
    render,
    shown_namespace,
)
from ktui.render.diff_text import diff_json, diff_lines

CONTEXT_PREFIX = "context:"
SIDES = ("old", "new")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("diff", help="what NEW changes in posture compared with OLD")
    p.add_argument("sides", nargs="*", metavar="OLD NEW",
                   help="manifests (PATH[,PATH...]) or a context (context:NAME, or NAME), for the sides "
                        "no --old-*/--new-* option names")
    for side in SIDES:
        p.add_argument(f"--{side}-manifests", action="append", metavar="PATH", default=None,
                       help=f"{side.upper()} from manifests (files or directories, recursive; repeatable)")
        p.add_argument(f"--{side}-context", metavar="NAME", default=None, help=f"{side.upper()} from a context")
    p.add_argument("--kubeconfig", metavar="FILE", default=argparse.SUPPRESS, help="kubeconfig file")
    add_namespace_options(p, sub=True)
    add_output_option(p)
    p.add_argument("--fail-on-widening", action="store_true", help="exit 1 when NEW is more open than OLD")
    p.set_defaults(handler=cmd_diff)


def _base(args: argparse.Namespace) -> dict[str, object]:
    return {"kubeconfig": getattr(args, "kubeconfig", None), "namespace": getattr(args, "namespace", None),
            "max_file_size": getattr(args, "max_file_size", None), "manifests": None, "context": None}


def _manifests(paths: list[str], args: argparse.Namespace) -> argparse.Namespace:
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise CliError(f"no such file or directory: {', '.join(missing)}")
    return argparse.Namespace(**{**_base(args), "manifests": paths})


def side_args(spec: str, args: argparse.Namespace) -> argparse.Namespace:
    """OLD/NEW: existing path(s) are manifests; `context:NAME` (or any other word) is a context."""
    if spec.startswith(CONTEXT_PREFIX):
        name = spec[len(CONTEXT_PREFIX):]
        if not name:
            raise CliError(f"{spec!r}: no context name after {CONTEXT_PREFIX}")
        return argparse.Namespace(**{**_base(args), "context": name})
    if os.path.exists(spec):
        return _manifests([spec], args)
    parts = [p for p in spec.split(",") if p]
    if len(parts) > 1:
        return _manifests(parts, args)
    if os.sep in spec or spec.endswith((".yaml", ".yml", ".json")):
        raise CliError(f"no such file or directory: {spec}")
    return argparse.Namespace(**{**_base(args), "context": spec})


def resolve_sides(args: argparse.Namespace) -> list[tuple[str, argparse.Namespace]]:
    """(label, options) for OLD and NEW: a side's flags, else the next positional."""
    positional = list(args.sides)
    out: list[tuple[str, argparse.Namespace]] = []
    for side in SIDES:
        paths, context = getattr(args, f"{side}_manifests"), getattr(args, f"{side}_context")
        if paths and context:
            raise CliError(f"--{side}-manifests and --{side}-context: give one")
        if paths:
            out.append((",".join(paths), _manifests(paths, args)))
        elif context:
            out.append((f"{CONTEXT_PREFIX}{context}", argparse.Namespace(**{**_base(args), "context": context})))
        elif positional:
            spec = positional.pop(0)
            out.append((spec, side_args(spec, args)))
        else:
            raise CliError(f"no {side.upper()} side: give OLD NEW, or --{side}-manifests PATH / --{side}-context NAME")
    if positional:
        raise CliError(f"unexpected argument(s): {' '.join(positional)} (both sides are already named)")
    return out


def _namespace_of(name: str, ends: dict[str, object]) -> str | None:
    """The namespace of a workload named in a diff (by what the name stands for when known)."""
    end = ends.get(name)
    if isinstance(end, WorkloadId):
        return end.namespace
    if end is not None or name.endswith("[External]") or "/" not in name:
        return None
    return name.split("/", 1)[0]


def in_scope(d: PostureDiff, namespace: str | None, old: Analysis, new: Analysis) -> PostureDiff:
    """kubectl get -n: the changes about NS (hosts there, its workloads' egress, pairs with an end
    there, its findings and the cluster-scoped ones); both sides were still analysed whole."""
    if namespace is None:
        return d
    ends: dict[str, object] = {**old.connection_ends, **new.connection_ends}

    def here(name: str) -> bool:
        return _namespace_of(name, ends) == namespace

    return dataclasses.replace(
        d,
        hosts_added=[h for h in d.hosts_added if h.namespace == namespace],
        hosts_removed=[h for h in d.hosts_removed if h.namespace == namespace],
        egress_changes=[e for e in d.egress_changes if here(e.workload)],
        connections_added=[c for c in d.connections_added if here(c.src) or here(c.dst)],
        connections_removed=[c for c in d.connections_removed if here(c.src) or here(c.dst)],
        findings_added=in_namespace(d.findings_added, namespace),
        findings_fixed=in_namespace(d.findings_fixed, namespace),
    )


def cmd_diff(args: argparse.Namespace) -> int:
    (old_label, old_args), (new_label, new_args) = resolve_sides(args)
    _, old = load_analysis(old_args, warn_manifest_problems=False)
    _, new = load_analysis(new_args, warn_manifest_problems=False)
    # both sides judged alike: findings that need the whole cluster only when both are one
    complete = old.complete and new.complete
    if old.complete != complete or new.complete != complete:
        old = Analysis.of(old.state, live=old.live, complete=complete, problems=old.problems, unseen=old.unseen)
        new = Analysis.of(new.state, live=new.live, complete=complete, problems=new.problems, unseen=new.unseen)
    d = in_scope(diff_states(old, new), shown_namespace(args), old, new)
    render(args.output, lambda wide: diff_lines(d, old_label, new_label, wide),
           lambda: diff_json(d, old_label, new_label))
    return EXIT_FINDINGS if args.fail_on_widening and d.widening else EXIT_OK
