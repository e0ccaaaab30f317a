"""Decoding and validation: errors name the object and the field, as the API server would refuse it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ktui.model.adminpolicy import AdminNetworkPolicy, ClusterNetworkPolicy
from ktui.model.decode import DecodeError, decode_document
from ktui.model.kinds import BY_KIND
from ktui.sources.manifests import load_paths
from tests.admin.helpers import ALL_NS, anp, banp, cnp, rule, tcp

SUBJECT = {"namespaces": {}}


def _error(doc: dict[str, Any]) -> str:
    with pytest.raises(DecodeError) as info:
        decode_document(doc)
    return str(info.value)


def test_kinds_are_cluster_scoped_optional_crds() -> None:
    for kind, version in (("AdminNetworkPolicy", "v1alpha1"), ("BaselineAdminNetworkPolicy", "v1alpha1"),
                          ("ClusterNetworkPolicy", "v1alpha2")):
        info = BY_KIND[kind]
        assert (info.group, info.versions, info.namespaced, info.optional) == (
            "policy.networking.k8s.io", (version,), False, True)


def test_a_valid_policy_decodes_with_defaults() -> None:
    info, obj = decode_document(anp("ok", 0, SUBJECT, egress=[rule("Deny", [{"networks": ["10.0.0.0/8"]}],
                                                                   [{"portNumber": {"port": 53}}], egress=True)]))
    assert info is not None and isinstance(obj, AdminNetworkPolicy)
    assert obj.metadata.namespace == "" and obj.spec.priority == 0
    assert obj.spec.egress is not None and obj.spec.egress[0].ports is not None
    port = obj.spec.egress[0].ports[0].port_number
    assert port is not None and port.protocol == "TCP"
    _, c = decode_document(cnp("c", "Baseline", 1000, SUBJECT, ingress=[rule("Accept", [ALL_NS])]))
    assert isinstance(c, ClusterNetworkPolicy) and c.spec.tier == "Baseline"


@pytest.mark.parametrize(("doc", "message"), [
    (anp("p", 1001, SUBJECT), "AdminNetworkPolicy p: spec.priority: 1001 is not in 0-1000"),
    (anp("p", -1, SUBJECT), "AdminNetworkPolicy p: spec.priority: -1 is not in 0-1000"),
    ({**anp("p", 1, SUBJECT), "spec": {"subject": SUBJECT}}, "AdminNetworkPolicy p: spec.priority: required"),
    (banp(SUBJECT, egress=[rule("Pass", [ALL_NS], egress=True)]),
     "BaselineAdminNetworkPolicy default: spec.egress[0].action: 'Pass' is not one of Allow, Deny"),
    (banp(SUBJECT, name="other"), "BaselineAdminNetworkPolicy other: metadata.name: the cluster's only"),
    (anp("p", 1, SUBJECT, ingress=[rule("Allow", [])]), "AdminNetworkPolicy p: spec.ingress[0].from: must list"),
    (anp("p", 1, SUBJECT, egress=[{"name": "x", "action": "Deny"}]), "spec.egress[0].to: must list at least one"),
    (anp("p", 1, SUBJECT, ingress=[rule("Allow", [{}])]),
     "spec.ingress[0].from[0]: exactly one of namespaces, pods must be set (found none)"),
    (anp("p", 1, SUBJECT, egress=[rule("Allow", [{"namespaces": {}, "networks": ["1.2.3.4/32"]}], egress=True)]),
     "spec.egress[0].to[0]: exactly one of namespaces, pods, nodes, networks must be set (found namespaces, networks)"),
    (anp("p", 1, SUBJECT, ingress=[rule("Allow", [{"networks": ["1.2.3.4/32"]}])]),
     "spec.ingress[0].from[0].networks: only egress peers may use it"),
    (anp("p", 1, SUBJECT, egress=[rule("Allow", [{"networks": ["300.1.1.1/8"]}], egress=True)]),
     "spec.egress[0].to[0].networks[0]: '300.1.1.1/8' is not a valid CIDR"),
    (anp("p", 1, SUBJECT, ingress=[rule("Block", [ALL_NS])]), "spec.ingress[0].action: 'Block' is not one of"),
    (anp("p", 1, {}), "AdminNetworkPolicy p: spec.subject: exactly one of namespaces, pods must be set"),
    (anp("p", 1, SUBJECT, ingress=[rule("Allow", [ALL_NS], [{"portRange": {"start": 90, "end": 80}}])]),
     "spec.ingress[0].ports[0].portRange: start 90 is greater than end 80"),
    (anp("p", 1, SUBJECT, ingress=[rule("Allow", [ALL_NS], [{**tcp(80), "namedPort": "http"}])]),
     "spec.ingress[0].ports[0]: exactly one of portNumber, portRange, namedPort must be set"),
    (anp("p", 1, SUBJECT, ingress=[rule("Allow", [ALL_NS], [tcp(70000)])]),
     "spec.ingress[0].ports[0].portNumber.port: 70000 is not in 1-65535"),
    (anp("p", 1, SUBJECT, ingress=[rule("Allow", [ALL_NS], [tcp(80, "ICMP")])]),
     "spec.ingress[0].ports[0].portNumber.protocol: 'ICMP' is not TCP, UDP or SCTP"),
    (anp("p", 1, SUBJECT, ingress=[rule("Allow", [ALL_NS], [])]), "spec.ingress[0].ports: must list at least one"),
    (anp("p", 1, {"namespaces": {"matchExpressions": [{"key": "k", "operator": "Near"}]}}),
     "spec.subject.namespaces.matchExpressions[0]: operator 'Near'"),
    (cnp("c", "Middle", 1, SUBJECT), "ClusterNetworkPolicy c: spec.tier: 'Middle' is not Admin or Baseline"),
    (cnp("c", "Admin", 1, SUBJECT, ingress=[rule("Allow", [ALL_NS])]),
     "ClusterNetworkPolicy c: spec.ingress[0].action: 'Allow' is not one of Accept, Deny, Pass"),
    (cnp("c", "Admin", 1, SUBJECT, ingress=[{**rule("Accept", [ALL_NS]), "protocols": [{"tcp": {}, "udp": {}}]}]),
     "spec.ingress[0].protocols[0]: exactly one of tcp, udp, sctp, destinationNamedPort must be set"),
    (anp("p", 1, SUBJECT, ingress=[{**rule("Allow", [ALL_NS]), "protocols": [{"sctp": {}}]}]),
     "spec.ingress[0].protocols: only a ClusterNetworkPolicy may use it"),
])
def test_invalid_policies_are_refused_naming_object_and_field(doc: dict[str, Any], message: str) -> None:
    assert message in _error(doc)


def test_manifests_report_the_bad_policy_and_load_the_rest(tmp_path: Path) -> None:
    good = anp("good", 1, SUBJECT, ingress=[rule("Deny", [ALL_NS])])
    bad = banp(SUBJECT, ingress=[rule("Pass", [ALL_NS])])
    (tmp_path / "policies.yaml").write_text(yaml.safe_dump_all([good, bad]))
    state, report = load_paths([str(tmp_path)])
    assert [p.metadata.name for p in state.objects("AdminNetworkPolicy")] == ["good"]
    assert state.objects("BaselineAdminNetworkPolicy") == []
    assert any("BaselineAdminNetworkPolicy default: spec.ingress[0].action: 'Pass'" in str(p) for p in report.problems)
