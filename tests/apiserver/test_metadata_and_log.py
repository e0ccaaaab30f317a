"""PartialObjectMetadata (secret data never leaves), the request log, and the kubeconfig."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import yaml
from kubernetes import client, config

from ktui.apiserver import ApiServer
from tests.apiserver.helpers import pod, raw_get, until_bookmark

PARTIAL_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
PARTIAL = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"
SECRET_VALUE = base64.b64encode(b"hunter2").decode()


def _secret(name: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"name": name, "namespace": "shop", "labels": {"app": "web"}},
            "data": {"tls.crt": SECRET_VALUE, "tls.key": SECRET_VALUE}}


def test_partial_metadata_list_never_includes_data(server: ApiServer,
                                                   core: client.CoreV1Api) -> None:
    server.apply(_secret("tls"))
    resp = core.list_namespaced_secret("shop", _headers={"Accept": PARTIAL_LIST},
                                       _preload_content=False)
    raw = resp.data
    assert SECRET_VALUE.encode() not in raw
    assert resp.headers["Content-Type"] == "application/json"  # as a real apiserver: the body says
    doc = json.loads(raw)
    assert (doc["kind"], doc["apiVersion"]) == ("PartialObjectMetadataList", "meta.k8s.io/v1")
    assert doc["metadata"]["resourceVersion"] == str(server.resource_version)
    item = doc["items"][0]
    assert set(item) == {"kind", "apiVersion", "metadata"}
    assert item["kind"] == "PartialObjectMetadata"
    assert item["metadata"]["name"] == "tls" and item["metadata"]["labels"] == {"app": "web"}
    typed = core.list_namespaced_secret("shop", _headers={"Accept": PARTIAL_LIST})
    assert typed.items[0].metadata.name == "tls" and typed.items[0].data is None


def test_partial_metadata_get_and_watch(server: ApiServer, core: client.CoreV1Api) -> None:
    server.apply(_secret("tls"))
    got = raw_get(server, "/api/v1/namespaces/shop/secrets/tls", {"Accept": PARTIAL})
    assert SECRET_VALUE.encode() not in got.data
    assert json.loads(got.data)["kind"] == "PartialObjectMetadata"
    resp = core.list_namespaced_secret("shop", watch=True, allow_watch_bookmarks=True,
                                       _headers={"Accept": PARTIAL}, _preload_content=False)
    events = until_bookmark(resp)
    assert [e["object"]["kind"] for e in events] == ["PartialObjectMetadata"]
    assert "data" not in events[0]["object"]
    full = core.read_namespaced_secret("tls", "shop")  # a plain Accept still gets the data
    assert full.data["tls.key"] == SECRET_VALUE


def test_partial_metadata_works_for_any_resource(server: ApiServer) -> None:
    server.apply(pod("a"))
    doc = json.loads(raw_get(server, "/api/v1/pods", {"Accept": PARTIAL_LIST}).data)
    assert doc["items"][0]["metadata"]["name"] == "a" and "spec" not in doc["items"][0]


def test_request_log_records_verbs_paths_queries_and_accept(
        server: ApiServer, core: client.CoreV1Api) -> None:
    server.apply(pod("a"))
    server.clear_request_log()
    core.list_namespaced_pod("shop", label_selector="app=web", limit=5)
    core.read_namespaced_pod("a", "shop")
    core.patch_namespaced_pod("a", "shop", {"metadata": {"labels": {"x": "1"}}})
    core.create_namespaced_pod("shop", pod("b"))
    core.replace_namespaced_pod("b", "shop", pod("b", labels={"y": "2"}))
    core.delete_namespaced_pod("b", "shop")
    resp = core.list_pod_for_all_namespaces(watch=True, allow_watch_bookmarks=True,
                                            _preload_content=False)
    until_bookmark(resp)
    core.list_namespaced_secret("shop", _headers={"Accept": PARTIAL_LIST})
    client.CoreV1Api(core.api_client).get_api_resources()
    log = server.request_log
    assert [r.verb for r in log] == ["list", "get", "patch", "create", "update", "delete",
                                     "watch", "list", "get"]
    assert [r.method for r in log][:6] == ["GET", "GET", "PATCH", "POST", "PUT", "DELETE"]
    first = log[0]
    assert first.path == "/api/v1/namespaces/shop/pods"
    assert first.query == {"labelSelector": "app=web", "limit": "5"}
    assert (first.resource, first.namespace, first.status) == ("pods", "shop", 200)
    assert log[1].name == "a" and log[3].status == 201
    assert log[6].query["watch"] == "true" and log[6].namespace is None
    assert log[7].accept == PARTIAL_LIST
    assert log[8].resource is None and log[8].path == "/api/v1"


def test_kubeconfig_works_with_the_client_loader(server: ApiServer, tmp_path: Path) -> None:
    server.apply(pod("a"))
    path = server.write_kubeconfig(tmp_path / "kube" / "config", context="demo")
    doc = yaml.safe_load(path.read_text())
    assert doc["current-context"] == "demo"
    assert doc["clusters"][0]["cluster"]["server"] == server.url
    api = config.new_client_from_config(str(path))
    try:
        assert api.configuration.host == server.url
        names = [p.metadata.name for p in client.CoreV1Api(api).list_namespaced_pod("shop").items]
        assert names == ["a"]
    finally:
        api.close()
