"""Discovery through the real client, and groups switched off and on at run time."""

from __future__ import annotations

import json

import pytest
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException

from ktui.apiserver import ApiServer
from tests.apiserver.helpers import raw_get

GATEWAY = "gateway.networking.k8s.io"


def test_version_and_core_discovery(api_client: client.ApiClient) -> None:
    assert client.VersionApi(api_client).get_code().major == "1"
    assert client.CoreApi(api_client).get_api_versions().versions == ["v1"]
    core = {r.name: r for r in client.CoreV1Api(api_client).get_api_resources().resources}
    assert core["pods"].namespaced and core["pods"].kind == "Pod"
    assert not core["namespaces"].namespaced
    assert {"get", "list", "watch"} <= set(core["secrets"].verbs)
    assert "pods/status" in core and "secrets/status" not in core


def test_groups_and_versions(api_client: client.ApiClient) -> None:
    groups = {g.name: g for g in client.ApisApi(api_client).get_api_versions().groups}
    assert {"apps", "discovery.k8s.io", "networking.k8s.io", GATEWAY,
            "policy.networking.k8s.io", "authorization.k8s.io"} <= set(groups)
    gw = groups[GATEWAY]
    assert [v.version for v in gw.versions] == ["v1", "v1beta1", "v1alpha2"]
    assert gw.preferred_version.group_version == f"{GATEWAY}/v1"
    policy = [v.version for v in groups["policy.networking.k8s.io"].versions]
    assert policy == ["v1alpha2", "v1alpha1"]


def test_resource_list_of_a_group_version(api_client: client.ApiClient) -> None:
    resources = client.CustomObjectsApi(api_client).get_api_resources(GATEWAY, "v1beta1")
    by_name = {r.name: r for r in resources.resources}
    assert by_name["gatewayclasses"].namespaced is False
    assert by_name["httproutes"].kind == "HTTPRoute" and by_name["httproutes"].namespaced
    assert "referencegrants" in by_name and "tlsroutes" in by_name
    anp = client.CustomObjectsApi(api_client).get_api_resources("policy.networking.k8s.io",
                                                                "v1alpha1")
    assert {r.name for r in anp.resources} == {"adminnetworkpolicies",
                                               "baselineadminnetworkpolicies",
                                               "adminnetworkpolicies/status",
                                               "baselineadminnetworkpolicies/status"}


def test_group_switched_off_answers_404_then_on_again(server: ApiServer,
                                                      api_client: client.ApiClient) -> None:
    custom = client.CustomObjectsApi(api_client)
    server.apply({"apiVersion": f"{GATEWAY}/v1", "kind": "GatewayClass",
                  "metadata": {"name": "eg"}, "spec": {"controllerName": "x/y"}})
    server.set_group_enabled(GATEWAY, False)
    groups = {g.name for g in client.ApisApi(api_client).get_api_versions().groups}
    assert GATEWAY not in groups
    assert raw_get(server, f"/apis/{GATEWAY}").status == 404
    for call in (lambda: custom.get_api_resources(GATEWAY, "v1"),
                 lambda: custom.list_cluster_custom_object(GATEWAY, "v1", "gatewayclasses"),
                 lambda: custom.get_cluster_custom_object(GATEWAY, "v1", "gatewayclasses", "eg")):
        with pytest.raises(ApiException) as exc:
            call()
        assert exc.value.status == 404
    with pytest.raises(ApiException) as exc:
        list(watch.Watch().stream(custom.list_cluster_custom_object, GATEWAY, "v1",
                                  "gatewayclasses", timeout_seconds=1))
    assert exc.value.status == 404

    server.set_group_enabled(GATEWAY, True)
    listed = custom.list_cluster_custom_object(GATEWAY, "v1", "gatewayclasses")
    assert [o["metadata"]["name"] for o in listed["items"]] == ["eg"]


def test_switching_a_group_off_ends_its_open_watches(server: ApiServer,
                                                     api_client: client.ApiClient) -> None:
    custom = client.CustomObjectsApi(api_client)
    resp = custom.list_namespaced_custom_object(GATEWAY, "v1", "default", "httproutes",
                                                watch=True, _preload_content=False)
    server.set_group_enabled(GATEWAY, False)
    assert resp.read() == b""  # a clean end of stream, no events
    assert resp.status == 200


def test_health_and_unknown_paths(server: ApiServer) -> None:
    assert raw_get(server, "/healthz").data == b"ok"
    for path in ("/openapi/v2", "/apis/example.com", "/api/v1/configmaps", "/api/v1/pods/a",
                 "/apis/gateway.networking.k8s.io/v1/namespaces/x/gatewayclasses"):
        resp = raw_get(server, path)
        assert resp.status == 404, path
        assert json.loads(resp.data)["kind"] == "Status"
