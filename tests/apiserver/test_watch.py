"""Watch streams: order, initial events, bookmarks, 410, timeouts, selector transitions."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import ReadTimeoutError

from ktui.apiserver import ApiServer
from tests.apiserver.helpers import pod, until_bookmark, watch_lines


def _when_watching(server: ApiServer, action: Callable[[], Any], count: int = 1) -> None:
    """Run `action` in a thread once `count` watches are open (so its events are live)."""
    def run() -> None:
        deadline = time.monotonic() + 5
        while server.watch_count() < count and time.monotonic() < deadline:
            time.sleep(0.005)
        action()

    threading.Thread(target=run, daemon=True).start()


def _summary(events: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(e["type"], e["object"]["metadata"].get("name")) for e in events]


def test_live_events_arrive_in_order(server: ApiServer, core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_pod("shop").metadata.resource_version

    def writes() -> None:
        server.apply(pod("a"))
        core.patch_namespaced_pod("a", "shop", {"metadata": {"labels": {"x": "1"}}})
        server.apply(pod("b"))
        core.delete_namespaced_pod("a", "shop")

    _when_watching(server, writes)
    w = watch.Watch()
    events = []
    for ev in w.stream(core.list_namespaced_pod, "shop", resource_version=rv,
                       timeout_seconds=5, deserialize=False):
        events.append(ev)
        if len(events) == 4:
            w.stop()
    assert _summary(events) == [("ADDED", "a"), ("MODIFIED", "a"), ("ADDED", "b"),
                                ("DELETED", "a")]
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert rvs == sorted(rvs) and rvs[0] > int(rv)
    assert events[1]["object"]["metadata"]["labels"] == {"x": "1"}


def test_watch_from_a_resource_version_replays_history(server: ApiServer,
                                                       core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_pod("shop").metadata.resource_version
    server.apply(pod("a"))
    server.apply(pod("other", "elsewhere"))
    server.delete_object("pods", "shop", "a")
    resp = core.list_namespaced_pod("shop", watch=True, resource_version=rv,
                                    allow_watch_bookmarks=True, _preload_content=False)
    assert _summary(until_bookmark(resp)) == [("ADDED", "a"), ("DELETED", "a")]


def test_watch_without_resource_version_starts_with_synthetic_added(
        server: ApiServer, core: client.CoreV1Api) -> None:
    server.apply(pod("b"))
    server.apply(pod("a"))
    for rv in (None, "0"):
        resp = core.list_namespaced_pod("shop", watch=True, resource_version=rv,
                                        allow_watch_bookmarks=True, _preload_content=False)
        assert _summary(until_bookmark(resp)) == [("ADDED", "a"), ("ADDED", "b")]


def test_bookmarks_carry_the_current_resource_version(server: ApiServer,
                                                      core: client.CoreV1Api) -> None:
    server.apply(pod("a"))
    rv = core.list_namespaced_pod("shop").metadata.resource_version
    server.apply(pod("x", "elsewhere"))  # moves the global rv, not this watch's objects
    resp = core.list_namespaced_pod("shop", watch=True, resource_version=rv,
                                    allow_watch_bookmarks=True, _preload_content=False,
                                    _request_timeout=5)
    event = next(watch_lines(resp))
    resp.release_conn()
    assert event["type"] == "BOOKMARK"
    assert event["object"]["metadata"] == {"resourceVersion": str(server.resource_version)}
    assert event["object"]["kind"] == "Pod"


def test_no_bookmarks_unless_asked(server: ApiServer, core: client.CoreV1Api) -> None:
    resp = core.list_namespaced_pod("shop", watch=True, _preload_content=False,
                                    _request_timeout=(5, 0.7))
    with pytest.raises(ReadTimeoutError):  # 0.7 s at a 0.2 s bookmark interval: nothing sent
        resp.read()
    resp.release_conn()


def test_send_initial_events_ends_with_an_annotated_bookmark(server: ApiServer,
                                                             core: client.CoreV1Api) -> None:
    server.apply(pod("a"))
    resp = core.list_namespaced_pod("shop", watch=True, send_initial_events=True,
                                    resource_version_match="NotOlderThan",
                                    allow_watch_bookmarks=True, _preload_content=False,
                                    _request_timeout=5)
    lines = watch_lines(resp)
    first, second = next(lines), next(lines)
    resp.release_conn()
    assert (first["type"], second["type"]) == ("ADDED", "BOOKMARK")
    annotations = second["object"]["metadata"]["annotations"]
    assert annotations == {"k8s.io/initial-events-end": "true"}


def test_410_after_compact(server: ApiServer, core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_pod("shop").metadata.resource_version
    server.apply(pod("a"))
    server.compact()
    resp = core.list_namespaced_pod("shop", watch=True, resource_version=rv,
                                    _preload_content=False, _request_timeout=5)
    events = list(watch_lines(resp))  # the stream ends after the error
    assert resp.status == 200
    assert [e["type"] for e in events] == ["ERROR"]
    status = events[0]["object"]
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 410, "Expired")
    with pytest.raises(ApiException) as exc:
        list(watch.Watch().stream(core.list_namespaced_pod, "shop", resource_version=rv,
                                  timeout_seconds=1))
    assert exc.value.status == 410
    current = str(server.resource_version)  # the newest version is still fine
    resp = core.list_namespaced_pod("shop", watch=True, resource_version=current,
                                    allow_watch_bookmarks=True, _preload_content=False)
    assert until_bookmark(resp) == []


def test_bounded_history_decides_410() -> None:
    with ApiServer(history_size=3, bookmark_interval=0.2) as server:
        start = server.resource_version
        for i in range(5):
            server.apply(pod(f"p{i}"))
        core = client.CoreV1Api(server.api_client())
        resp = core.list_namespaced_pod("shop", watch=True, resource_version=str(start),
                                        timeout_seconds=1, _preload_content=False)
        assert [e["type"] for e in watch_lines(resp)] == ["ERROR"]
        recent = str(server.resource_version - 2)  # the last 3 events are retained
        resp = core.list_namespaced_pod("shop", watch=True, resource_version=recent,
                                        allow_watch_bookmarks=True, _preload_content=False)
        assert _summary(until_bookmark(resp)) == [("ADDED", "p3"), ("ADDED", "p4")]


def test_timeout_seconds_ends_the_stream_cleanly(server: ApiServer,
                                                 core: client.CoreV1Api) -> None:
    server.apply(pod("a"))
    resp = core.list_namespaced_pod("shop", watch=True, timeout_seconds=1,
                                    _preload_content=False, _request_timeout=5)
    body = resp.read()  # raises ProtocolError if the stream were cut
    assert body.count(b'"ADDED"') == 1
    # the server thread unregisters the watch just after the last chunk: wait for it, bounded
    deadline = time.monotonic() + 5
    while server.watch_count() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.watch_count() == 0
    assert core.read_namespaced_pod("a", "shop").metadata.name == "a"  # connection still fine


def test_label_selector_watch_sees_objects_enter_and_leave(server: ApiServer,
                                                           core: client.CoreV1Api) -> None:
    def writes() -> None:
        server.apply(pod("a"))
        server.apply(pod("a", labels={"app": "web"}))
        server.apply(pod("a", labels={"app": "web", "v": "2"}))
        server.apply(pod("a", labels={"app": "db"}))
        server.apply(pod("b", labels={"app": "web"}))

    _when_watching(server, writes)
    w = watch.Watch()
    events = []
    for ev in w.stream(core.list_namespaced_pod, "shop", label_selector="app=web",
                       timeout_seconds=5, deserialize=False):
        events.append(ev)
        if len(events) == 4:
            w.stop()
    assert _summary(events) == [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a"),
                                ("ADDED", "b")]
    assert events[2]["object"]["metadata"]["labels"] == {"app": "db"}


def test_field_selector_watch_of_one_object(server: ApiServer, core: client.CoreV1Api) -> None:
    server.apply(pod("a"))
    server.apply(pod("b"))
    resp = core.list_namespaced_pod("shop", watch=True, field_selector="metadata.name=b",
                                    allow_watch_bookmarks=True, _preload_content=False)
    assert _summary(until_bookmark(resp)) == [("ADDED", "b")]


def test_closed_client_releases_its_watch(server: ApiServer, core: client.CoreV1Api) -> None:
    resp = core.list_pod_for_all_namespaces(watch=True, _preload_content=False)
    assert server.watch_count() == 1
    resp.close()
    resp.release_conn()
    deadline = time.monotonic() + 5
    while server.watch_count() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.watch_count() == 0
