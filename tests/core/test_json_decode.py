"""JSON documents take a fast path (typed conversion without copying the tree) that must read
exactly as the careful one: explicit nulls as absent, and errors named as before."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ktui.model.decode import DecodeError, _drop_nulls, decode_document

POLICY: dict[str, Any] = {
    "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
    "metadata": {"name": "p", "namespace": "a", "labels": {"app": "x"}, "annotations": None},
    "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress", "Egress"],
             "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": 80, "protocol": None}]}],
             "egress": None},
}


@pytest.mark.parametrize("doc", [
    POLICY,
    {**POLICY, "metadata": {**POLICY["metadata"], "annotations": {"a": "b"}}},
    {**POLICY, "spec": {**POLICY["spec"], "ingress": [None, {"from": None}]}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": None},
     "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80, "name": None}]}]},
     "status": {"podIP": None, "podIPs": None}},
])
def test_json_reads_as_the_careful_path(doc: dict[str, Any]) -> None:
    fast = decode_document(copy.deepcopy(doc), "default", shared=False)
    careful = decode_document(_drop_nulls(copy.deepcopy(doc)), "default", shared=True)
    assert fast == careful and fast[1] is not None


def test_json_errors_name_the_object_and_field() -> None:
    bad = {**POLICY, "spec": {**POLICY["spec"], "podSelector": {"matchLabels": {"app": 3}}}}
    with pytest.raises(DecodeError, match="NetworkPolicy a/p") as caught:
        decode_document(copy.deepcopy(bad), "default", shared=False)
    assert "matchLabels" in str(caught.value)


def test_json_with_a_wrong_shape_fails_as_the_careful_path_does() -> None:
    bad = {**POLICY, "spec": {**POLICY["spec"], "egress": {}}}
    messages = []
    for shared in (False, True):
        with pytest.raises(DecodeError) as caught:
            decode_document(copy.deepcopy(bad), "default", shared=shared)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "spec.egress" in messages[0]
