"""`ktui diff`: what online-boutique's policies remove, exit codes, and the comparison details."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest
import yaml

from ktui.analysis.core.portset import ALL, EMPTY, PortSet, single
from ktui.analysis.core.subjects import ExternalRange, WorkloadId
from ktui.analysis.diff import Edge, connection_changes, diff_states, minus
from ktui.analysis.policy import EgressClass
from ktui.cli import main
from ktui.sources.manifests import load_paths
from tests.check.kit import deployment, netpol, pod, service
from tests.conftest import state_from

FE = "boutique/frontend[Deployment]"
AD = "boutique/adservice[Deployment]"


@pytest.fixture(scope="module")
def boutique(corpus: Path) -> tuple[str, str]:
    d = corpus / "realistic" / "online-boutique"
    return str(d / "app.yaml"), str(d / "network-policies.yaml")


def test_boutique_policies_remove_connections(boutique):
    app, pols = boutique
    old, _ = load_paths([app])
    new, _ = load_paths([app, pols])
    d = diff_states(old, new)
    assert not d.connections_added and not d.widening and not d.hosts_added
    removed = {(c.src, c.dst): c for c in d.connections_removed}
    # frontend keeps only adservice's port; adservice may no longer call frontend's neighbours
    assert removed[(FE, AD)].old == ALL and removed[(FE, AD)].new == single("TCP", 9555)
    assert removed[(AD, "boutique/cartservice[Deployment]")].new == EMPTY
    assert ("0.0.0.0-255.255.255.255[External]", AD) in removed  # only frontend takes outside traffic
    assert ("0.0.0.0-255.255.255.255[External]", FE) not in removed
    assert {e.workload for e in d.egress_changes if e.old is EgressClass.OPEN} >= {FE, AD}
    assert {f.code for f in d.findings_fixed} == {"KTUI-NP001"}
    assert {f.code for f in d.findings_added} == {"KTUI-NP002", "KTUI-NP008"}


def test_boutique_cli_table_and_exit_codes(boutique, capsys):
    app, pols = boutique
    both = f"{app},{pols}"
    assert main(["diff", app, both, "--fail-on-widening"]) == 0
    out = capsys.readouterr().out
    assert f"- {FE} => {AD} : All Connections -> TCP 9555" in out
    assert "Verdict: NEW is not more open than OLD" in out
    assert main(["diff", both, app, "--fail-on-widening"]) == 1  # dropping the policies widens
    assert main(["diff", both, app]) == 0  # reported, but no gate without the flag
    out = capsys.readouterr().out
    assert f"+ {FE} => {AD} : TCP 9555 -> All Connections" in out


def test_boutique_cli_json(boutique, capsys):
    app, pols = boutique
    assert main(["diff", app, f"{app},{pols}", "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["widening"] is False and not data["connections"]["added"]
    row = next(c for c in data["connections"]["removed"] if c["src"] == FE and c["dst"] == AD)
    assert row["new"] == {"TCP": [[9555, 9555]]}


def test_new_exposure_and_new_workload_count_as_widening(tmp_path, capsys):
    old, lb, more = tmp_path / "old.yaml", tmp_path / "lb.yaml", tmp_path / "more.yaml"
    base = [deployment("web"), service("web"), netpol("deny", ingress=[], egress=[], types=["Ingress", "Egress"])]
    old.write_text(yaml.safe_dump_all(base))
    lb.write_text(yaml.safe_dump_all([*base[:1], service("web", type_="LoadBalancer"), base[2]]))
    more.write_text(yaml.safe_dump_all([*base, deployment("api", ns="other")]))
    assert main(["diff", str(old), str(lb), "--fail-on-widening"]) == 1
    out = capsys.readouterr().out
    assert "Newly exposed (1):" in out and "<pending>:80" in out and "Connections newly allowed (0):" in out
    assert main(["diff", str(old), str(more), "--fail-on-widening"]) == 1
    assert "+ other/api[Deployment] => shop/web[Deployment]" not in capsys.readouterr().out  # web stays denied


def test_identical_sides_report_no_change(tmp_path, capsys):
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump_all([deployment("web"), netpol("deny", ingress=[])]))
    assert main(["diff", str(path), str(path), "--fail-on-widening"]) == 0
    assert "Verdict: no change to posture" in capsys.readouterr().out


def test_bad_sides_exit_2(tmp_path, capsys):
    assert main(["diff", str(tmp_path / "nope.yaml"), str(tmp_path)]) == 2
    assert main(["diff", "context:", str(tmp_path)]) == 2
    assert main(["diff", f"{tmp_path},{tmp_path / 'gone.yaml'}", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "nope.yaml" in err and "gone.yaml" in err


def test_minus_port_sets():
    assert minus(ALL, single("TCP", 80)) == PortSet({"TCP": [(1, 79), (81, 65535)], "UDP": [(1, 65535)],
                                                    "SCTP": [(1, 65535)]})
    assert minus(single("TCP", 80, 90), single("TCP", 85)) == PortSet({"TCP": [(80, 84), (86, 90)]})
    assert minus(single("UDP", 53), ALL) == EMPTY


def test_external_ranges_are_compared_on_a_common_cut():
    """A new ipBlock that splits the address space is not a change where the ports are the same."""
    w = WorkloadId("ns", "a", "Deployment")

    def ext(first: str, last: str) -> ExternalRange:
        return ExternalRange(4, int(ipaddress.ip_address(first)), int(ipaddress.ip_address(last)))

    old = [Edge(ext("0.0.0.0", "255.255.255.255"), w, single("TCP", 443))]
    new = [Edge(ext("0.0.0.0", "9.255.255.255"), w, single("TCP", 443)),
           Edge(ext("10.0.0.0", "10.255.255.255"), w, PortSet({"TCP": [(443, 443), (8080, 8080)]})),
           Edge(ext("11.0.0.0", "255.255.255.255"), w, single("TCP", 443))]
    added, removed = connection_changes(old, new)
    assert not removed
    assert [(c.src, c.delta) for c in added] == [("10.0.0.0-10.255.255.255[External]", single("TCP", 8080))]


def test_live_pods_compare_with_manifest_workloads_under_the_owner_name():
    """A cluster's pods (of ReplicaSets) and the rendered Deployments are the same workloads."""
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": {"name": "web-5d9", "namespace": "shop", "ownerReferences": [
              {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "controller": True, "uid": "d"}]},
          "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}}}}
    live = [deployment("web"), rs, pod("web-5d9-a", labels={"app": "web"}, owner=("ReplicaSet", "web-5d9")),
            deployment("db"), pod("db-0", labels={"app": "db"}, owner=("Deployment", "db"))]
    rendered = [deployment("web"), deployment("db")]
    d = diff_states(state_from(live), state_from(rendered))
    assert not d.connections_added and not d.connections_removed and not d.egress_changes
    tightened = diff_states(state_from(live), state_from([*rendered, netpol("db", selector={"app": "db"},
                                                                            ingress=[])]))
    assert ("shop/web[Deployment]", "shop/db[Deployment]") in {(c.src, c.dst) for c in tightened.connections_removed}
