"""NP001-NP009: a positive and a negative case for each NetworkPolicy finding."""

from __future__ import annotations

from ktui.analysis.findings.catalogue import Severity
from tests.check.kit import (
    DNS_EGRESS,
    codes,
    daemonset,
    deployment,
    namespace,
    netpol,
    of,
    pod,
    run,
    service,
)

DENY_ALL = netpol("deny-all", types=["Ingress", "Egress"])


# ---------------------------------------------------------------- NP001 / NP002 / NP003
def test_np001_workload_without_any_policy():
    found = of(run([deployment("web")]), "KTUI-NP001")
    assert [str(f.object) for f in found] == ["Deployment shop/web"]
    assert found[0].severity is Severity.MEDIUM


def test_np001_np002_not_for_pods_under_admin_policies():
    banp = {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "BaselineAdminNetworkPolicy",
            "metadata": {"name": "default"},
            "spec": {"subject": {"namespaces": {}},
                     "ingress": [{"name": "deny", "action": "Deny", "from": [{"namespaces": {}}]}],
                     "egress": [{"name": "deny", "action": "Deny", "to": [{"namespaces": {}}]}]}}
    assert "KTUI-NP001" in codes(run([deployment("web")]))
    assert not {"KTUI-NP001", "KTUI-NP002"} & codes(run([deployment("web"), banp]))


def test_np001_not_for_isolated_hostnetwork_or_system_pods():
    docs = [deployment("web"), netpol("in", selector={"app": "web"}, ingress=[]),
            deployment("agent", host_network=True), deployment("coredns", ns="kube-system")]
    assert "KTUI-NP001" not in codes(run(docs))


def test_np001_reports_a_workload_once_not_per_replica():
    docs = [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
             "metadata": {"name": "web-1", "namespace": "shop", "ownerReferences": [
                 {"kind": "Deployment", "name": "web", "controller": True, "apiVersion": "apps/v1", "uid": "d"}]},
             "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}}}},
            deployment("web"),
            pod("web-1-a", owner=("ReplicaSet", "web-1"), labels={"app": "web"}),
            pod("web-1-b", owner=("ReplicaSet", "web-1"), labels={"app": "web"})]
    found = of(run(docs), "KTUI-NP001")
    assert [str(f.object) for f in found] == ["Deployment shop/web"]


def test_np002_ingress_only_policy_leaves_egress_open():
    found = of(run([deployment("web"), netpol("in", selector={"app": "web"}, ingress=[])]), "KTUI-NP002")
    assert len(found) == 1 and "no egress policy" in found[0].message


def test_np002_egress_allow_everything_rule():
    docs = [deployment("web"), netpol("p", selector={"app": "web"}, ingress=[], egress=[{}],
                                      types=["Ingress", "Egress"])]
    found = of(run(docs), "KTUI-NP002")
    assert len(found) == 1 and "p egress[0]" in found[0].message


def test_np002_not_when_egress_is_restricted():
    docs = [deployment("web"), deployment("db"),
            netpol("p", selector={"app": "web"}, ingress=[], types=["Ingress", "Egress"],
                   egress=[{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}, DNS_EGRESS])]
    assert "KTUI-NP002" not in codes(run(docs))


def test_np003_default_deny_egress_blocks_dns():
    found = of(run([deployment("web"), netpol("deny-egress", types=["Egress"])]), "KTUI-NP003")
    assert len(found) == 1 and found[0].severity is Severity.HIGH
    assert "deny-egress" in found[0].message


def test_np003_not_when_port_53_is_allowed():
    docs = [deployment("web"), netpol("deny-egress", types=["Egress"], egress=[DNS_EGRESS])]
    assert "KTUI-NP003" not in codes(run(docs))


def test_np003_manifests_a_rule_to_other_pods_is_no_dns_rule():
    to_db = {"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}  # all ports, but only to db
    found = of(run([deployment("web"), deployment("db"), netpol("e", types=["Egress"], egress=[to_db])]),
               "KTUI-NP003")
    assert [str(f.object) for f in found] == ["Deployment shop/db", "Deployment shop/web"]


def test_np003_manifests_kube_dns_rules_written_the_usual_ways():
    ports = DNS_EGRESS["ports"]
    rules = [
        {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                 "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}], "ports": ports},
        {"to": [{"namespaceSelector": {"matchLabels": {"name": "kube-system"}}}], "ports": ports},
        {"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "coredns"}}}], "ports": ports},
        {"to": [{"ipBlock": {"cidr": "169.254.20.10/32"}}], "ports": ports},
    ]
    for rule in rules:
        assert "KTUI-NP003" not in codes(run([deployment("web"), netpol("e", types=["Egress"], egress=[rule])])), rule


def test_np003_live_checks_the_real_dns_pods():
    dns = pod("coredns-1", ns="kube-system", labels={"k8s-app": "kube-dns"}, ip="10.0.0.10")
    to_dns = {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                      "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}], "ports": DNS_EGRESS["ports"]}
    wrong = {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "dns"}}}],
             "ports": DNS_EGRESS["ports"]}
    ok = [dns, pod("web", ip="10.0.1.1"), netpol("e", types=["Egress"], egress=[to_dns])]
    bad = [dns, pod("web", ip="10.0.1.1"), netpol("e", types=["Egress"], egress=[wrong])]
    assert "KTUI-NP003" not in codes(run(ok, complete=True))
    assert [str(f.object) for f in of(run(bad, complete=True), "KTUI-NP003")] == ["Pod shop/web"]


# ---------------------------------------------------------------- NP004 / NP005 / NP006 / NP007
def test_np004_typo_in_pod_selector_with_suggestion():
    found = of(run([deployment("frontend"), netpol("fe", selector={"app": "frontnd"}, ingress=[])]), "KTUI-NP004")
    assert len(found) == 1
    assert "app=frontnd" in found[0].message and "did you mean app=frontend" in found[0].message


def test_np004_not_for_matching_empty_or_unknown_namespaces():
    assert "KTUI-NP004" not in codes(run([deployment("web"), netpol("a", selector={"app": "web"}, ingress=[])]))
    assert "KTUI-NP004" not in codes(run([deployment("web"), netpol("b", ingress=[])]))
    # a declared namespace with no workloads in the manifests: deployed elsewhere, not judged
    declared = [deployment("web"), namespace("other"), netpol("c", ns="other", selector={"app": "x"})]
    assert "KTUI-NP004" not in codes(run(declared))


def test_np004_policy_in_an_undeclared_empty_namespace_is_a_typo():
    found = of(run([deployment("web"), netpol("deny", ns="shpo", ingress=[])]), "KTUI-NP004")
    assert len(found) == 1 and "did you mean shop?" in found[0].message


def test_np005_typo_in_peer_pod_selector():
    rule = {"from": [{"podSelector": {"matchLabels": {"app": "frontnd"}}}]}
    docs = [deployment("frontend"), deployment("api"), netpol("api", selector={"app": "api"}, ingress=[rule])]
    found = of(run(docs), "KTUI-NP005")
    assert len(found) == 1 and found[0].detail == "spec.ingress[0].from[0]"
    assert "did you mean app=frontend" in found[0].message


def test_np005_typo_in_namespace_selector_label_value():
    rule = {"from": [{"namespaceSelector": {"matchLabels": {"team": "opz"}}}]}
    docs = [namespace("ops", team="ops"), namespace("shop", team="shop"), deployment("api"),
            netpol("api", selector={"app": "api"}, ingress=[rule])]
    found = of(run(docs), "KTUI-NP005")
    assert len(found) == 1 and "matches no namespace" in found[0].message


def test_np005_pinned_namespace_name_close_to_an_existing_one():
    rule = {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitorng"}}}]}
    docs = [namespace("monitoring"), deployment("prometheus", ns="monitoring"), deployment("api"),
            netpol("api", selector={"app": "api"}, ingress=[rule])]
    found = of(run(docs), "KTUI-NP005")
    assert len(found) == 1 and "kubernetes.io/metadata.name=monitoring" in found[0].message


def test_np005_not_for_matching_peers_or_namespaces_outside_the_manifests():
    good = {"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}]}
    elsewhere = {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]}
    dns = {"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
           "ports": DNS_EGRESS["ports"]}
    docs = [deployment("frontend"), deployment("api"),
            netpol("api", selector={"app": "api"}, ingress=[good, elsewhere], egress=[dns])]
    assert "KTUI-NP005" not in codes(run(docs))


def test_np005_live_judges_namespace_selectors_too():
    rule = {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]}
    docs = [pod("api"), netpol("api", selector={"app": "api"}, ingress=[rule])]
    assert len(of(run(docs, complete=True), "KTUI-NP005")) == 1
    assert "KTUI-NP005" not in codes(run([*docs, namespace("monitoring")], complete=True))


def test_np006_named_port_not_declared():
    rule = {"ports": [{"port": "http"}]}
    docs = [deployment("web", ports=[("web", 8080)]), netpol("w", selector={"app": "web"}, ingress=[rule])]
    found = of(run(docs), "KTUI-NP006")
    assert len(found) == 1 and found[0].detail == "spec.ingress[0].ports[0]"


def test_np006_protocol_mismatch_and_declared_name():
    udp = [deployment("web", ports=[("http", 8080, "UDP")]),
           netpol("w", selector={"app": "web"}, ingress=[{"ports": [{"port": "http"}]}])]
    assert "declared only as UDP" in of(run(udp), "KTUI-NP006")[0].message
    ok = [deployment("web", ports=[("http", 8080)]),
          netpol("w", selector={"app": "web"}, ingress=[{"ports": [{"port": "http"}]}])]
    assert "KTUI-NP006" not in codes(run(ok))


def test_np006_egress_to_anywhere_judged_on_every_pod_of_a_whole_cluster():
    """An egress rule without peers resolves its named port on every pod (live, complete): each
    policy asking the same name gets the same answer (computed once per run)."""
    anywhere = {"ports": [{"port": "metrics", "protocol": "UDP"}]}
    docs = [deployment("web"), deployment("db", ports=[("metrics", 9100)]),
            netpol("a", selector={"app": "web"}, egress=[anywhere, DNS_EGRESS]),
            netpol("b", selector={"app": "db"}, egress=[anywhere, DNS_EGRESS])]
    found = of(run(docs, complete=True), "KTUI-NP006")
    assert [f.object.name for f in found] == ["a", "b"]
    assert all("declared only as TCP" in f.message and "(2 checked)" in f.message for f in found)
    assert "KTUI-NP006" not in codes(run(docs))  # from manifests: not every pod is in view
    fixed = [deployment("web"), deployment("db", ports=[("metrics", 9100, "UDP")]), *docs[2:]]
    assert "KTUI-NP006" not in codes(run(fixed, complete=True))


def test_np006_egress_named_port_on_destination_pods():
    rule = {"to": [{"podSelector": {"matchLabels": {"app": "db"}}}], "ports": [{"port": "pg"}]}
    bad = [deployment("web"), deployment("db", ports=[("postgres", 5432)]),
           netpol("w", selector={"app": "web"}, egress=[rule, DNS_EGRESS])]
    good = [deployment("web"), deployment("db", ports=[("pg", 5432)]),
            netpol("w", selector={"app": "web"}, egress=[rule, DNS_EGRESS])]
    assert of(run(bad), "KTUI-NP006")[0].detail == "spec.egress[0].ports[0]"
    assert "KTUI-NP006" not in codes(run(good))


def test_np007_ipblock_covering_pod_ips():
    rule = {"from": [{"ipBlock": {"cidr": "10.0.0.0/24"}}]}
    docs = [pod("web", ip="10.0.0.5"), pod("api", ip="10.0.0.6"),
            netpol("api", selector={"app": "api"}, ingress=[rule])]
    found = of(run(docs, complete=True), "KTUI-NP007")
    assert len(found) == 1 and "2 pod(s)" in found[0].message


def test_np007_pod_ips_from_endpoint_slices():
    slice_ = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
              "metadata": {"name": "db-1", "namespace": "shop", "labels": {"kubernetes.io/service-name": "db"}},
              "endpoints": [{"addresses": ["10.8.0.7"], "targetRef": {"kind": "Pod", "name": "db-0"}}]}
    rule = {"to": [{"ipBlock": {"cidr": "10.8.0.0/16"}}]}
    docs = [deployment("web"), slice_, netpol("web", selector={"app": "web"}, egress=[rule])]
    found = of(run(docs), "KTUI-NP007")
    assert len(found) == 1 and "shop/db-0" in found[0].message


def test_np007_not_for_external_blocks_or_the_whole_internet():
    rules = [{"from": [{"ipBlock": {"cidr": "192.168.0.0/16"}}]}, {"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]
    docs = [pod("web", ip="10.0.0.5"), netpol("web", selector={"app": "web"}, ingress=rules)]
    assert "KTUI-NP007" not in codes(run(docs, complete=True))


# ---------------------------------------------------------------- NP008 / NP009
def test_np008_deny_shadowed_by_allow_all():
    docs = [deployment("web"), DENY_ALL, netpol("allow-all-in", ingress=[{}])]
    found = of(run(docs), "KTUI-NP008")
    assert [(str(f.object), f.detail) for f in found] == [("NetworkPolicy shop/deny-all", "ingress")]


def test_np008_not_when_the_deny_still_bites_somewhere():
    narrow = [deployment("web"), DENY_ALL,
              netpol("web", selector={"app": "web"}, ingress=[{"from": [{"podSelector": {}}]}])]
    partial = [deployment("web"), deployment("db"), DENY_ALL, netpol("web", selector={"app": "web"}, ingress=[{}])]
    assert "KTUI-NP008" not in codes(run(narrow))
    assert "KTUI-NP008" not in codes(run(partial))


def test_np009_ipblock_behind_load_balancer_with_cluster_policy():
    rule = {"from": [{"ipBlock": {"cidr": "203.0.113.0/24"}}]}
    docs = [deployment("web"), service("web", type_="LoadBalancer"),
            netpol("web", selector={"app": "web"}, ingress=[rule])]
    found = of(run(docs), "KTUI-NP009")
    assert len(found) == 1 and "externalTrafficPolicy Cluster" in found[0].message


def test_np009_not_with_local_policy_or_cluster_ip():
    rule = {"from": [{"ipBlock": {"cidr": "203.0.113.0/24"}}]}
    local = [deployment("web"), service("web", type_="LoadBalancer", etp="Local"),
             netpol("web", selector={"app": "web"}, ingress=[rule])]
    internal = [deployment("web"), service("web"), netpol("web", selector={"app": "web"}, ingress=[rule])]
    assert "KTUI-NP009" not in codes(run(local))
    assert "KTUI-NP009" not in codes(run(internal))


def test_np004_np005_manifests_never_judge_kube_system_by_its_cni_daemonset():
    """Rendered manifests carry calico-node in kube-system, not kube-dns: the usual DNS rule
    (kube-system + k8s-app=kube-dns) and a policy for CoreDNS there are no typos."""
    dns = {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                   "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}], "ports": DNS_EGRESS["ports"]}
    docs = [namespace("shop"), deployment("api"), daemonset("calico-node"),
            netpol("dns", egress=[dns], types=["Egress"]),
            netpol("coredns", ns="kube-system", selector={"k8s-app": "kube-dns"}, ingress=[{}])]
    found = codes(run(docs))
    assert "KTUI-NP005" not in found and "KTUI-NP004" not in found and "KTUI-NP003" not in found
    assert "KTUI-NP005" in codes(run(docs, complete=True))  # live, kube-system is complete


def test_np005_pod_selector_without_namespace_selector_says_where_the_pods_are():
    dns = {"to": [{"podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}], "ports": DNS_EGRESS["ports"]}
    from_shop = {"from": [{"podSelector": {"matchLabels": {"app": "api"}}}]}
    docs = [deployment("api"), deployment("invoice", ns="billing"),
            netpol("dns", egress=[dns], types=["Egress"]),
            netpol("invoice", ns="billing", selector={"app": "invoice"}, ingress=[from_shop])]
    found = {f.object.name: f.message for f in of(run(docs), "KTUI-NP005")}
    assert "cluster DNS runs in kube-system" in found["dns"]
    assert "it matches pods in shop" in found["invoice"] and "namespaceSelector" in found["invoice"]
    assert "KTUI-NP003" in codes(run(docs))
