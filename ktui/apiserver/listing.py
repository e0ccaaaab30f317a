"""list: selectors, resourceVersion rules and limit/continue pagination.

A paginated list keeps its filtered snapshot (references to immutable entries) under the continue
token, so later pages come from the same snapshot, as the real server promises. The snapshot cache
is small; a token that fell out of it is served from current state after the token's last key.
"""

from __future__ import annotations

import base64
import itertools
import threading
from collections import OrderedDict
from typing import Any

import msgspec

from ktui.apiserver.errors import ApiError
from ktui.apiserver.routing import RequestInfo
from ktui.apiserver.selectors import combine, field_matcher, label_matcher
from ktui.apiserver.store import Entry, Store
from ktui.apiserver.views import View

MAX_SNAPSHOTS = 64


def parse_rv(value: str | None) -> int | None:
    """None for "any" ("" or "0"), else the int; 400 when it is not a number."""
    if value in (None, "", "0"):
        return None
    try:
        return int(value or 0)
    except ValueError:
        raise ApiError.bad_request(f"invalid resourceVersion {value!r}") from None


def too_large(requested: int, current: int) -> ApiError:
    return ApiError(504, f"Too large resource version: {requested}, current: {current}", "Timeout",
                    {"causes": [{"reason": "ResourceVersionTooLarge",
                                 "message": "Too large resource version"}], "retryAfterSeconds": 1})


MATCHES = ("Exact", "NotOlderThan")


def invalid(message: str) -> ApiError:
    """422 Invalid about the ListOptions, as the apiserver's query validation answers."""
    field, _, reason = message.partition(": ")
    return ApiError(422, f'ListOptions.meta.k8s.io "" is invalid: {message}', "Invalid",
                    {"group": "meta.k8s.io", "kind": "ListOptions",
                     "causes": [{"reason": "Field" + reason.split(":")[0].replace(" ", ""),
                                 "message": reason, "field": field}]})


def check_list_options(q: dict[str, str], token: str = "") -> None:
    """The ListOptions combinations a real apiserver refuses (apimachinery's validation)."""
    rv, match = q.get("resourceVersion", ""), q.get("resourceVersionMatch", "")
    if match and match not in MATCHES:
        raise invalid(f'resourceVersionMatch: Unsupported value: "{match}": supported values: '
                      '"Exact", "NotOlderThan"')
    if match and not rv:
        raise invalid("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless "
                      "resourceVersion is provided")
    if match == "Exact" and rv == "0":
        raise invalid('resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden '
                      'for resourceVersion "0"')
    if token and match:
        raise invalid("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when "
                      "continue is provided")
    if token and rv not in ("", "0"):
        raise invalid("resourceVersion: Forbidden: specifying resource version is not allowed "
                      "when using continue")


def check_watch_options(q: dict[str, str]) -> None:
    """sendInitialEvents (streaming list) needs bookmarks and resourceVersionMatch=NotOlderThan;
    resourceVersionMatch alone is refused on a watch."""
    match = q.get("resourceVersionMatch", "")
    if q.get("sendInitialEvents") in ("true", "1"):
        if q.get("allowWatchBookmarks") not in ("true", "1"):
            raise invalid("allowWatchBookmarks: Forbidden: sendInitialEvents requires setting "
                          "allowWatchBookmarks to true")
        if match != "NotOlderThan":
            raise invalid("resourceVersionMatch: Forbidden: sendInitialEvents requires setting "
                          "resourceVersionMatch to NotOlderThan")
    elif match:
        raise invalid("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for "
                      "watch unless sendInitialEvents is provided")


class Lister:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._snapshots: OrderedDict[str, tuple[list[Entry], int, int]] = OrderedDict()
        self._ids = itertools.count(1)

    def page(self, info: RequestInfo, view: View) -> bytes:
        q = info.query
        assert info.rt is not None
        limit = _int(q.get("limit"), "limit")
        token = q.get("continue") or ""
        check_list_options(q, token)
        if token:
            items, offset, list_rv = self._resume(token, info)
        else:
            entries, list_rv = self._store.snapshot(info.rt, info.namespace)
            self._check_rv(q, list_rv)
            match = combine(label_matcher(q.get("labelSelector")),
                            field_matcher(q.get("fieldSelector")))
            items = entries if match is None else [e for e in entries if match(e.obj)]
            offset = 0
        end = len(items) if not limit else min(len(items), offset + limit)
        meta: dict[str, Any] = {"resourceVersion": str(list_rv)}
        if end < len(items):
            meta["continue"] = self._save(items, end, list_rv)
            if not q.get("labelSelector") and not q.get("fieldSelector"):  # unknown with selectors
                meta["remainingItemCount"] = len(items) - end
        return view.list_bytes(meta, [view.raw(e.obj, e.raw) for e in items[offset:end]])

    def _check_rv(self, q: dict[str, str], current: int) -> None:
        requested = parse_rv(q.get("resourceVersion"))
        if requested is None:
            return
        if requested > current:
            raise too_large(requested, current)
        if q.get("resourceVersionMatch") == "Exact" and requested != current:
            # No snapshots of the past are kept: an exact read of an older version has expired.
            raise ApiError.gone(requested, current)

    def _save(self, items: list[Entry], offset: int, list_rv: int) -> str:
        """A token shaped as the real one: base64 of {"v","rv","start"}, start being the storage
        key after the resource's prefix plus a NUL (the next key), so a client or a test can
        craft one (an old rv gets 410 as on a real server). `id` keeps tokens distinct."""
        last = items[offset - 1].obj["metadata"]
        ns = last.get("namespace", "")
        start = (f"{ns}/" if ns else "") + last["name"] + "\x00"
        payload = {"v": "meta.k8s.io/v1", "rv": list_rv, "start": start, "id": next(self._ids)}
        token = base64.urlsafe_b64encode(msgspec.json.encode(payload)).decode().rstrip("=")
        with self._lock:
            self._snapshots[token] = (items, offset, list_rv)
            while len(self._snapshots) > MAX_SNAPSHOTS:
                self._snapshots.popitem(last=False)
        return token

    def _resume(self, token: str, info: RequestInfo) -> tuple[list[Entry], int, int]:
        with self._lock:
            saved = self._snapshots.pop(token, None)
        if saved is not None:
            return saved
        try:
            payload = msgspec.json.decode(_b64decode(token))
            list_rv = int(payload["rv"])
            key = str(payload["start"]).rstrip("\x00")
            if payload.get("v") != "meta.k8s.io/v1":
                raise ValueError("version")
        except Exception:
            raise ApiError.bad_request("continue key is not valid") from None
        ns, _, name = key.rpartition("/")
        start = (ns, name)
        if list_rv < self._store.min_rv:
            raise ApiError(410, "The provided continue parameter is too old to display a "
                           "consistent list result. You can start a new list without the "
                           "continue parameter.", "Expired")
        assert info.rt is not None
        entries, _ = self._store.snapshot(info.rt, info.namespace)
        q = info.query
        match = combine(label_matcher(q.get("labelSelector")),
                        field_matcher(q.get("fieldSelector")))
        items = [e for e in entries
                 if (e.obj["metadata"].get("namespace", ""), e.obj["metadata"]["name"]) > start
                 and (match is None or match(e.obj))]
        return items, 0, list_rv


def _b64decode(token: str) -> bytes:
    """Either alphabet, padding optional: clients pass the token back as given, tests craft them."""
    padded = token + "=" * (-len(token) % 4)
    return base64.b64decode(padded.replace("-", "+").replace("_", "/"))


def _int(value: str | None, name: str) -> int:
    if not value:
        return 0
    try:
        return max(0, int(value))
    except ValueError:
        raise ApiError.bad_request(f"invalid {name} {value!r}") from None
