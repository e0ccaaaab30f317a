"""`ktui check` and `ktui posture` read one egress answer per pod: the Analysis's findings take it
from the posture (computed once for both), and say what a stand-alone run computing each pod's
egress itself says."""

from __future__ import annotations

from pathlib import Path

import pytest

from ktui.analysis.analysis import Analysis
from ktui.analysis.findings import findings
from ktui.sources.manifests import load_paths
from ktui.store import ClusterState

DEMO = Path(__file__).resolve().parents[2] / "ktui" / "sources" / "demo_data"


@pytest.fixture(scope="module")
def demo() -> ClusterState:
    state, report = load_paths([str(DEMO)], "default")
    assert not report.fatal
    return state


def test_findings_read_the_posture_egress(demo: ClusterState) -> None:
    a = Analysis(demo)
    ctx = a.check_context
    held = {id(p.subject): p.egress for np in a.posture_index.by_namespace.values() for p in np.pods}
    assert a.subjects and all(id(s) in held for s in a.subjects)
    for s in a.subjects:
        assert ctx.egress(s) is held[id(s)], s  # the posture's own object: nothing computed twice


def test_same_findings_as_computing_each_egress(demo: ClusterState) -> None:
    shared = Analysis(demo).findings
    alone = findings(demo)  # a CheckContext of its own: egress_posture per workload
    assert [(f.code, f.object, f.message) for f in shared] == [(f.code, f.object, f.message) for f in alone]
    assert any(f.code in ("KTUI-NP001", "KTUI-NP002", "KTUI-NP003") for f in shared)  # the posture checks ran


def test_a_subject_the_posture_does_not_hold_is_computed(demo: ClusterState) -> None:
    a = Analysis(demo)
    s = a.subjects[0]
    stranger = type(s)(s.namespace, s.name, dict(s.labels), s.ports, s.ips, s.workload, s.host_network)
    assert a.posture_egress(stranger) == a.posture_egress(s)
    assert a.posture_egress(stranger) is not a.posture_egress(s)
