"""IN001/IN002 (bad input from the loader), CNI001/CNI002 and the CNI detection table."""

from __future__ import annotations

from pathlib import Path

import pytest

from ktui.analysis.findings.catalogue import CATALOGUE, RULES, Severity, resolve_code
from ktui.analysis.findings.checks import findings, namespace_scores
from ktui.analysis.findings.cni import Enforcement, detect_cni
from ktui.sources.manifests import load_paths
from tests.check.kit import codes, daemonset, deployment, netpol, of, run
from tests.conftest import state_from

GOOD = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
"""


def _check(tmp_path: Path, text: str, name: str = "m.yaml") -> list:
    (tmp_path / name).write_text(text)
    state, report = load_paths([str(tmp_path)])
    return findings(state, report.problems)


def test_in001_rejected_object_names_file_and_line(tmp_path):
    text = GOOD + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: bad\n" \
                  "  namespace: shop\nspec:\n  policyTypes: [Sideways]\n"
    found = of(_check(tmp_path, text), "KTUI-IN001")
    assert len(found) == 1
    f = found[0]
    assert (f.object.kind, f.object.name, f.object.line) == ("NetworkPolicy", "bad", 6)  # the document starts after ---
    assert f.object.path.endswith("m.yaml") and "policyTypes" in f.message and f.severity is Severity.HIGH


def test_in001_invalid_yaml_is_a_file_finding(tmp_path):
    found = of(_check(tmp_path, "kind: [unclosed\n"), "KTUI-IN001")
    assert found[0].object.kind == "File" and "invalid YAML" in found[0].message


def test_in001_none_for_valid_input(tmp_path):
    assert not _check(tmp_path, GOOD)


def test_in002_duplicate_object(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    found = of(_check(tmp_path, GOOD, "b.yaml"), "KTUI-IN002")
    assert len(found) == 1 and found[0].object.kind == "Namespace" and "a.yaml" in found[0].message


def test_cni001_flannel_alone_with_policies_is_critical():
    docs = [daemonset("kube-flannel-ds", ns="kube-flannel", containers=["kube-flannel"]), deployment("web"),
            netpol("deny", ingress=[])]
    found = of(run(docs), "KTUI-CNI001")
    assert len(found) == 1 and found[0].severity is Severity.CRITICAL
    assert str(found[0].object) == "DaemonSet kube-flannel/kube-flannel-ds"


def test_cni001_not_when_enforcing_or_no_policies():
    canal = [daemonset("kube-flannel-ds", containers=["kube-flannel"]), daemonset("calico-node"),
             netpol("deny", ingress=[])]
    assert "KTUI-CNI001" not in codes(run(canal))
    assert "KTUI-CNI001" not in codes(run([daemonset("kube-flannel-ds")]))


def test_cni002_unknown_plugin_only_reported_live():
    docs = [deployment("web"), netpol("deny", ingress=[])]
    assert of(run(docs, complete=True), "KTUI-CNI002")[0].severity is Severity.INFO
    assert "KTUI-CNI002" not in codes(run(docs))


@pytest.mark.parametrize(("docs", "expected"), [
    ([daemonset("calico-node")], Enforcement.ENFORCING),
    ([daemonset("cilium", labels={"k8s-app": "cilium"}, containers=["cilium-agent"])], Enforcement.ENFORCING),
    ([daemonset("kube-router")], Enforcement.ENFORCING),
    ([daemonset("antrea-agent")], Enforcement.ENFORCING),
    ([daemonset("weave-net", labels={"name": "weave-net"}, containers=["weave", "weave-npc"])], Enforcement.ENFORCING),
    ([daemonset("canal", containers=["calico-node", "kube-flannel"])], Enforcement.ENFORCING),
    ([daemonset("azure-npm")], Enforcement.ENFORCING),
    ([daemonset("aws-node", containers=["aws-node", "aws-eks-nodeagent"])], Enforcement.ENFORCING),
    ([daemonset("aws-node", containers=["aws-node"])], Enforcement.NOT_ENFORCING),
    ([daemonset("kube-flannel-ds", containers=["kube-flannel"])], Enforcement.NOT_ENFORCING),
    ([daemonset("kindnet")], Enforcement.UNKNOWN),
    ([daemonset("kube-proxy")], Enforcement.UNKNOWN),
])
def test_cni_detection(docs, expected):
    verdict = detect_cni(state_from(docs))
    assert verdict.enforcement is expected, verdict.describe()


def test_cni_detection_from_pods_alone():
    pod_doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "calico-node-x1", "namespace": "calico-system",
                                                               "labels": {"k8s-app": "calico-node"}},
               "spec": {"containers": [{"name": "calico-node", "image": "x"}]}}
    verdict = detect_cni(state_from([pod_doc]))
    assert verdict.enforcement is Enforcement.ENFORCING and verdict.plugins == ("Calico",)


def test_cni_detection_follows_the_state_it_is_asked_about():
    """Computed once per state version (`ktui check` asks three times), again once the state moves."""
    from ktui.model.decode import decode_document
    from ktui.store import Event

    state = state_from([daemonset("kindnet")])
    first = detect_cni(state)
    assert first.enforcement is Enforcement.UNKNOWN and detect_cni(state) is first
    info, obj = decode_document(daemonset("calico-node"), "default")
    assert info is not None
    state.apply(Event("ADDED", info.kind, obj))
    assert detect_cni(state).enforcement is Enforcement.ENFORCING
    assert detect_cni(state_from([daemonset("kindnet")])).enforcement is Enforcement.UNKNOWN  # per state


def test_catalogue_codes_are_unique_and_resolvable():
    assert len(CATALOGUE) == len(RULES)
    assert resolve_code("egress-open") == "KTUI-NP002" and resolve_code("ktui-np002") == "KTUI-NP002"
    assert resolve_code("nope") is None


def test_namespace_score_formula():
    found = run([deployment("web"), deployment("db")])  # two NP001 (medium, 8 each)
    assert namespace_scores(found, ["shop", "other"]) == {"other": 100, "shop": 84}
