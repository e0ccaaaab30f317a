"""Every view of one set of manifests, and the checks that they agree.

The views: `ktui posture`, `ktui hosts --refused`, `ktui check` and `ktui explain` (JSON, through
the CLI entry point in-process), and the TUI's data (a Bridge over the same files with its
background analysis inline: the NamespaceOverview rows and posture report it hands to screens,
the per-pod postures behind them). `assert_agree` says which count or status differs.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ktui.analysis.analysis import Analysis
from ktui.analysis.core.subjects import Subject, WorkloadId
from ktui.cli import main
from ktui.render.posture_text import posture_json
from ktui.sources.manifests import ManifestSource, load_paths
from ktui.tui.bridge import Bridge
from ktui.tui.overlay import Overlay

SYSTEM = frozenset({"kube-system", "kube-public", "kube-node-lease"})


def cli_json(*argv: str) -> tuple[int, Any]:
    """Run `ktui ARGV` in this process; (exit code, parsed stdout)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue(), err.getvalue()
    text = out.getvalue()
    return code, (json.loads(text) if text.strip() else None)


class _StillSource(ManifestSource):
    """The manifests read once, never watched."""

    name = "manifests"

    def start(self) -> None:
        self.load_now()


def tui_bridge(paths: Sequence[str]) -> Bridge:
    """The TUI's data path over the files: source -> store -> posture index, and the overlay's
    exposure and findings computed inline (as its child process would)."""
    bridge = Bridge(_StillSource(list(paths)), context="consistency")
    bridge.attach_overlay(Overlay(bridge.apply_overlay, live=False, process=False))
    bridge.start()
    for _ in range(100):
        if bridge.poll() is None:
            break
    return bridge


@dataclass
class Views:
    paths: list[str]
    analysis: Analysis  # the in-process Analysis of the same files (names the subjects to explain)
    posture: dict[str, Any]
    hosts: dict[str, Any]
    check: dict[str, Any]
    explain: dict[str, dict[str, Any]]  # "ns/name" -> explain JSON
    bridge: Bridge


def views_of(paths: Sequence[str]) -> Views:
    files = [x for p in paths for x in ("-f", str(p))]
    code, posture = cli_json("posture", *files, "-o", "json")
    assert code == 0
    code, hosts = cli_json("hosts", "--refused", *files, "-o", "json")
    assert code == 0
    code, check = cli_json("check", *files, "-o", "json")
    assert code in (0, 1)
    state, report = load_paths([str(p) for p in paths])
    analysis = Analysis(state, problems=report.problems)
    explained = {}
    for s in analysis.subjects:
        code, data = cli_json("explain", f"{s.namespace}/{s.name}", *files, "-o", "json")
        assert code == 0
        explained[f"{s.namespace}/{s.name}"] = data
    return Views([str(p) for p in paths], analysis, posture, hosts, check, explained, tui_bridge(paths))


def _host_key(h: dict[str, Any], status: str) -> tuple[Any, ...]:
    return (h["host"], h["port"], h["path"] or None, h["protocol"], h["source"], h.get("route"), status)


def _top(analysis: Analysis, wid: WorkloadId) -> tuple[str, str, str]:
    top = analysis.check_context.top_workload(wid)
    return (top.kind, top.namespace, top.name)


def assert_agree(v: Views) -> None:
    """Every count and status the views share is the same."""
    rows = {n["name"]: n for n in v.posture["namespaces"]}
    assert v.bridge.batches > 0, "the source never said its first load finished"  # even with nothing to read
    tui = posture_json(v.bridge.posture_report())
    assert tui == v.posture, "the TUI's overview data differs from `ktui posture`"
    for ns, row in rows.items():
        overview = v.bridge.overview(ns)
        assert overview is not None and overview.pods == row["pods"] and overview.dns_blocked == row["dns"]["blocked"]

    # pods: the one subject rule, in posture, the Analysis, the TUI's index and explain
    by_ns = Counter(s.namespace for s in v.analysis.subjects)
    assert {ns: r["pods"] for ns, r in rows.items() if r["pods"]} == dict(by_ns)
    for ns, row in rows.items():
        mine = [e for name, e in v.explain.items() if name.split("/", 1)[0] == ns]
        assert len(mine) == row["pods"], ns
        assert sum(e["ingress"]["isolated"] for e in mine) == row["ingressIsolated"], ns
        if not any(t["tier"] != "networkpolicy" for e in mine for d in ("ingress", "egress")
                   for t in e[d].get("tiers", ()) if t["policies"]):
            assert sum(e["egress"]["isolated"] for e in mine) == row["egressIsolated"], ns
        assert row["dns"]["ok"] + row["dns"]["blocked"] == row["pods"]
        assert sum(row["egress"].values()) == row["pods"]

    # hosts: the same entries, each with the same status, in posture and `ktui hosts`
    for ns, row in rows.items():
        listed = Counter(_host_key(e, e["status"]) for e in v.hosts["entries"]
                         if ns in (e["namespace"], *(b["namespace"] for b in e["backends"])))
        shown = Counter(_host_key(h, h["status"]) for h in row["hosts"])
        assert listed == shown, ns
        assert row["hostCounts"]["entries"] == len(row["hosts"])
    assert {e["namespace"] for e in v.hosts["entries"]} <= set(rows)

    # findings: per namespace and severity, in posture and `ktui check`
    found = v.check["findings"]
    for ns, row in rows.items():
        mine = Counter(f["severity"] for f in found if f["object"]["namespace"] == ns)
        assert {k: n for k, n in row["findings"].items() if n} == dict(mine), ns
    rest = Counter(f["severity"] for f in found if f["object"]["namespace"] not in rows)
    assert {k: n for k, n in v.posture["cluster"]["findings"].items() if n} == dict(rest)
    assert sum(v.posture["summary"]["findings"].values()) == v.check["summary"]["total"]

    _assert_posture_findings(v)


def _other_tiers(a: Analysis, s: Subject) -> bool:
    """Some tier other than Kubernetes NetworkPolicy (admin, Calico, Cilium) selects the subject."""
    return any(side.tier != "NetworkPolicy" for d in ("ingress", "egress") for _, side in a.engine.select(s, d))


def _assert_posture_findings(v: Views) -> None:
    """NP001 and NP003 name the workloads whose pods the posture shows open both ways or with DNS
    blocked (host-network pods and system namespaces are not judged). Where another tier than
    NetworkPolicy selects the pods, only finding => posture is held: NP003 judges egress restricted
    by NetworkPolicy only (see the closing notes of issue 10)."""
    a = v.analysis
    index = v.bridge.posture
    pods: dict[tuple[str, str, str], list[tuple[bool, bool, bool, bool]]] = {}
    for np in index.by_namespace.values():
        for p in np.pods:
            s = p.subject
            if s.host_network or s.namespace in SYSTEM:
                continue
            pods.setdefault(_top(a, s.workload), []).append(
                (p.ingress_isolated, p.egress_isolated, p.egress.dns, _other_tiers(a, s)))
    found = v.check["findings"]
    np001 = {(f["object"]["kind"], f["object"]["namespace"], f["object"]["name"])
             for f in found if f["code"] == "KTUI-NP001"}
    np003 = {(f["object"]["kind"], f["object"]["namespace"], f["object"]["name"])
             for f in found if f["code"] == "KTUI-NP003"}
    for key, members in pods.items():
        netpol_only = not any(other for *_, other in members)
        open_both = [not i and not e for i, e, _, _ in members]
        if key in np001:
            assert all(open_both), key
        elif netpol_only:
            assert not all(open_both), key
        blocked = [e and not dns for _, e, dns, _ in members]
        if key in np003:
            assert any(blocked), key
        elif netpol_only:
            assert not any(blocked), key
