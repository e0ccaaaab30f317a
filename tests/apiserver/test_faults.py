"""Fault hooks, restarts and access rules: the failures a real cluster hands a client."""

from __future__ import annotations

import json
import threading
import time

import pytest
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from ktui.apiserver import ApiServer
from tests.apiserver.helpers import pod, raw_get, until_bookmark, watch_lines


@pytest.mark.parametrize("status", [403, 404, 500])
def test_status_faults_hit_only_what_they_match(server: ApiServer, core: client.CoreV1Api,
                                                status: int) -> None:
    server.apply(pod("a"))
    fault = server.faults.add(verb="list", resource="pods", status=status)
    for _ in range(2):
        with pytest.raises(ApiException) as exc:
            core.list_namespaced_pod("shop")
        assert exc.value.status == status
        assert json.loads(exc.value.body)["code"] == status
    assert core.read_namespaced_pod("a", "shop").metadata.name == "a"  # get: not matched
    assert core.list_namespaced_service("shop").items == []
    assert fault.hits == 2
    server.faults.clear()
    assert [p.metadata.name for p in core.list_namespaced_pod("shop").items] == ["a"]


def test_times_limits_a_fault(server: ApiServer, core: client.CoreV1Api) -> None:
    server.faults.add(verb="list", resource="pods", namespace="shop", status=500, times=1)
    core.list_namespaced_pod("other")  # another namespace: not matched, not used up
    with pytest.raises(ApiException):
        core.list_namespaced_pod("shop")
    assert core.list_namespaced_pod("shop").items == []


def test_watch_faults(server: ApiServer, api_client: client.ApiClient) -> None:
    custom = client.CustomObjectsApi(api_client)
    server.faults.add(verb="watch", resource="httproutes", status=404, times=1)
    with pytest.raises(ApiException) as exc:
        custom.list_namespaced_custom_object("gateway.networking.k8s.io", "v1", "shop",
                                             "httproutes", watch=True, _preload_content=False)
    assert exc.value.status == 404
    server.faults.add(verb="watch", resource="pods", status=410, times=1)
    resp = client.CoreV1Api(api_client).list_namespaced_pod(
        "shop", watch=True, _preload_content=False, _request_timeout=5)
    events = list(watch_lines(resp))
    assert resp.status == 200  # like the real server: 410 arrives as an ERROR event
    assert [(e["type"], e["object"]["code"]) for e in events] == [("ERROR", 410)]


def test_delay_holds_one_request_without_blocking_others(server: ApiServer,
                                                         core: client.CoreV1Api) -> None:
    server.faults.add(verb="list", resource="pods", delay=0.5, times=1)
    result: list[object] = []
    slow = threading.Thread(target=lambda: result.append(core.list_namespaced_pod("shop")))
    slow.start()
    deadline = time.monotonic() + 5
    while not any(r.verb == "list" for r in server.request_log):
        assert time.monotonic() < deadline
        time.sleep(0.005)
    other = client.CoreV1Api(server.api_client())  # its own connection
    assert other.list_namespaced_service("shop").items == []
    assert slow.is_alive()  # still held by the delay while another request was answered
    slow.join(5)
    assert len(result) == 1 and result[0].items == []


def test_drop_mid_stream(server: ApiServer, core: client.CoreV1Api) -> None:
    for name in ("a", "b", "c"):
        server.apply(pod(name))
    server.faults.add(verb="watch", resource="pods", drop_after_events=2, times=1)
    seen = []
    with pytest.raises(ProtocolError):
        for ev in watch.Watch().stream(core.list_namespaced_pod, "shop", timeout_seconds=5,
                                       deserialize=False):
            seen.append(ev["object"]["metadata"]["name"])
    assert seen == ["a", "b"]
    resp = core.list_namespaced_pod("shop", watch=True, allow_watch_bookmarks=True,
                                    _preload_content=False)
    assert len(until_bookmark(resp)) == 3  # the fault is used up


def test_drop_a_plain_request(server: ApiServer, core: client.CoreV1Api) -> None:
    fault = server.faults.add(verb="list", resource="pods", drop_after_events=0)
    with pytest.raises((MaxRetryError, ProtocolError)):
        core.list_namespaced_pod("shop")
    assert fault.hits >= 1
    assert all(r.status is None for r in server.request_log if r.verb == "list")
    server.faults.remove(fault)
    assert core.list_namespaced_pod("shop").items == []


def test_discovery_faults_by_path(server: ApiServer, api_client: client.ApiClient) -> None:
    server.faults.add(path="/apis", status=503, times=1)
    with pytest.raises(ApiException) as exc:
        client.ApisApi(api_client).get_api_versions()
    assert exc.value.status == 503
    assert client.ApisApi(api_client).get_api_versions().groups
    assert client.CoreApi(api_client).get_api_versions().versions == ["v1"]


def test_restart_keeps_state_and_cuts_streams(server: ApiServer, core: client.CoreV1Api) -> None:
    server.apply(pod("a"))
    before = core.list_namespaced_pod("shop")
    port = server.port
    resp = core.list_namespaced_pod("shop", watch=True, resource_version=before.metadata
                                    .resource_version, _preload_content=False)
    assert server.watch_count() == 1
    server.restart()
    with pytest.raises(ProtocolError):
        resp.read()
    assert server.port == port
    after = core.list_namespaced_pod("shop")  # the client reconnects by itself
    assert after.metadata.resource_version == before.metadata.resource_version
    assert [p.metadata.uid for p in after.items] == [p.metadata.uid for p in before.items]
    created = core.create_namespaced_pod("shop", pod("b"))
    assert int(created.metadata.resource_version) > int(before.metadata.resource_version)
    resp = core.list_namespaced_pod("shop", watch=True, allow_watch_bookmarks=True,
                                    resource_version=before.metadata.resource_version,
                                    _preload_content=False)
    assert [e["object"]["metadata"]["name"] for e in until_bookmark(resp)] == ["b"]


def test_restart_with_downtime_refuses_connections(server: ApiServer,
                                                   core: client.CoreV1Api) -> None:
    restarting = threading.Thread(target=server.restart, kwargs={"downtime": 0.5})
    restarting.start()
    deadline = time.monotonic() + 5
    while server.running:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    with pytest.raises(NewConnectionError):  # connection refused
        raw_get(server, "/api/v1/namespaces/shop/pods")
    restarting.join(5)
    assert core.list_namespaced_pod("shop").items == []


def test_access_rules_drive_reviews_and_403(server: ApiServer,
                                            api_client: client.ApiClient) -> None:
    authz = client.AuthorizationV1Api(api_client)
    core = client.CoreV1Api(api_client)

    def can(verb: str, resource: str, namespace: str = "shop") -> bool:
        review = authz.create_self_subject_access_review({"spec": {"resourceAttributes": {
            "verb": verb, "resource": resource, "namespace": namespace}}})
        return bool(review.status.allowed)

    assert can("list", "pods") and can("watch", "secrets")
    server.access.forbid("secrets", verbs=("list", "watch"))
    assert not can("list", "secrets") and can("get", "secrets") and can("list", "pods")
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_secret("shop")
    assert exc.value.status == 403
    body = json.loads(exc.value.body)
    assert body["reason"] == "Forbidden" and 'cannot list resource "secrets"' in body["message"]
    rules = authz.create_self_subject_rules_review({"spec": {"namespace": "shop"}}).status
    by_resource = {r.resources[0]: r.verbs for r in rules.resource_rules}
    assert "list" in by_resource["pods"] and "list" not in by_resource["secrets"]
    assert "selfsubjectaccessreviews" not in by_resource
    server.access.reset()
    assert can("list", "secrets")
