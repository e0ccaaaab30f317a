"""Calico semantics, one case per statement of the Calico reference (section cited per test)."""

from __future__ import annotations

from tests.cilium.tiers import CALICO, Doc, calico, engine, knp, ns, pod, reach


def world() -> list[Doc]:
    return [ns("a"), ns("b", team="x"), pod("a", "web", "10.0.0.1", {"app": "web"}),
            pod("a", "client", "10.0.0.2", {"app": "client"}, sa="robot"),
            pod("b", "client", "10.0.1.2", {"app": "client"})]


def tier(name: str, order: float | None, action: str = "Deny") -> Doc:
    spec: Doc = {"defaultAction": action}
    if order is not None:
        spec["order"] = order
    return {"apiVersion": CALICO, "kind": "Tier", "metadata": {"name": name}, "spec": spec}


def np(name: str, spec: Doc, namespace: str = "a") -> Doc:
    return calico("NetworkPolicy", name, spec, namespace)


def gnp(name: str, spec: Doc) -> Doc:
    return calico("GlobalNetworkPolicy", name, spec)


WEB = "app == 'web'"


def test_first_matching_rule_decides() -> None:
    # "Rule": rules are executed in order; Allow and Deny are immediate and final.
    e = engine([*world(), np("p", {"selector": WEB, "ingress": [
        {"action": "Deny", "source": {"selector": "app == 'client'"}}, {"action": "Allow"}]})])
    assert not reach(e, "a/client", "a/web", 80)
    assert reach(e, "b/client", "a/web", 80)  # the selector's scope is the policy's namespace


def test_log_goes_on() -> None:
    # "Rule": after a Log action, processing continues with the next rule.
    e = engine([*world(), np("p", {"selector": WEB, "ingress": [{"action": "Log"}, {"action": "Allow"}]})])
    assert reach(e, "a/client", "a/web", 80)


def test_tier_default_action_deny_when_a_policy_applies() -> None:
    # "Tier: How policy is evaluated": a tier that applies but takes no action drops the packet.
    e = engine([*world(), np("p", {"selector": WEB, "ingress": [{"action": "Allow", "source": {
        "selector": "app == 'client'"}}]})])
    assert reach(e, "a/client", "a/web", 80)
    assert not reach(e, "b/client", "a/web", 80)
    assert reach(e, "a/web", "a/client", 80)  # types default to Ingress only: egress untouched


def test_pass_goes_to_the_next_tier_and_tier_order() -> None:
    # "Tier": tiers sorted by order, smallest first; Pass hands the packet to the next tier.
    docs = [*world(), tier("security", 100), tier("platform", 50),
            gnp("deny-x", {"tier": "security", "selector": WEB, "ingress": [
                {"action": "Deny", "source": {"namespaceSelector": "team == 'x'"}}, {"action": "Pass"}]}),
            gnp("allow-all", {"tier": "platform", "selector": WEB, "ingress": [
                {"action": "Allow", "protocol": "TCP", "destination": {"ports": [80]}}, {"action": "Pass"}]})]
    e = engine(docs)
    assert reach(e, "b/client", "a/web", 80)  # platform (50) allows before security (100) denies
    assert not reach(e, "b/client", "a/web", 81)
    assert reach(e, "a/client", "a/web", 81)  # passed by both tiers, nothing else: allowed


def test_tier_without_order_is_last_and_default_action_pass() -> None:
    # "Tier" spec: order unset is the highest order (lowest precedence); defaultAction Pass.
    docs = [*world(), tier("late", None), tier("early", 10, "Pass"),
            gnp("d", {"tier": "late", "selector": WEB, "ingress": [{"action": "Deny"}]}),
            gnp("e", {"tier": "early", "selector": WEB, "ingress": [
                {"action": "Allow", "source": {"selector": "app == 'client'"}}]})]
    e = engine(docs)
    assert reach(e, "a/client", "a/web", 80)
    assert not reach(e, "1.2.3.4", "a/web", 80)  # early passes (defaultAction), late denies


def test_policy_order_then_name() -> None:
    # "NetworkPolicy" spec order: the lowest value first; unset last; ties by name.
    docs = [*world(),
            np("b-allow", {"selector": WEB, "order": 5, "ingress": [{"action": "Allow"}]}),
            np("a-deny", {"selector": WEB, "order": 5, "ingress": [{"action": "Deny"}]}),
            np("z-first", {"selector": WEB, "order": 1, "ingress": [{"action": "Log"}]})]
    e = engine(docs)
    assert not reach(e, "a/client", "a/web", 80)
    docs[-2] = np("a-deny", {"selector": WEB, "ingress": [{"action": "Deny"}]})  # unset: last
    assert reach(engine(docs), "a/client", "a/web", 80)


def test_types_default() -> None:
    # "NetworkPolicy" types: no types -> Ingress unless only egress rules exist; both when both.
    e = engine([*world(), np("p", {"selector": WEB, "egress": [{"action": "Deny", "protocol": "UDP"}]})])
    assert not reach(e, "a/web", "a/client", 53, "UDP")
    assert not reach(e, "a/web", "a/client", 80)  # egress applies; nothing allows TCP: tier default deny
    assert reach(e, "a/client", "a/web", 80)  # ingress not selected


def test_namespace_selector_in_rules_and_global_policies() -> None:
    # "Selector scopes": a rule's namespaceSelector scopes its selector; in a GlobalNetworkPolicy with
    # no namespaceSelector the selector reaches every namespace.
    e = engine([*world(), gnp("g", {"selector": WEB, "ingress": [
        {"action": "Allow", "source": {"selector": "app == 'client'"}}]})])
    assert reach(e, "b/client", "a/web", 80) and reach(e, "a/client", "a/web", 80)
    e = engine([*world(), np("p", {"selector": WEB, "ingress": [
        {"action": "Allow", "source": {"namespaceSelector": "team == 'x'", "selector": "app == 'client'"}}]})])
    assert reach(e, "b/client", "a/web", 80) and not reach(e, "a/client", "a/web", 80)


def test_global_policy_namespace_selector_selects_endpoints() -> None:
    # "GlobalNetworkPolicy" spec.namespaceSelector: the endpoints the policy applies to, by namespace labels.
    e = engine([*world(), gnp("g", {"namespaceSelector": "team == 'x'", "selector": "all()",
                                    "ingress": [{"action": "Deny"}]})])
    assert not reach(e, "a/web", "b/client", 80)
    assert reach(e, "b/client", "a/web", 80)


def test_nets_not_nets_and_not_selector() -> None:
    # "EntityRule": nets / notNets match addresses (pods' too); notSelector excludes.
    e = engine([*world(), np("p", {"selector": WEB, "ingress": [
        {"action": "Allow", "source": {"nets": ["10.0.0.0/16"], "notNets": ["10.0.1.0/24"]}}]})])
    assert reach(e, "a/client", "a/web", 80) and reach(e, "10.0.9.9", "a/web", 80)
    assert not reach(e, "b/client", "a/web", 80) and not reach(e, "10.0.1.9", "a/web", 80)
    e = engine([*world(), gnp("g", {"selector": WEB, "ingress": [
        {"action": "Allow", "source": {"notSelector": "app == 'client'"}}]})])
    assert not reach(e, "a/client", "a/web", 80) and reach(e, "8.8.8.8", "a/web", 80)


def test_ports_ranges_named_and_not_ports() -> None:
    # "Ports": numbers, "lo:hi" ranges and named ports; notPorts excludes.
    e = engine([*world(), np("p", {"selector": WEB, "ingress": [
        {"action": "Allow", "protocol": "TCP", "destination": {"ports": ["http", "8000:8010"],
                                                               "notPorts": [8005]}}]})])
    assert reach(e, "a/client", "a/web", 80) and reach(e, "a/client", "a/web", 8010)
    assert not reach(e, "a/client", "a/web", 8005) and not reach(e, "a/client", "a/web", 80, "UDP")


def test_icmp_rule_is_outside_the_port_model() -> None:
    # "Rule" protocol ICMP: no TCP/UDP/SCTP port matches it.
    e = engine([*world(), np("p", {"selector": WEB, "ingress": [{"action": "Allow", "protocol": "ICMP"}]})])
    assert not reach(e, "a/client", "a/web", 80)


def test_service_account_selector() -> None:
    # "NetworkPolicy" serviceAccountSelector and "EntityRule" serviceAccounts (names).
    rule = {"action": "Allow", "source": {"serviceAccounts": {"names": ["robot"]}}}
    e = engine([*world(), np("p", {"selector": "all()", "ingress": [rule],
                                   "serviceAccountSelector": "projectcalico.org/name == 'default'"})])
    assert reach(e, "a/client", "a/web", 80)  # client runs as robot
    assert not reach(e, "b/client", "a/web", 80)
    assert reach(e, "a/web", "a/client", 80)  # client (robot) is not selected by the policy


def test_network_sets_are_address_sets_for_selectors() -> None:
    # "EntityRule": selectors match (namespaced or global) network sets; global() reaches GlobalNetworkSets.
    gns = {"apiVersion": CALICO, "kind": "GlobalNetworkSet", "metadata": {"name": "bad", "labels": {"feed": "bad"}},
           "spec": {"nets": ["198.51.100.0/24"]}}
    nset = {"apiVersion": CALICO, "kind": "NetworkSet", "metadata": {"name": "partners", "namespace": "a",
                                                                      "labels": {"role": "partner"}},
            "spec": {"nets": ["203.0.113.0/24"]}}
    e = engine([*world(), gns, nset, np("p", {"selector": WEB, "types": ["Egress"], "egress": [
        {"action": "Deny", "destination": {"namespaceSelector": "global()", "selector": "feed == 'bad'"}},
        {"action": "Allow", "destination": {"selector": "role == 'partner'"}}]})])
    assert reach(e, "a/web", "203.0.113.5", 443)
    assert not reach(e, "a/web", "198.51.100.5", 443)
    assert not reach(e, "a/web", "8.8.8.8", 443)


def test_kubernetes_networkpolicy_in_default_tier_at_1000() -> None:
    # "Tier": orchestrator policies are in the default tier; Kubernetes NetworkPolicy at order 1000,
    # so a Calico policy of order 500 decides before it and one of order 2000 after.
    k = knp("a", "allow-all", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{}]})
    before = np("deny", {"selector": WEB, "order": 500, "ingress": [{"action": "Deny", "protocol": "TCP",
                                                                      "destination": {"ports": [22]}}]})
    after = np("deny-late", {"selector": WEB, "order": 2000, "ingress": [{"action": "Deny"}]})
    e = engine([*world(), k, before, after])
    assert not reach(e, "a/client", "a/web", 22)
    assert reach(e, "a/client", "a/web", 80)


def test_staged_policies_are_never_enforced() -> None:
    # "StagedNetworkPolicy": a staged policy is evaluated for preview only.
    staged = calico("StagedNetworkPolicy", "s", {"selector": WEB, "ingress": [{"action": "Deny"}]}, "a")
    e = engine([*world(), staged])
    assert reach(e, "a/client", "a/web", 80)


def test_host_network_pods_are_not_workload_endpoints() -> None:
    # "NetworkPolicy": policies apply to workload endpoints; a host-network pod has none, so neither a
    # policy nor a rule's selector selects it (its address still matches nets).
    docs = [*world(), pod("a", "agent", "172.18.0.2", {"app": "client"}, host_network=True)]
    allow = {"action": "Allow", "source": {"selector": "app == 'client'"}}
    e = engine([*docs, np("p", {"selector": WEB, "ingress": [allow]}),
                gnp("g", {"selector": "all()", "types": ["Egress"], "egress": [{"action": "Deny"}]})])
    assert reach(e, "a/client", "a/web", 80) is False  # the GlobalNetworkPolicy denies client's egress
    assert not reach(e, "a/agent", "a/web", 80)  # not an endpoint: the selector does not match it
    by_net = {"action": "Allow", "source": {"nets": ["172.18.0.0/16"]}}
    e = engine([*docs, np("p", {"selector": WEB, "ingress": [by_net]})])
    assert reach(e, "a/agent", "a/web", 80)


def test_only_network_sets_in_play_split_the_address_space() -> None:
    # DESIGN "ktui connectivity output": ranges split at the boundaries in play; a network set no rule can
    # match adds no boundary.
    from tests.cilium.tiers import fast

    unused = {"apiVersion": CALICO, "kind": "GlobalNetworkSet", "metadata": {"name": "x", "labels": {"k": "v"}},
              "spec": {"nets": ["192.0.2.0/24"]}}
    used = {"apiVersion": CALICO, "kind": "GlobalNetworkSet", "metadata": {"name": "y", "labels": {"feed": "bad"}},
            "spec": {"nets": ["198.51.100.0/24"]}}
    e = engine([*world(), unused, used, gnp("g", {"selector": WEB, "types": ["Egress"], "egress": [
        {"action": "Deny", "destination": {"selector": "feed == 'bad'"}}, {"action": "Allow"}]})])
    dests = {dst for src, dst in fast(e.state, e) if src == "a/web[Pod]" and "External" in dst}
    assert dests == {"0.0.0.0-198.51.99.255[External]", "198.51.101.0-255.255.255.255[External]"}


def test_selector_all_matches_endpoints_not_packets() -> None:
    # "EntityRule": a rule with selector all() matches in-scope endpoints and network sets, not all packets;
    # to match all packets, state no selector.
    from_all = {"action": "Allow", "source": {"selector": "all()"}}
    e = engine([*world(), np("p", {"selector": WEB, "ingress": [from_all]})])
    assert reach(e, "a/client", "a/web", 80)
    assert not reach(e, "b/client", "a/web", 80)  # another namespace: out of the NetworkPolicy's scope
    assert not reach(e, "8.8.8.8", "a/web", 80)
    e = engine([*world(), np("p", {"selector": WEB, "ingress": [{"action": "Allow"}]})])
    assert reach(e, "8.8.8.8", "a/web", 80) and reach(e, "b/client", "a/web", 80)
