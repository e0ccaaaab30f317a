"""The catalogue behind `ktui check`: every check over one ClusterState, sorted and filtered.

`findings(state, problems, complete=...)` runs them all. Problems the loader reported (objects it
rejected, files it could not read) become findings too, so a broken manifest fails a pipeline
instead of silently shrinking what was analysed. Codes, severities and fixes: findings_catalogue
and docs/findings.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from ktui.analysis.findings.catalogue import CATALOGUE, Finding, ObjectRef, Severity, finding, ref
from ktui.analysis.findings.cni import Enforcement, detect_cni
from ktui.analysis.findings.cni_policies import cni_policy_findings
from ktui.analysis.findings.context import CheckContext
from ktui.analysis.findings.exposure import (
    endpoint_findings,
    ingress_backend_findings,
    ingress_class_findings,
    retired_nginx_findings,
    target_port_findings,
    tls_secret_findings,
)
from ktui.analysis.findings.netpol import posture_findings, shadowed_deny_findings, snat_ipblock_findings
from ktui.analysis.findings.peers import (
    ipblock_pod_findings,
    named_port_findings,
    peer_findings,
    selects_nothing_findings,
)
from ktui.analysis.findings.routes import gateway_cert_findings, route_acceptance_findings, route_backend_findings
from ktui.analysis.policy import priority_conflicts
from ktui.store import ClusterState

__all__ = [
    "CATALOGUE", "REGISTRY", "Finding", "ObjectRef", "RegisteredCheck", "Severity", "findings", "namespace_scores",
    "problem_findings",
]


class ProblemLike(Protocol):
    """What a source reports about input it could not read (ktui.sources.base.Problem)."""

    @property
    def where(self) -> str: ...

    @property
    def message(self) -> str: ...


def admin_priority_findings(ctx: CheckContext) -> list[Finding]:
    """AP001: admin policies of one tier sharing a priority, whose relative order is undefined."""
    out = []
    for conflict in priority_conflicts(ctx.state):
        kind, _, name = conflict.policies[0].partition("/")
        out.append(finding(
            "KTUI-AP001", ref(ctx.state, kind, "", name),
            f"{len(conflict.policies)} {conflict.tier}-tier policies share priority {conflict.priority} "
            f"({', '.join(conflict.policies)}): which one decides first is undefined, so the verdict "
            "may differ between implementations",
            detail=f"priority {conflict.priority}",
        ))
    return out


def cni_findings(ctx: CheckContext) -> list[Finding]:
    """CNI001 when policies exist but the plugin ignores them; CNI002 (live only) when unknown."""
    if not ctx.state.count("NetworkPolicy"):
        return []
    verdict = detect_cni(ctx.state)
    n = ctx.state.count("NetworkPolicy")
    if verdict.enforcement is Enforcement.NOT_ENFORCING:
        e = verdict.evidence[0]
        return [finding(
            "KTUI-CNI001", ref(ctx.state, e.kind, e.namespace, e.name),
            f"{n} NetworkPolicy object(s) but the network plugin does not enforce them ({verdict.describe()}): "
            "all traffic is allowed regardless",
        )]
    if verdict.enforcement is Enforcement.UNKNOWN and ctx.complete:
        return [finding(
            "KTUI-CNI002", ObjectRef("Cluster", "", "network plugin"),
            f"{n} NetworkPolicy object(s); whether they are enforced is {verdict.describe()}",
        )]
    return []


_OBJECT = re.compile(r"^(<no kind>|[A-Z][A-Za-z0-9]*) (?:([^\s/]+)/)?([^\s:]+): (.*)$", re.S)
_DUPLICATE = re.compile(r"^(\S+) (?:([^\s/]+)/)?(\S+) is also defined at (\S+); this one is used$")


def _split_where(where: str) -> tuple[str, int | None]:
    path, _, line = where.rpartition(":")
    if path and line.isdigit():
        return path, int(line)
    return where, None


def problem_findings(problems: Iterable[ProblemLike]) -> list[Finding]:
    """IN001 for input the loader rejected, IN002 for an object defined twice."""
    out: list[Finding] = []
    for p in problems:
        path, line = _split_where(p.where)
        dup = _DUPLICATE.match(p.message)
        if dup:
            kind, ns, name, first = dup.groups()
            out.append(finding(
                "KTUI-IN002", ObjectRef(kind, ns or "", name, path, line),
                f"{kind} {ns + '/' if ns else ''}{name} is defined here and at {first}; this one is used",
                detail=f"{path}:{line}",
            ))
            continue
        m = _OBJECT.match(p.message)
        if m:
            kind, ns, name, why = m.groups()
            obj = ObjectRef(kind, ns or "", name, path, line)
        else:
            obj, why = ObjectRef("File", "", path, path, line), p.message
        out.append(finding("KTUI-IN001", obj, f"{obj.where or path}: {why}", detail=f"{path}:{line}"))
    return out


Check = Callable[[CheckContext], list[Finding]]


@dataclass(frozen=True, slots=True)
class RegisteredCheck:
    """A check and the catalogue codes it may report (tests hold it to them)."""

    codes: tuple[str, ...]
    run: Check


# The one registry: a new finding is a catalogue entry plus one line here.
PROBLEM_CODES = ("KTUI-IN001", "KTUI-IN002")  # from the loader's problems (problem_findings)
REGISTRY: tuple[RegisteredCheck, ...] = (
    RegisteredCheck(("KTUI-NP001", "KTUI-NP002", "KTUI-NP003"), posture_findings),
    RegisteredCheck(("KTUI-NP004",), selects_nothing_findings),
    RegisteredCheck(("KTUI-NP005",), peer_findings),
    RegisteredCheck(("KTUI-NP006",), named_port_findings),
    RegisteredCheck(("KTUI-NP007",), ipblock_pod_findings),
    RegisteredCheck(("KTUI-NP008",), shadowed_deny_findings),
    RegisteredCheck(("KTUI-NP009",), snat_ipblock_findings),
    RegisteredCheck(("KTUI-CNI001", "KTUI-CNI002"), cni_findings),
    RegisteredCheck(("KTUI-AP001",), admin_priority_findings),
    RegisteredCheck(("KTUI-CNP001", "KTUI-CNP002", "KTUI-CNP003", "KTUI-CNP004", "KTUI-CNP005"), cni_policy_findings),
    RegisteredCheck(("KTUI-EX001", "KTUI-EX002"), ingress_backend_findings),
    RegisteredCheck(("KTUI-EX002",), target_port_findings),
    RegisteredCheck(("KTUI-EX003",), endpoint_findings),
    RegisteredCheck(("KTUI-EX004",), tls_secret_findings),
    RegisteredCheck(("KTUI-EX005", "KTUI-EX006"), ingress_class_findings),
    RegisteredCheck(("KTUI-EX009",), retired_nginx_findings),
    RegisteredCheck(("KTUI-EX007",), route_acceptance_findings),
    RegisteredCheck(("KTUI-EX001", "KTUI-EX002", "KTUI-EX008"), route_backend_findings),
    RegisteredCheck(("KTUI-EX004", "KTUI-EX008"), gateway_cert_findings),
)
CHECKS: tuple[Check, ...] = tuple(c.run for c in REGISTRY)


def sort_key(f: Finding) -> tuple[int, str, str, str, str, str]:
    o = f.object
    return (-f.severity.rank, o.namespace, o.kind, o.name, f.code, f.detail)


def findings(
    state: ClusterState,
    problems: Iterable[ProblemLike] = (),
    *,
    complete: bool = False,
    unseen: Iterable[str] = (),
    ignore: Iterable[str] = (),
    context: CheckContext | None = None,
) -> list[Finding]:
    """Every finding, most severe first, without the ignored codes and without duplicates.

    complete: the state is a whole cluster (live, all namespaces) rather than some manifests.
    unseen: kinds that could not be listed (forbidden, not installed); checks relying on them hold.
    context: the reading to share (an Analysis's); it then carries complete and unseen itself.
    """
    ctx = context if context is not None else CheckContext(state, complete, frozenset(unseen))
    skip = set(ignore)
    out: dict[tuple[str, str, str, str, str], Finding] = {}
    for f in problem_findings(problems):
        out.setdefault(f.key, f)
    for check in CHECKS:
        for f in check(ctx):
            out.setdefault(f.key, f)
    return sorted((f for f in out.values() if f.code not in skip), key=sort_key)


WEIGHTS: Mapping[Severity, int] = {
    Severity.CRITICAL: 40, Severity.HIGH: 20, Severity.MEDIUM: 8, Severity.LOW: 3, Severity.INFO: 0,
}


def namespace_scores(found: Iterable[Finding], namespaces: Iterable[str] = ()) -> dict[str, int]:
    """100 minus the weights of a namespace's findings (critical 40, high 20, medium 8, low 3,
    info 0), never below 0. Cluster-scoped findings count under "" (the cluster)."""
    scores = {ns: 100 for ns in namespaces}
    for f in found:
        ns = f.object.namespace
        scores[ns] = max(0, scores.get(ns, 100) - WEIGHTS[f.severity])
    return dict(sorted(scores.items()))


def at_or_above(found: Iterable[Finding], threshold: Severity) -> list[Finding]:
    return [f for f in found if f.severity.rank >= threshold.rank]
