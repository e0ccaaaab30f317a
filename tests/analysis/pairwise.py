"""The connectivity list by its plain definition: every pair, and every address range, through
NetpolEngine.connection, with no shortcuts. The fast ConnectivityBuilder must agree with it."""

from __future__ import annotations

from typing import Any

from ktui.analysis.core.portset import PortSet
from ktui.analysis.core.subjects import cluster_subjects
from ktui.analysis.policy.connectivity import ConnectivityBuilder, connectivity
from ktui.analysis.policy.engine import NetpolEngine
from tests.conftest import state_from


def as_map(docs: list[dict[str, Any]]) -> dict[tuple[str, str], PortSet]:
    return {(c.src, c.dst): c.conns for c in connectivity(state_from(docs))}


def brute_force(docs: list[dict[str, Any]]) -> dict[tuple[str, str], PortSet]:
    state = state_from(docs)
    engine = NetpolEngine(state)
    subjects = cluster_subjects(state)
    out: dict[tuple[str, str], PortSet] = {}

    def add(src: str, dst: str, conns: PortSet) -> None:
        if conns:
            out[(src, dst)] = out[(src, dst)] | conns if (src, dst) in out else conns

    for s in subjects:
        for d in subjects:
            if s.workload != d.workload:
                add(str(s.workload), str(d.workload), engine.connection(s, d))
    builder = ConnectivityBuilder(state, engine)
    for r in builder.external_ranges("ingress"):
        for s in subjects:
            add(str(r), str(s.workload), engine.connection(r, s))
    for r in builder.external_ranges("egress"):
        for s in subjects:
            add(str(s.workload), str(r), engine.connection(s, r))
    return out
