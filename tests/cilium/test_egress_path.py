"""The egress path: Cilium egress gateway policies, Calico egress gateways and IPPool natOutgoing."""

from __future__ import annotations

from ktui.analysis.core.subjects import cluster_subjects
from ktui.analysis.policy.egress_path import egress_paths, egress_paths_of
from tests.cilium.tiers import CALICO, ns, pod
from tests.conftest import state_from


def node(name: str, ip: str, **labels: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels},
            "status": {"addresses": [{"type": "InternalIP", "address": ip}]}}


def test_cilium_egress_gateway_policy() -> None:
    # Cilium "Egress Gateway": selected pods to destinationCIDRs (minus excluded) leave via the gateway node
    # with egressIP.
    egw = {"apiVersion": "cilium.io/v2", "kind": "CiliumEgressGatewayPolicy", "metadata": {"name": "egw"},
           "spec": {"selectors": [{"podSelector": {"matchLabels": {"app": "web",
                                                                    "io.kubernetes.pod.namespace": "a"}}}],
                    "destinationCIDRs": ["0.0.0.0/0"], "excludedCIDRs": ["10.0.0.0/8"],
                    "egressGateway": {"nodeSelector": {"matchLabels": {"egress": "true"}}, "egressIP": "192.0.2.10"}}}
    state = state_from([ns("a"), ns("b"), pod("a", "web", "10.0.0.1", {"app": "web"}),
                        pod("b", "web", "10.0.1.1", {"app": "web"}), node("n1", "10.1.0.1", egress="true"),
                        node("n2", "10.1.0.2"), egw])
    paths = egress_paths(state)
    (p,) = paths["a/web[Pod]"]
    assert (p.how, p.egress_ips, p.gateway_nodes, p.excluded) == ("egress-gateway", ("192.0.2.10",), ("n1",),
                                                                  ("10.0.0.0/8",))
    assert paths["b/web[Pod]"][0].how == "pod-ip"


def test_calico_ippool_nat_outgoing() -> None:
    # Calico "IP pool": natOutgoing SNATs traffic from pool addresses to destinations outside all pools.
    pools = [{"apiVersion": CALICO, "kind": "IPPool", "metadata": {"name": "default"},
              "spec": {"cidr": "10.0.0.0/16", "natOutgoing": True}},
             {"apiVersion": CALICO, "kind": "IPPool", "metadata": {"name": "routed"},
              "spec": {"cidr": "10.9.0.0/16", "natOutgoing": False}}]
    state = state_from([ns("a"), pod("a", "web", "10.0.0.1"), pod("a", "flat", "10.9.0.1"), *pools])
    subjects = {s.name: s for s in cluster_subjects(state)}
    (p,) = egress_paths_of(state, subjects["web"])
    assert p.how == "nat-outgoing" and "10.9.0.0/16" in p.excluded and "IPPool default" in p.via
    assert egress_paths_of(state, subjects["flat"])[0].how == "pod-ip"


def test_calico_egress_gateway_namespace_annotation() -> None:
    # Calico egress gateways: the namespace annotation selects the gateway pods whose IPs traffic leaves with.
    a = ns("a")
    a["metadata"]["annotations"] = {"egress.projectcalico.org/selector": "egress-code == 'red'",
                                    "egress.projectcalico.org/namespaceSelector": "projectcalico.org/name == 'gw'"}
    state = state_from([a, ns("gw"), pod("a", "web", "10.0.0.1"),
                        pod("gw", "gw-1", "10.0.5.5", {"egress-code": "red"})])
    (p,) = egress_paths(state)["a/web[Pod]"]
    assert p.how == "calico-egress-gateway" and p.egress_ips == ("10.0.5.5",)
