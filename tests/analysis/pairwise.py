"""The connectivity list by its plain definition: every pair, and every address range, through
PolicyEngine.connection, with no shortcuts. The fast ConnectivityBuilder must agree with it.

Generic over tiers: pass `factories` (registry-style tier factories) to use other tiers than the
registered ones, and `prepare` to change the state first (e.g. mark kinds unseen).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ktui.analysis.core.portset import PortSet
from ktui.analysis.core.subjects import cluster_subjects
from ktui.analysis.policy.connectivity import ConnectivityBuilder
from ktui.analysis.policy.engine import PolicyEngine
from ktui.analysis.policy.tier import TierFactory
from ktui.store import ClusterState
from tests.conftest import state_from

Prepare = Callable[[ClusterState], None] | None


def _state(docs: list[dict[str, Any]], prepare: Prepare) -> ClusterState:
    state = state_from(docs)
    if prepare is not None:
        prepare(state)
    return state


def as_map(docs: list[dict[str, Any]], factories: list[TierFactory] | None = None,
           prepare: Prepare = None) -> dict[tuple[str, str], PortSet]:
    state = _state(docs, prepare)
    builder = ConnectivityBuilder(state, PolicyEngine(state, factories))
    return {(c.src, c.dst): c.conns for c in builder.build()}


def brute_force(docs: list[dict[str, Any]], factories: list[TierFactory] | None = None,
                prepare: Prepare = None) -> dict[tuple[str, str], PortSet]:
    state = _state(docs, prepare)
    return pairwise(state, PolicyEngine(state, factories))


def pairwise(state: ClusterState, engine: PolicyEngine) -> dict[tuple[str, str], PortSet]:
    """Every pair and every address range through engine.connection, no shortcuts: the definition
    the fast connectivity builder is checked against."""
    subjects = cluster_subjects(state)
    out: dict[tuple[str, str], PortSet] = {}

    def add(src: str, dst: str, conns: PortSet) -> None:
        if conns:
            out[(src, dst)] = out[(src, dst)] | conns if (src, dst) in out else conns

    for s in subjects:
        for d in subjects:
            if s.workload != d.workload:
                add(str(s.workload), str(d.workload), engine.connection(s, d))
    for r in engine.external_ranges("ingress"):
        for s in subjects:
            add(str(r), str(s.workload), engine.connection(r, s))
    for r in engine.external_ranges("egress"):
        for s in subjects:
            add(str(s.workload), str(r), engine.connection(s, r))
    return out
