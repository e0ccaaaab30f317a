"""Decoding Cilium objects: routing by group, and one-line messages naming the object and field."""

from __future__ import annotations

import pytest

from ktui.model.decode import DecodeError, decode_document


def cnp(spec: dict[str, object]) -> dict[str, object]:
    return {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
            "metadata": {"name": "p", "namespace": "a"}, "spec": spec}


@pytest.mark.parametrize(("spec", "message"), [
    ({"ingress": [{}]}, "spec: exactly one of endpointSelector and nodeSelector is required"),
    ({"endpointSelector": {}, "ingress": [{"fromEntities": ["everyone"]}]},
     "spec.ingress[0].fromEntities[0]: 'everyone' is not one of"),
    ({"endpointSelector": {}, "egress": [{"toCIDRSet": [{"cidr": "10.0.0.0/8", "except": ["11.0.0.0/16"]}]}]},
     "spec.egress[0].toCIDRSet[0].except[0]: '11.0.0.0/16' is not inside cidr 10.0.0.0/8"),
    ({"endpointSelector": {}, "egress": [{"toPorts": [{"ports": [{"port": "80", "protocol": "ICMP"}]}]}]},
     "spec.egress[0].toPorts[0].ports[0].protocol: 'ICMP' is not TCP, UDP, SCTP or ANY"),
    ({"endpointSelector": {"matchExpressions": [{"key": "a", "operator": "Maybe"}]}},
     "spec.endpointSelector.matchExpressions[0]: operator 'Maybe'"),
])
def test_invalid_policies_name_object_and_field(spec: dict[str, object], message: str) -> None:
    with pytest.raises(DecodeError) as err:
        decode_document(cnp(spec))
    assert str(err.value).startswith("CiliumNetworkPolicy a/p: ") and message in str(err.value)


def test_specs_without_spec_and_clusterwide_scope() -> None:
    doc = {"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
           "metadata": {"name": "c", "namespace": "ignored"}, "specs": [{"nodeSelector": {}, "ingress": [{}]}]}
    info, obj = decode_document(doc)
    assert info is not None and info.kind == "CiliumClusterwideNetworkPolicy" and obj.metadata.namespace == ""


def test_calico_networkpolicy_never_lands_on_kubernetes_kind() -> None:
    for api in ("projectcalico.org/v3", "crd.projectcalico.org/v1"):
        info, obj = decode_document({"apiVersion": api, "kind": "NetworkPolicy",
                                     "metadata": {"name": "p", "namespace": "a"}, "spec": {}})
        assert info is not None and info.kind == "CalicoNetworkPolicy" and obj.kind == "CalicoNetworkPolicy"
    info, _ = decode_document({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                               "metadata": {"name": "p", "namespace": "a"}, "spec": {}})
    assert info is not None and info.kind == "NetworkPolicy"
