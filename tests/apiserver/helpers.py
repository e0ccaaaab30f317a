"""Object builders and stream readers shared by the apiserver tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import urllib3

from ktui.apiserver import ApiServer

_HTTP = urllib3.PoolManager(retries=False)


def pod(name: str, namespace: str = "shop", labels: dict[str, str] | None = None,
        **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    obj.update(extra)
    return obj


def namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def watch_lines(resp: Any) -> Iterator[dict[str, Any]]:
    """Events of a raw watch response (from `..., watch=True, _preload_content=False`)."""
    buf = b""
    for chunk in resp.stream(amt=None, decode_content=False):
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.strip():
                yield json.loads(line)


def raw_get(server: ApiServer, path: str, headers: dict[str, str] | None = None,
            method: str = "GET", body: bytes | None = None) -> urllib3.BaseHTTPResponse:
    """A plain HTTP request, for what the generated client cannot say."""
    return _HTTP.request(method, server.url + path, headers=headers, body=body)


def until_bookmark(resp: Any) -> list[dict[str, Any]]:
    """Events before the first BOOKMARK, then the stream is closed.

    The server sends a bookmark only once a watcher is drained, so this is "every event up to
    now", without waiting for a timeoutSeconds to pass.
    """
    events = []
    try:
        for event in watch_lines(resp):
            if event["type"] == "BOOKMARK":
                return events
            events.append(event)
    finally:
        resp.close()
        resp.release_conn()
    raise AssertionError(f"stream ended without a bookmark after {events}")
