"""Cilium semantics, one case per statement of the Cilium documentation (section cited per test)."""

from __future__ import annotations

from tests.cilium.tiers import Doc, cnp, engine, knp, ns, pod, reach

WEB = {"matchLabels": {"app": "web"}}


def world() -> list[Doc]:
    return [ns("a"), ns("b"), pod("a", "web", "10.0.0.1", {"app": "web"}),
            pod("a", "client", "10.0.0.2", {"app": "client"}), pod("b", "client", "10.0.1.2", {"app": "client"})]


def tcp(port: str) -> list[Doc]:
    return [{"ports": [{"port": port, "protocol": "TCP"}]}]


def test_no_policy_means_open() -> None:
    # docs.cilium.io "Policy Enforcement Modes", default: endpoints have unrestricted access until selected.
    e = engine(world())
    assert reach(e, "a/client", "a/web", 1234)


def test_selected_with_ingress_rules_is_default_deny() -> None:
    # "Policy Enforcement Modes": a rule selecting an endpoint with an ingress section puts it in
    # default deny at ingress; egress stays open.
    e = engine([*world(), cnp("a", "p", {"endpointSelector": WEB,
                                          "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "client"}}]}]})])
    assert reach(e, "a/client", "a/web", 80)
    assert not reach(e, "b/client", "a/web", 80)  # other namespace: the CNP's namespace is implied
    assert reach(e, "a/web", "b/client", 80)


def test_empty_ingress_rule_selects_and_allows_nothing() -> None:
    # "Layer 3 Examples" / "Ingress/Egress Default Deny": `ingress: [{}]` puts the endpoint in default deny.
    e = engine([*world(), cnp("a", "p", {"endpointSelector": WEB, "ingress": [{}]})])
    assert not reach(e, "a/client", "a/web", 80)


def test_namespace_label_in_peer_selector_crosses_namespaces() -> None:
    # "Using Kubernetes Constructs In Policy", Namespaces: k8s:io.kubernetes.pod.namespace selects the peer's namespace.
    sel = {"matchLabels": {"k8s:io.kubernetes.pod.namespace": "b", "k8s:app": "client"}}
    e = engine([*world(), cnp("a", "p", {"endpointSelector": WEB, "ingress": [{"fromEndpoints": [sel]}]})])
    assert reach(e, "b/client", "a/web", 80)
    assert not reach(e, "a/client", "a/web", 80)


def test_match_expressions_on_namespace() -> None:
    # "Layer 3 Examples", matchExpressions in endpoint selectors (NotIn on the namespace label).
    sel = {"matchExpressions": [{"key": "io.kubernetes.pod.namespace", "operator": "NotIn", "values": ["a"]}]}
    e = engine([*world(), cnp("a", "p", {"endpointSelector": WEB, "ingress": [{"fromEndpoints": [sel]}]})])
    assert reach(e, "b/client", "a/web", 80) and not reach(e, "a/client", "a/web", 80)


def test_clusterwide_peer_without_namespace_means_every_namespace() -> None:
    # "Using Kubernetes Constructs In Policy": a CCNP is not namespaced; its selectors reach all namespaces.
    e = engine([*world(), cnp("", "p", {"endpointSelector": WEB,
                                         "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "client"}}]}]},
                               clusterwide=True)])
    assert reach(e, "b/client", "a/web", 80) and reach(e, "a/client", "a/web", 80)


def test_l4_only_rule_matches_every_peer() -> None:
    # "Layer 4 Policies": toPorts may be given without an L3 part; it then applies to any peer.
    e = engine([*world(), cnp("a", "p", {"endpointSelector": WEB, "ingress": [{"toPorts": tcp("80")}]})])
    assert reach(e, "b/client", "a/web", 80) and reach(e, "8.8.8.8", "a/web", 80)
    assert not reach(e, "b/client", "a/web", 81)


def test_port_range_and_protocol_any() -> None:
    # "Layer 4 Policies": PortProtocol port + endPort; protocol omitted or ANY matches any protocol.
    rule = {"fromEntities": ["all"], "toPorts": [{"ports": [{"port": "8000", "endPort": 8010}]}]}
    e = engine([*world(), cnp("a", "p", {"endpointSelector": WEB, "ingress": [rule]})])
    assert reach(e, "a/client", "a/web", 8005, "UDP") and reach(e, "a/client", "a/web", 8010, "SCTP")
    assert not reach(e, "a/client", "a/web", 8011)


def test_named_port() -> None:
    # "Layer 4 Policies": Port can be a name, resolved on the destination's container ports.
    rule = {"fromEntities": ["cluster"], "toPorts": [{"ports": [{"port": "http", "protocol": "TCP"}]}]}
    e = engine([*world(), cnp("a", "p", {"endpointSelector": WEB, "ingress": [rule]})])
    assert reach(e, "a/client", "a/web", 80) and not reach(e, "a/client", "a/web", 81)


def test_deny_wins_over_allow() -> None:
    # "Deny Policies": deny policies take precedence over allow policies, Cilium's or Kubernetes'.
    allow = cnp("a", "allow", {"endpointSelector": WEB, "ingress": [{"fromEntities": ["cluster"]}]})
    deny = cnp("a", "deny", {"endpointSelector": WEB,
                             "ingressDeny": [{"fromEndpoints": [{}], "toPorts": tcp("80")}]})
    e = engine([*world(), allow, deny])
    assert not reach(e, "a/client", "a/web", 80)
    assert reach(e, "a/client", "a/web", 81)
    assert reach(e, "b/client", "a/web", 80)  # the deny's {} means the CNP's namespace only


def test_deny_wins_over_kubernetes_networkpolicy() -> None:
    # "Deny Policies": "...or even a Kubernetes Network Policy"; the allows of both are one union.
    np = knp("a", "k", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{}]})
    deny = cnp("a", "deny", {"endpointSelector": WEB, "ingressDeny": [{"fromEntities": ["cluster"],
                                                                       "toPorts": tcp("22")}]})
    e = engine([*world(), np, deny])
    assert not reach(e, "a/client", "a/web", 22)
    assert reach(e, "a/client", "a/web", 80)


def test_deny_only_policy_is_default_deny() -> None:
    # "Deny Policies": pods enter default-deny as soon as a single policy selects them (enableDefaultDeny:
    # true for a direction with rules, deny rules included).
    deny = cnp("a", "deny", {"endpointSelector": WEB, "ingressDeny": [{"fromEntities": ["world"]}]})
    e = engine([*world(), deny])
    assert not reach(e, "a/client", "a/web", 80)


def test_enable_default_deny_false_keeps_the_rest_open() -> None:
    # Rule.enableDefaultDeny: false means the policy does not put the endpoint into default deny.
    deny = cnp("a", "deny", {"endpointSelector": WEB, "enableDefaultDeny": {"ingress": False},
                             "ingressDeny": [{"fromEntities": ["world"]}]})
    e = engine([*world(), deny])
    assert reach(e, "a/client", "a/web", 80)
    assert not reach(e, "1.2.3.4", "a/web", 80)


def test_union_with_kubernetes_networkpolicy() -> None:
    # "Policy Enforcement Modes" + "Deny Policies": allows of every policy, Kubernetes' included, add up.
    np = knp("a", "k", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{"ports": [{"port": 443}]}]})
    c = cnp("a", "c", {"endpointSelector": WEB, "ingress": [{"toPorts": tcp("80")}]})
    e = engine([*world(), np, c])
    assert reach(e, "a/client", "a/web", 80) and reach(e, "a/client", "a/web", 443)
    assert not reach(e, "a/client", "a/web", 8080)


def test_entities() -> None:
    # "Layer 3 Examples", Entities Based: world is outside the cluster, cluster every endpoint, all both.
    def with_entity(ent: str) -> object:
        return engine([*world(), cnp("a", "p", {"endpointSelector": WEB, "ingress": [{"fromEntities": [ent]}]})])
    e = with_entity("world")
    assert reach(e, "1.2.3.4", "a/web", 80) and not reach(e, "a/client", "a/web", 80)
    e = with_entity("cluster")
    assert not reach(e, "1.2.3.4", "a/web", 80) and reach(e, "b/client", "a/web", 80)
    e = with_entity("all")
    assert reach(e, "1.2.3.4", "a/web", 80) and reach(e, "b/client", "a/web", 80)
    e = with_entity("kube-apiserver")
    assert not reach(e, "1.2.3.4", "a/web", 80) and not reach(e, "b/client", "a/web", 80)


def test_cidr_rules_never_match_pods() -> None:
    # "Layer 3 Examples", IP/CIDR based: for peers that are not endpoints; fromCIDRSet with except.
    rule = {"fromCIDRSet": [{"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}]}
    e = engine([*world(), cnp("a", "p", {"endpointSelector": WEB, "ingress": [rule]})])
    assert reach(e, "10.2.3.4", "a/web", 80)
    assert not reach(e, "10.1.2.3", "a/web", 80)
    assert not reach(e, "a/client", "a/web", 80)  # 10.0.0.2 is a pod: CIDR rules do not match it


def test_to_fqdns_is_never_resolved() -> None:
    # "Layer 3 Examples", DNS based: names resolved by the agent at run time; ktui shows them, never resolves.
    rule = {"toFQDNs": [{"matchName": "api.example.com"}], "toPorts": tcp("443")}
    e = engine([*world(), cnp("a", "p", {"endpointSelector": WEB, "egress": [rule]})])
    assert not reach(e, "a/web", "93.184.216.34", 443)


def test_to_services_selects_the_service_pods() -> None:
    # "Layer 3 Examples", Services based: toServices k8sService names the Service's backends.
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "client", "namespace": "b"},
           "spec": {"selector": {"app": "client"}, "ports": [{"port": 80}]}}
    rule = {"toServices": [{"k8sService": {"serviceName": "client", "namespace": "b"}}]}
    e = engine([*world(), svc, cnp("a", "p", {"endpointSelector": WEB, "egress": [rule]})])
    assert reach(e, "a/web", "b/client", 80) and not reach(e, "a/web", "a/client", 80)


def test_egress_default_deny_and_dns_rule_port() -> None:
    # "Layer 7 Examples", DNS: a toPorts DNS rule opens port 53 to the DNS server (L4), its names are L7 words.
    dns_rule = {"toEndpoints": [{"matchLabels": {"io.kubernetes.pod.namespace": "b"}}],
                "toPorts": [{"ports": [{"port": "53", "protocol": "UDP"}], "rules": {"dns": [{"matchPattern": "*"}]}}]}
    e = engine([*world(), cnp("a", "p", {"endpointSelector": WEB, "egress": [dns_rule]})])
    assert reach(e, "a/web", "b/client", 53, "UDP")
    assert not reach(e, "a/web", "b/client", 53, "TCP")
    assert not reach(e, "a/web", "a/client", 53, "UDP")


def test_specs_list() -> None:
    # CiliumNetworkPolicy: `specs` holds several rules; each selects on its own.
    c = {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": "m", "namespace": "a"},
         "specs": [{"endpointSelector": WEB, "ingress": [{"toPorts": tcp("80")}]},
                   {"endpointSelector": {"matchLabels": {"app": "client"}}, "ingress": [{"toPorts": tcp("90")}]}]}
    e = engine([*world(), c])
    assert reach(e, "b/client", "a/web", 80) and not reach(e, "b/client", "a/web", 90)
    assert reach(e, "a/web", "a/client", 90) and not reach(e, "a/web", "a/client", 80)


def test_to_services_without_selector_uses_endpoint_slice_addresses() -> None:
    # "Layer 3 Policies", Services based (note): a Service without selector's EndpointSlice IPs become CIDRs.
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "legacy-db", "namespace": "a"},
           "spec": {"ports": [{"port": 5432}]}}
    eps = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
           "metadata": {"name": "legacy-db-1", "namespace": "a", "labels": {"kubernetes.io/service-name": "legacy-db"}},
           "addressType": "IPv4", "endpoints": [{"addresses": ["192.0.2.7"]}]}
    rule = {"toServices": [{"k8sService": {"serviceName": "legacy-db", "namespace": "a"}}]}
    e = engine([*world(), svc, eps, cnp("a", "p", {"endpointSelector": WEB, "egress": [rule]})])
    assert reach(e, "a/web", "192.0.2.7", 5432)
    assert not reach(e, "a/web", "192.0.2.8", 5432)


def test_host_network_pods_are_host_entities_not_endpoints() -> None:
    # "Layer 3 Policies", Entities based: host / remote-node include host-networking containers; endpoint
    # selectors and CIDR rules never match them ("IP/CIDR based").
    docs = [*world(), pod("a", "agent", "172.18.0.2", {"app": "client"}, host_network=True)]
    e = engine([*docs, cnp("a", "p", {"endpointSelector": WEB,
                                      "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "client"}}]}]})])
    assert reach(e, "a/client", "a/web", 80) and not reach(e, "a/agent", "a/web", 80)
    e = engine([*docs, cnp("a", "p", {"endpointSelector": WEB, "ingress": [{"fromEntities": ["remote-node"]}]})])
    assert reach(e, "a/agent", "a/web", 80) and not reach(e, "a/client", "a/web", 80)


def test_fqdn_destinations_make_the_egress_class_external() -> None:
    # "Layer 3 Policies", DNS based: toFQDNs are for connections outside the cluster, by name.
    from ktui.analysis.policy import EgressClass, egress_posture
    from tests.cilium.tiers import subject

    rule = {"toFQDNs": [{"matchName": "api.example.com"}], "toPorts": tcp("443")}
    e = engine([*world(), cnp("a", "p", {"endpointSelector": WEB, "egress": [rule]})])
    posture = egress_posture(e, subject(e, "a", "web"))
    assert posture.cls is EgressClass.EXTERNAL and posture.names == ("api.example.com",)


def test_service_account_label() -> None:
    # "Using Kubernetes Constructs In Policy", ServiceAccounts: io.cilium.k8s.policy.serviceaccount selects by
    # the pod's service account.
    docs = [ns("a"), pod("a", "web", "10.0.0.1", {"app": "web"}), pod("a", "robot", "10.0.0.3", {"app": "x"}, sa="bot"),
            pod("a", "other", "10.0.0.4", {"app": "x"})]
    sel = {"matchLabels": {"io.cilium.k8s.policy.serviceaccount": "bot"}}
    e = engine([*docs, cnp("a", "p", {"endpointSelector": WEB, "ingress": [{"fromEndpoints": [sel]}]})])
    assert reach(e, "a/robot", "a/web", 80) and not reach(e, "a/other", "a/web", 80)
