"""The per-run label indexes behind NP004/NP005: same answers as a full scan, bounded work."""

from __future__ import annotations

from ktui.analysis.core.subjects import Subject, WorkloadId
from ktui.analysis.findings.label_groups import LabelGroups
from ktui.analysis.findings.label_index import POOL, PairIndex
from ktui.model.selectors import LabelSelector, Requirement


def _subject(ns: str, name: str, **labels: str) -> Subject:
    return Subject(ns, name, labels, (), (), WorkloadId(ns, name, "Pod"))


def test_did_you_mean_a_value_or_a_key_typo() -> None:
    index = PairIndex([{"app": "frontend", "tier": "web"}, {"app": "backend"}])
    assert index.suggest(LabelSelector(match_labels={"app": "fronted"})) == "app=frontend"
    assert index.suggest(LabelSelector(match_labels={"ap": "frontend"})) == "app=frontend"
    assert index.suggest(LabelSelector(match_labels={"app": "frontend"})) is None  # exists: no typo
    assert index.suggest(LabelSelector(match_labels={"zone": "mars"})) is None


def test_suggestion_pool_is_bounded_at_any_size() -> None:
    index = PairIndex([{"pod-template-hash": f"{i:010x}", "app": f"app-{i:06d}"} for i in range(30_000)])
    assert len(index.pool("app", "app-0001x5")) <= 2 * POOL
    assert index.suggest(LabelSelector(match_labels={"app": "app-00012x"})) is not None


def test_label_groups_match_as_a_full_scan_in_order() -> None:
    """Pods of one label set interleaved with others: the answer keeps the namespace's order."""
    pods = [_subject(f"ns{i % 3}", f"p{i:02d}", app=f"a{i % 5}", tier=("web", "db")[i % 2]) for i in range(60)]
    pods.append(_subject("ns1", "bare"))
    by_ns: dict[str, list[Subject]] = {}
    for s in pods:
        by_ns.setdefault(s.namespace, []).append(s)
    groups = LabelGroups(by_ns)
    selectors = [LabelSelector(match_labels={"app": "a1"}),
                 LabelSelector(match_labels={"app": "a1", "tier": "db"}),
                 LabelSelector(match_labels={"app": "a1"}, match_expressions=[Requirement("tier", "In", ["web"])]),
                 LabelSelector(match_labels={"app": "nope"}),
                 LabelSelector(match_expressions=[Requirement("tier", "Exists")]),
                 LabelSelector(match_expressions=[Requirement("app", "NotIn", ["a0", "a3"])]),
                 LabelSelector()]
    for sel in selectors:
        for ns in ("ns0", "ns1", "ns2", "absent"):
            want = [s for s in by_ns.get(ns, []) if sel.matches(s.labels)]
            assert groups.matching(ns, sel) == want, (sel, ns)
            assert groups.matching(ns, sel) == want, (sel, ns)  # memoized: the same again
    assert len(groups.matching("ns1", LabelSelector(match_labels={"app": "a1"}))) == 4
    found = groups.matching("ns0", LabelSelector())
    found.clear()  # a copy: the caller may keep or change it
    assert len(groups.matching("ns0", LabelSelector())) == 20


def test_label_groups_across_namespaces() -> None:
    pods = [_subject(f"ns{i % 4}", f"p{i:02d}", app=f"a{i % 8}") for i in range(24)]
    by_ns: dict[str, list[Subject]] = {}
    for s in pods:
        by_ns.setdefault(s.namespace, []).append(s)
    groups = LabelGroups(by_ns)
    a1 = LabelSelector(match_labels={"app": "a1"})
    assert groups.matching_in(["ns3", "ns1"], a1) == [s for ns in ("ns3", "ns1") for s in by_ns[ns]
                                                       if s.labels["app"] == "a1"]
    assert groups.homes(a1) == [ns for ns in by_ns if any(s.labels["app"] == "a1" for s in by_ns[ns])]
    assert groups.homes(a1) == ["ns1"]
    assert groups.homes(LabelSelector(match_labels={"app": "nope"})) == []
    assert groups.homes(LabelSelector(match_expressions=[Requirement("app", "In", ["a2"])])) == \
        [ns for ns in by_ns if any(s.labels["app"] == "a2" for s in by_ns[ns])]
