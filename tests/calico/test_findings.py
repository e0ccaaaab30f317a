"""`ktui check` findings about Cilium and Calico policies (KTUI-CNP001..005)."""

from __future__ import annotations

from ktui.analysis.findings.checks import findings
from tests.cilium.tiers import CALICO, Doc, calico, cnp, ns, pod
from tests.conftest import state_from


def run(docs: list[Doc]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in findings(state_from(docs)):
        out.setdefault(f.code, []).append(f"{f.object} {f.message}")
    return out


BASE = [ns("a"), pod("a", "web", "10.0.0.1", {"app": "web"}), pod("a", "client", "10.0.0.2", {"app": "client"})]


def daemonset(name: str, labels: dict[str, str], container: str) -> Doc:
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name, "namespace": "kube-system"},
            "spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": container}]}}}}


def flannel() -> Doc:
    return daemonset("kube-flannel-ds", {"app": "flannel"}, "kube-flannel")


def calico_node() -> Doc:
    return daemonset("calico-node", {"k8s-app": "calico-node"}, "calico-node")


def test_cilium_policies_on_a_calico_cluster() -> None:
    c = cnp("a", "p", {"endpointSelector": {}, "ingress": [{}]})
    found = run([*BASE, calico_node(), c])
    assert any("CiliumNetworkPolicy a/p" in m and "Calico" in m for m in found["KTUI-CNP001"])
    assert "KTUI-CNP001" not in run([*BASE, c])  # no plugin in view: nothing to say


def test_calico_policies_on_flannel() -> None:
    g = calico("GlobalNetworkPolicy", "g", {"selector": "all()", "ingress": [{"action": "Allow"}]})
    assert "KTUI-CNP001" in run([*BASE, flannel(), g])


def test_staged_policy_would_block() -> None:
    staged = calico("StagedNetworkPolicy", "lock", {"selector": "app == 'web'", "ingress": [
        {"action": "Allow", "protocol": "TCP", "destination": {"ports": [443]}}]}, "a")
    (msg,) = run([*BASE, staged])["KTUI-CNP002"]
    assert "StagedNetworkPolicy a/lock" in msg and "a/client[Pod] => a/web[Pod]" in msg


def test_log_only_policy_blocks_by_default_action() -> None:
    log = calico("NetworkPolicy", "audit", {"selector": "app == 'web'", "ingress": [{"action": "Log"}]}, "a")
    (msg,) = run([*BASE, log])["KTUI-CNP003"]
    assert "a/client[Pod] => a/web[Pod] : All Connections" in msg
    passing = calico("NetworkPolicy", "audit", {"selector": "app == 'web'", "ingress": [
        {"action": "Log"}, {"action": "Pass"}]}, "a")
    assert "KTUI-CNP003" not in run([*BASE, passing])


def test_fqdn_without_dns_rule() -> None:
    fq = {"endpointSelector": {"matchLabels": {"app": "web"}},
          "egress": [{"toFQDNs": [{"matchName": "api.example.com"}], "toPorts": [{"ports": [{"port": "443"}]}]}]}
    (msg,) = run([*BASE, cnp("a", "out", fq)])["KTUI-CNP004"]
    assert "api.example.com" in msg
    dns = {"toEndpoints": [{"matchLabels": {"k8s:io.kubernetes.pod.namespace": "kube-system"}}],
           "toPorts": [{"ports": [{"port": "53", "protocol": "UDP"}], "rules": {"dns": [{"matchPattern": "*"}]}}]}
    fixed = {**fq, "egress": [*fq["egress"], dns]}
    assert "KTUI-CNP004" not in run([*BASE, cnp("a", "out", fixed)])


def test_deny_shadowed_by_earlier_tier() -> None:
    tiers = [{"apiVersion": CALICO, "kind": "Tier", "metadata": {"name": "platform"}, "spec": {"order": 10}}]
    allow = calico("GlobalNetworkPolicy", "allow-all", {"tier": "platform", "selector": "all()",
                                                         "ingress": [{"action": "Allow"}]})
    deny = calico("NetworkPolicy", "no-ssh", {"selector": "app == 'web'", "ingress": [
        {"action": "Deny", "protocol": "TCP", "destination": {"ports": [22]}}, {"action": "Allow"}]}, "a")
    (msg,) = run([*BASE, *tiers, allow, deny])["KTUI-CNP005"]
    assert "ingress[0] (Deny) never takes effect" in msg and "allow-all" in msg
    narrow = calico("GlobalNetworkPolicy", "allow-all", {"tier": "platform", "selector": "all()", "ingress": [
        {"action": "Allow", "protocol": "TCP", "destination": {"ports": [80]}}, {"action": "Pass"}]})
    assert "KTUI-CNP005" not in run([*BASE, *tiers, narrow, deny])
