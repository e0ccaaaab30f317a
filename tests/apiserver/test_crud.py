"""get / list / create / update / patch / delete through the real `kubernetes` client."""

from __future__ import annotations

import json

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from ktui.apiserver import ApiServer
from tests.apiserver.helpers import namespace, pod, raw_get

GATEWAY = "gateway.networking.k8s.io"


def _names(pod_list: client.V1PodList) -> list[str]:
    return [p.metadata.name for p in pod_list.items]


def test_create_fills_metadata_and_get_returns_it(core: client.CoreV1Api) -> None:
    core.create_namespace(namespace("shop"))
    created = core.create_namespaced_pod("shop", pod("web", labels={"app": "web"}))
    assert created.metadata.uid and created.metadata.creation_timestamp
    assert created.metadata.generation == 1
    assert int(created.metadata.resource_version) > 1
    got = core.read_namespaced_pod("web", "shop")
    assert got.metadata.uid == created.metadata.uid
    assert got.metadata.namespace == "shop"  # defaulted from the path
    assert core.read_namespace("shop").metadata.labels == {"kubernetes.io/metadata.name": "shop"}


def test_create_existing_is_409_and_missing_is_404(core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("shop", pod("web"))
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_pod("shop", pod("web"))
    assert exc.value.status == 409
    assert json.loads(exc.value.body)["reason"] == "AlreadyExists"
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_pod("nope", "shop")
    assert exc.value.status == 404
    assert json.loads(exc.value.body)["reason"] == "NotFound"
    with pytest.raises(ApiException) as exc:
        core.delete_namespaced_pod("nope", "shop")
    assert exc.value.status == 404


def test_resource_versions_are_one_global_increasing_counter(server: ApiServer,
                                                             core: client.CoreV1Api) -> None:
    rvs = [int(core.create_namespaced_pod("a", pod(f"p{i}", "a")).metadata.resource_version)
           for i in range(3)]
    rvs.append(int(core.create_namespaced_service(
        "a", {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
    ).metadata.resource_version))
    assert rvs == sorted(rvs) and len(set(rvs)) == 4
    assert core.list_namespaced_pod("a").metadata.resource_version == str(server.resource_version)


@pytest.mark.parametrize(("selector", "expected"), [
    ("app=web", ["web-1", "web-2"]),
    ("app==web,tier=front", ["web-1"]),
    ("app!=web", ["db", "plain"]),
    ("app in (db, cache)", ["db"]),
    ("app notin (web)", ["db", "plain"]),
    ("tier", ["db", "web-1"]),
    ("!tier", ["plain", "web-2"]),
    ("app,!tier", ["web-2"]),
])
def test_label_selectors(server: ApiServer, core: client.CoreV1Api, selector: str,
                         expected: list[str]) -> None:
    server.apply(pod("web-1", labels={"app": "web", "tier": "front"}))
    server.apply(pod("web-2", labels={"app": "web"}))
    server.apply(pod("db", labels={"app": "db", "tier": "back"}))
    server.apply(pod("plain"))
    assert _names(core.list_namespaced_pod("shop", label_selector=selector)) == expected


def test_field_selectors_and_all_namespaces(server: ApiServer, core: client.CoreV1Api) -> None:
    for ns in ("b", "a"):
        server.apply(pod("x", ns))
        server.apply(pod("y", ns))
    everywhere = core.list_pod_for_all_namespaces()
    assert [(p.metadata.namespace, p.metadata.name) for p in everywhere.items] == [
        ("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")]
    by_name = core.list_pod_for_all_namespaces(field_selector="metadata.name=y")
    assert [p.metadata.namespace for p in by_name.items] == ["a", "b"]
    not_a = core.list_pod_for_all_namespaces(field_selector="metadata.namespace!=a")
    assert {p.metadata.namespace for p in not_a.items} == {"b"}
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_pod("a", label_selector="app in (")
    assert exc.value.status == 400


def test_pagination_is_a_consistent_snapshot(server: ApiServer, core: client.CoreV1Api) -> None:
    for i in range(7):
        server.apply(pod(f"p{i}"))
    first = core.list_namespaced_pod("shop", limit=3)
    assert _names(first) == ["p0", "p1", "p2"]
    assert first.metadata.remaining_item_count == 4 and first.metadata._continue
    server.apply(pod("p3a"))  # after the snapshot: not in later pages
    server.delete_object("pods", "shop", "p5")  # deleted after the snapshot: still listed
    second = core.list_namespaced_pod("shop", limit=3, _continue=first.metadata._continue)
    assert _names(second) == ["p3", "p4", "p5"]
    assert second.metadata.resource_version == first.metadata.resource_version
    third = core.list_namespaced_pod("shop", limit=3, _continue=second.metadata._continue)
    assert _names(third) == ["p6"] and not third.metadata._continue


def test_list_with_too_old_or_too_new_resource_version(server: ApiServer,
                                                       core: client.CoreV1Api) -> None:
    old = core.list_namespaced_pod("shop").metadata.resource_version
    server.apply(pod("p"))
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_pod("shop", resource_version=old, resource_version_match="Exact")
    assert exc.value.status == 410
    assert _names(core.list_namespaced_pod("shop", resource_version=old,
                                           resource_version_match="NotOlderThan")) == ["p"]
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_pod("shop", resource_version=str(server.resource_version + 5))
    assert exc.value.status == 504


def test_update_conflict_and_generation(core: client.CoreV1Api) -> None:
    created = core.create_namespaced_pod("shop", pod("web"))
    body = core.api_client.sanitize_for_serialization(created)
    body["spec"]["containers"][0]["image"] = "nginx:2"
    updated = core.replace_namespaced_pod("web", "shop", body)
    assert updated.metadata.generation == 2
    body["spec"]["containers"][0]["image"] = "nginx:3"  # still carries the old resourceVersion
    with pytest.raises(ApiException) as exc:
        core.replace_namespaced_pod("web", "shop", body)
    assert exc.value.status == 409 and json.loads(exc.value.body)["reason"] == "Conflict"


@pytest.mark.parametrize("content_type", ["application/merge-patch+json",
                                          "application/strategic-merge-patch+json", None])
def test_merge_patch(core: client.CoreV1Api, content_type: str | None) -> None:
    core.create_namespaced_pod("shop", pod("web", labels={"app": "web", "old": "x"}))
    patched = core.patch_namespaced_pod(
        "web", "shop", {"metadata": {"labels": {"tier": "front", "old": None}}},
        _content_type=content_type)
    assert patched.metadata.labels == {"app": "web", "tier": "front"}
    assert patched.metadata.generation == 1  # metadata only: the spec did not move


def test_json_patch(core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("shop", pod("web", labels={"app": "web"}))
    patched = core.patch_namespaced_pod(
        "web", "shop", [{"op": "replace", "path": "/metadata/labels/app", "value": "api"},
                        {"op": "add", "path": "/metadata/labels/x", "value": "1"}])
    assert patched.metadata.labels == {"app": "api", "x": "1"}


def test_status_subresource(server: ApiServer, core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("shop", pod("web"))
    patched = core.patch_namespaced_pod_status(
        "web", "shop", {"status": {"phase": "Running", "podIP": "10.0.0.7"},
                        "metadata": {"labels": {"ignored": "yes"}}})
    assert patched.status.pod_ip == "10.0.0.7"
    assert not patched.metadata.labels or "ignored" not in patched.metadata.labels
    body = core.api_client.sanitize_for_serialization(core.read_namespaced_pod("web", "shop"))
    body["status"] = {"phase": "Failed"}
    body["metadata"]["labels"] = {"app": "web"}
    replaced = core.replace_namespaced_pod("web", "shop", body)
    assert replaced.status.phase == "Running"  # the main resource keeps the stored status
    assert replaced.metadata.labels == {"app": "web"}
    body = core.api_client.sanitize_for_serialization(replaced)
    body["status"] = {"phase": "Succeeded"}
    assert core.replace_namespaced_pod_status("web", "shop", body).status.phase == "Succeeded"
    assert server.get_object("pods", "shop", "web")["status"] == {"phase": "Succeeded"}


def test_delete_and_namespace_cascade(server: ApiServer, core: client.CoreV1Api) -> None:
    server.apply(namespace("shop"))
    server.apply(pod("a"))
    server.apply(pod("b", "other"))
    deleted = core.delete_namespaced_pod("a", "shop")
    assert deleted.metadata.name == "a"
    server.apply(pod("c"))
    core.delete_namespace("shop")
    assert server.objects("pods") == [server.get_object("pods", "other", "b")]
    assert server.objects("namespaces") == []


def test_other_groups_through_their_apis(server: ApiServer,
                                         api_client: client.ApiClient) -> None:
    net = client.NetworkingV1Api(api_client)
    net.create_namespaced_network_policy("shop", {
        "metadata": {"name": "deny"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})
    assert [p.metadata.name for p in net.list_network_policy_for_all_namespaces().items] == [
        "deny"]
    net.create_ingress_class({"metadata": {"name": "nginx"},
                              "spec": {"controller": "k8s.io/ingress-nginx"}})
    assert net.read_ingress_class("nginx").spec.controller == "k8s.io/ingress-nginx"
    apps = client.AppsV1Api(api_client)
    apps.create_namespaced_deployment("shop", {
        "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "c", "image": "x"}]}}}})
    assert apps.read_namespaced_deployment("web", "shop").kind == "Deployment"
    disc = client.DiscoveryV1Api(api_client)
    disc.create_namespaced_endpoint_slice("shop", {
        "metadata": {"name": "web-abc", "labels": {"kubernetes.io/service-name": "web"}},
        "addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"]}]})
    slices = disc.list_namespaced_endpoint_slice(
        "shop", label_selector="kubernetes.io/service-name=web")
    assert slices.items[0].endpoints[0].addresses == ["10.0.0.1"]


def test_custom_objects_are_served_at_every_listed_version(server: ApiServer,
                                                          api_client: client.ApiClient) -> None:
    custom = client.CustomObjectsApi(api_client)
    custom.create_namespaced_custom_object(GATEWAY, "v1beta1", "shop", "httproutes", {
        "apiVersion": f"{GATEWAY}/v1beta1", "kind": "HTTPRoute",
        "metadata": {"name": "r"}, "spec": {"hostnames": ["a.example"]}})
    as_v1 = custom.get_namespaced_custom_object(GATEWAY, "v1", "shop", "httproutes", "r")
    as_alpha = custom.list_namespaced_custom_object(GATEWAY, "v1alpha2", "shop", "httproutes")
    assert as_v1["apiVersion"] == f"{GATEWAY}/v1"
    assert as_alpha["kind"] == "HTTPRouteList"
    assert as_alpha["items"][0]["apiVersion"] == f"{GATEWAY}/v1alpha2"
    assert as_alpha["items"][0]["spec"]["hostnames"] == ["a.example"]
    custom.create_cluster_custom_object("policy.networking.k8s.io", "v1alpha1",
                                        "adminnetworkpolicies", {
                                            "kind": "AdminNetworkPolicy",
                                            "metadata": {"name": "a"},
                                            "spec": {"priority": 10, "subject": {}}})
    assert server.get_object("adminnetworkpolicies", None, "a")["spec"]["priority"] == 10
    assert raw_get(server, "/apis/policy.networking.k8s.io/v1alpha2/adminnetworkpolicies"
                   ).status == 404  # served at v1alpha1 only
    with pytest.raises(ApiException) as exc:  # wrong kind for the path
        custom.create_namespaced_custom_object(GATEWAY, "v1", "shop", "gateways", {
            "kind": "HTTPRoute", "metadata": {"name": "x"}})
    assert exc.value.status == 400


def test_python_api_shares_the_write_path(server: ApiServer, core: client.CoreV1Api) -> None:
    first = server.apply(pod("web", labels={"v": "1"}))
    second = server.apply(pod("web", labels={"v": "2"}, status={"phase": "Running"}))
    assert second["metadata"]["uid"] == first["metadata"]["uid"]
    assert int(second["metadata"]["resourceVersion"]) > int(first["metadata"]["resourceVersion"])
    assert core.read_namespaced_pod("web", "shop").status.phase == "Running"
    assert server.apply(pod("web", labels={"v": "2"}, status={"phase": "Running"})
                        )["metadata"]["resourceVersion"] == second["metadata"]["resourceVersion"]
    copy = server.objects("Pod")[0]
    copy["metadata"]["labels"]["v"] = "mutated"
    assert server.objects("po")[0]["metadata"]["labels"]["v"] == "2"
    server.delete_object("Pod", "shop", "web")
    assert server.objects("pods") == []
    with pytest.raises(KeyError):
        server.delete_object("pods", "shop", "web")
    with pytest.raises(KeyError):
        server.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})


def test_continue_token_outliving_its_snapshot(server: ApiServer, core: client.CoreV1Api) -> None:
    for i in range(4):
        server.apply(pod(f"p{i}"))
    first = core.list_namespaced_pod("shop", limit=2)
    for _ in range(70):  # more paginated lists than snapshots kept: the first one is evicted
        core.list_namespaced_pod("shop", limit=1)
    assert _names(first) == ["p0", "p1"]
    server.apply(pod("p0a"))  # before the token's last key (p1): not listed
    server.apply(pod("p1a"))  # after it: served from current state
    rest = core.list_namespaced_pod("shop", _continue=first.metadata._continue)
    assert _names(rest) == ["p1a", "p2", "p3"]
    server.compact()
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_pod("shop", _continue=first.metadata._continue)
    assert exc.value.status == 410


def test_delete_collection_with_a_selector(server: ApiServer, core: client.CoreV1Api) -> None:
    server.apply(pod("a", labels={"app": "web"}))
    server.apply(pod("b", labels={"app": "web"}))
    server.apply(pod("c", labels={"app": "db"}))
    core.delete_collection_namespaced_pod("shop", label_selector="app=web")
    assert [p["metadata"]["name"] for p in server.objects("pods")] == ["c"]
