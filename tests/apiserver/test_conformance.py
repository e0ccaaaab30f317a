"""What a real kube-apiserver answers, one test per behaviour, written against a base URL and a
token so the same assertions run against the embedded server (always) and against any cluster
given by KTUI_CONFORMANCE_KUBECONFIG (read-only: GETs, plus nothing that changes the cluster).

Each behaviour and its source is listed in ktui/apiserver/README.md ("Behaviour of a real server").
The real variant needs at least two pods in the cluster (any namespace) and a token that may list
pods cluster-wide.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
import urllib3

from ktui.apiserver import ApiServer

PARTIAL_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
STATUS_KEYS = {"kind", "apiVersion", "metadata", "status", "message", "reason", "code"}
ENV = "KTUI_CONFORMANCE_KUBECONFIG"


@dataclass
class Target:
    """A server to ask: base URL, bearer token and TLS settings."""

    base: str
    token: str
    http: urllib3.PoolManager
    embedded: bool = False  # ktui's own server: everything the README promises must hold, no skips

    def request(self, path: str, query: dict[str, Any] | None = None, accept: str = "application/json",
                token: str | None = None, preload: bool = True) -> urllib3.BaseHTTPResponse:
        url = self.base + path + ("?" + urlencode(query) if query else "")
        headers = {"Accept": accept, "Authorization": f"Bearer {token or self.token}"}
        return self.http.request("GET", url, headers=headers, preload_content=preload, retries=False,
                                 timeout=urllib3.Timeout(connect=5, read=30))

    def json(self, path: str, query: dict[str, Any] | None = None, **kw: Any) -> tuple[int, Any]:
        resp = self.request(path, query, **kw)
        return resp.status, json.loads(resp.data)

    def watch(self, path: str, query: dict[str, Any]) -> tuple[urllib3.BaseHTTPResponse, list[dict[str, Any]]]:
        """A watch read to its end (the query must carry a short timeoutSeconds) or to the
        initial-events-end bookmark: the response and the events, one JSON object per line."""
        resp = self.request(path, {"watch": "true", **query}, preload=False)
        if resp.status != 200:  # a plain Status answer, no stream
            try:
                return resp, [json.loads(resp.data)]
            finally:
                resp.release_conn()
        events: list[dict[str, Any]] = []
        buf = b""
        try:
            for chunk in resp.stream(None, decode_content=False):
                buf += chunk
                *done, buf = buf.split(b"\n")
                for line in done:
                    if line.strip():
                        events.append(json.loads(line))  # each line is one whole JSON object
                if events and _is_initial_end(events[-1]):
                    break
        finally:
            resp.release_conn()
        assert not buf.strip(), f"a watch line without its newline: {buf[:200]!r}"
        return resp, events


def _is_initial_end(event: dict[str, Any]) -> bool:
    annotations = event["object"].get("metadata", {}).get("annotations") or {}
    return event["type"] == "BOOKMARK" and annotations.get("k8s.io/initial-events-end") == "true"


def _seed(server: ApiServer) -> None:
    for ns in ("conf-a", "conf-b"):
        server.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        for i in range(3):
            server.apply({"apiVersion": "v1", "kind": "Pod",
                          "metadata": {"name": f"p{i}", "namespace": ns, "labels": {"app": f"a{i}"}},
                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    server.compact()  # history starts now: resourceVersion 1 is too old, as on any real cluster


def _from_kubeconfig(path: str) -> Target:
    from kubernetes import client, config

    cfg = client.Configuration()
    config.load_kube_config(config_file=path, client_configuration=cfg)
    auth = (cfg.api_key or {}).get("authorization") or (cfg.api_key or {}).get("BearerToken") or ""
    token = auth.removeprefix("Bearer ").strip()
    http = urllib3.PoolManager(
        ca_certs=cfg.ssl_ca_cert, cert_file=cfg.cert_file, key_file=cfg.key_file,
        cert_reqs="CERT_REQUIRED" if cfg.verify_ssl else "CERT_NONE")
    return Target(cfg.host.rstrip("/"), token, http)


@pytest.fixture(params=["embedded", "kubeconfig"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    if request.param == "kubeconfig":
        path = os.environ.get(ENV)
        if not path:
            pytest.skip(f"{ENV} is not set: only the embedded server is checked")
        yield _from_kubeconfig(path)
        return
    with ApiServer(bookmark_interval=0.2) as server:
        _seed(server)
        with tempfile.TemporaryDirectory():
            yield Target(server.url, "ktui-demo-token", urllib3.PoolManager(), embedded=True)


def _current_rv(target: Target) -> str:
    status, doc = target.json("/api/v1/pods", {"limit": 1})
    assert status == 200
    return str(doc["metadata"]["resourceVersion"])


def _assert_status(doc: dict[str, Any], code: int, reason: str) -> None:
    assert set(doc) >= STATUS_KEYS, doc
    assert (doc["kind"], doc["apiVersion"], doc["status"]) == ("Status", "v1", "Failure")
    assert doc["metadata"] == {}
    assert (doc["code"], doc["reason"]) == (code, reason), doc
    assert isinstance(doc["message"], str) and doc["message"]


# ---------------------------------------------------------------- content types and headers


def test_json_content_type(target: Target) -> None:
    resp = target.request("/api/v1/pods", {"limit": 1})
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "application/json"


def test_metadata_only_list_is_plain_json_with_a_partial_body(target: Target) -> None:
    resp = target.request("/api/v1/pods", {"limit": 2}, accept=PARTIAL_LIST)
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "application/json"  # no as=...: the body says it
    doc = json.loads(resp.data)
    assert (doc["kind"], doc["apiVersion"]) == ("PartialObjectMetadataList", "meta.k8s.io/v1")
    assert doc["items"] and all("spec" not in item and item["metadata"]["name"] for item in doc["items"])


def test_headers_of_every_response(target: Target) -> None:
    for resp in (target.request("/api/v1/pods", {"limit": 1}),
                 target.request("/api/v1/namespaces/default/pods/ktui-no-such-pod")):
        assert resp.headers.get("Audit-Id"), dict(resp.headers)
        assert resp.headers.get("Cache-Control") == "no-cache, private"
        assert resp.headers.get("X-Kubernetes-Pf-Flowschema-Uid")
        assert resp.headers.get("X-Kubernetes-Pf-Prioritylevel-Uid")


# ---------------------------------------------------------------- Status bodies


def test_not_found_status(target: Target) -> None:
    status, doc = target.json("/api/v1/namespaces/default/pods/ktui-no-such-pod")
    assert status == 404
    _assert_status(doc, 404, "NotFound")
    assert doc["details"]["name"] == "ktui-no-such-pod" and doc["details"]["kind"] == "pods"
    assert doc["details"].get("group", "") == ""  # the core group is omitted, never ""


def test_unauthorized_status(target: Target) -> None:
    status, doc = target.json("/api/v1/pods", {"limit": 1}, token="ktui-not-a-token")
    assert status == 401
    _assert_status(doc, 401, "Unauthorized")


# ---------------------------------------------------------------- watch


def test_watch_framing_one_json_object_per_line_chunked(target: Target) -> None:
    resp, events = target.watch("/api/v1/pods", {"resourceVersion": "0", "timeoutSeconds": 1})
    assert resp.status == 200
    assert resp.headers.get("Transfer-Encoding") == "chunked"
    assert resp.headers["Content-Type"] == "application/json"
    assert len(events) >= 2  # rv=0 starts with a synthetic ADDED per existing pod
    for ev in events:
        assert set(ev) == {"type", "object"}
        assert ev["type"] == "ADDED" and ev["object"]["kind"] == "Pod" and ev["object"]["apiVersion"] == "v1"


def test_watch_from_too_old_resource_version_is_an_error_event(target: Target) -> None:
    resp, events = target.watch("/api/v1/pods", {"resourceVersion": "1", "timeoutSeconds": 2})
    assert resp.status == 200
    assert events and events[0]["type"] == "ERROR", events[:1]
    _assert_status(events[0]["object"], 410, "Expired")
    assert events[0]["object"]["message"].startswith("too old resource version")


def test_resource_version_match_alone_is_refused_on_a_watch(target: Target) -> None:
    status, doc = target.json("/api/v1/pods", {"watch": "true", "resourceVersion": "0",
                                               "resourceVersionMatch": "NotOlderThan", "timeoutSeconds": 1})
    assert status == 422
    _assert_status(doc, 422, "Invalid")


def test_streaming_list_initial_events_then_the_end_bookmark(target: Target) -> None:
    query = {"sendInitialEvents": "true", "resourceVersionMatch": "NotOlderThan", "resourceVersion": "",
             "allowWatchBookmarks": "true", "timeoutSeconds": 10}
    resp, events = target.watch("/api/v1/pods", query)
    if resp.status == 422 and not target.embedded:  # an older server, or WatchList off: no streaming lists
        pytest.skip(f"this server does not offer streaming lists: {events[0].get('message')}")
    _, listed = target.json("/api/v1/pods")
    assert resp.status == 200 and events and _is_initial_end(events[-1]), events[-1:]
    added = {(e["object"]["metadata"]["namespace"], e["object"]["metadata"]["name"])
             for e in events[:-1] if e["type"] == "ADDED"}
    assert added >= {(i["metadata"]["namespace"], i["metadata"]["name"]) for i in listed["items"]} - {("", "")}
    bookmark = events[-1]["object"]
    assert (bookmark["kind"], bookmark["apiVersion"]) == ("Pod", "v1")
    assert set(bookmark["metadata"]) == {"resourceVersion", "annotations"}
    assert int(bookmark["metadata"]["resourceVersion"]) > 0


def test_streaming_list_requires_not_older_than(target: Target) -> None:
    status, doc = target.json("/api/v1/pods", {"watch": "true", "sendInitialEvents": "true",
                                               "allowWatchBookmarks": "true", "timeoutSeconds": 1})
    assert status == 422
    _assert_status(doc, 422, "Invalid")


def test_periodic_bookmark_carries_only_the_resource_version(target: Target) -> None:
    rv = _current_rv(target)
    query = {"resourceVersion": rv, "allowWatchBookmarks": "true", "timeoutSeconds": 2}
    if "kubeconfig" in os.environ.get("PYTEST_CURRENT_TEST", ""):
        query["timeoutSeconds"] = 70  # a real server bookmarks about once a minute
    _, events = target.watch("/api/v1/namespaces/ktui-conformance-empty/pods", query)
    bookmarks = [e for e in events if e["type"] == "BOOKMARK"]
    assert bookmarks, events
    obj = bookmarks[0]["object"]
    assert (obj["kind"], obj["apiVersion"]) == ("Pod", "v1")
    assert set(obj["metadata"]) == {"resourceVersion"} and set(obj) <= {"kind", "apiVersion", "metadata", "spec",
                                                                          "status"}
    assert not obj.get("spec", {}).get("containers")


# ---------------------------------------------------------------- resourceVersion semantics


def test_list_resource_version_semantics(target: Target) -> None:
    for rv in ("", "0"):  # "": most recent (consistent read); "0": any
        status, doc = target.json("/api/v1/pods", {"resourceVersion": rv, "limit": 1})
        assert status == 200 and int(doc["metadata"]["resourceVersion"]) > 0
    rv = _current_rv(target)
    status, doc = target.json("/api/v1/pods", {"resourceVersion": rv, "resourceVersionMatch": "NotOlderThan"})
    assert status == 200 and int(doc["metadata"]["resourceVersion"]) >= int(rv)
    status, doc = target.json("/api/v1/pods", {"resourceVersionMatch": "NotOlderThan"})
    assert status == 422  # resourceVersionMatch without a resourceVersion
    _assert_status(doc, 422, "Invalid")
    status, doc = target.json("/api/v1/pods", {"resourceVersion": "0", "resourceVersionMatch": "Exact"})
    assert status == 422
    _assert_status(doc, 422, "Invalid")


def test_list_exact_too_old_is_410(target: Target) -> None:
    status, doc = target.json("/api/v1/pods", {"resourceVersion": "1", "resourceVersionMatch": "Exact"})
    assert status == 410
    _assert_status(doc, 410, "Expired")


def test_list_too_large_resource_version_is_504(target: Target) -> None:
    rv = str(int(_current_rv(target)) + 10_000_000)
    status, doc = target.json("/api/v1/pods", {"resourceVersion": rv, "resourceVersionMatch": "NotOlderThan"})
    assert status == 504
    _assert_status(doc, 504, "Timeout")
    assert "Too large resource version" in doc["message"]


# ---------------------------------------------------------------- pagination


def test_pagination_continue_and_remaining_item_count(target: Target) -> None:
    _, full = target.json("/api/v1/pods")
    names = [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in full["items"]]
    assert len(names) >= 2
    status, page = target.json("/api/v1/pods", {"limit": 1})
    assert status == 200 and len(page["items"]) == 1
    meta = page["metadata"]
    assert meta["continue"] and meta["remainingItemCount"] >= 1
    seen = [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in page["items"]]
    list_rv = meta["resourceVersion"]
    while meta.get("continue"):
        status, page = target.json("/api/v1/pods", {"limit": 2, "continue": meta["continue"]})
        assert status == 200
        meta = page["metadata"]
        assert meta["resourceVersion"] == list_rv  # every page is the same snapshot
        seen += [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in page["items"]]
    assert len(seen) == len(set(seen)) and len(seen) >= len(names) - 5  # the cluster may move on


def test_no_remaining_item_count_with_a_selector(target: Target) -> None:
    status, page = target.json("/api/v1/pods", {"limit": 1, "labelSelector": "ktui-conformance notin (x)"})
    assert status == 200 and page["metadata"].get("continue")
    assert "remainingItemCount" not in page["metadata"]


def test_expired_continue_token_is_410(target: Target) -> None:
    token = base64.urlsafe_b64encode(json.dumps(
        {"v": "meta.k8s.io/v1", "rv": 1, "start": "a\u0000"}).encode()).decode().rstrip("=")
    status, doc = target.json("/api/v1/pods", {"limit": 1, "continue": token})
    assert status == 410
    _assert_status(doc, 410, "Expired")
