"""How a stored object is shown to one request: as stored, at another served version, or as
PartialObjectMetadata (metadata only: what ktui asks for secrets, so their data never leaves).

The fast path reuses the bytes encoded once at write time.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ktui.apiserver.resources import ResourceType

META_GROUP_VERSION = "meta.k8s.io/v1"
PARTIAL = "PartialObjectMetadata"
PARTIAL_LIST = "PartialObjectMetadataList"


def wants_partial(accept: str) -> bool:
    """Whether the Accept header asks for PartialObjectMetadata(List) as JSON.

    Media ranges are tried in order; a protobuf one is skipped (never served), a plain JSON one
    ends the search.
    """
    for media in accept.split(","):
        params = [p.strip() for p in media.split(";")]
        if not params[0].endswith("json") and params[0] not in ("*/*", "application/*"):
            continue
        opts = dict(p.split("=", 1) for p in params[1:] if "=" in p)
        return opts.get("as") in (PARTIAL, PARTIAL_LIST) and opts.get("g") == "meta.k8s.io"
    return False


def content_type(partial: bool, is_list: bool) -> str:
    """Plain JSON, PartialObjectMetadata included: a real apiserver answers a request for
    `application/json;as=PartialObjectMetadataList;...` with `Content-Type: application/json`;
    the body's kind and apiVersion say what it is."""
    return "application/json"


class View:
    """Renders objects for a request's version and Accept choice."""

    def __init__(self, rt: ResourceType, version: str | None, partial: bool) -> None:
        self.rt = rt
        self.partial = partial
        self.api_version = rt.api_version(version)
        self._rewrite = self.api_version != rt.api_version()

    def obj(self, obj: dict[str, Any]) -> dict[str, Any]:
        if self.partial:
            return {"kind": PARTIAL, "apiVersion": META_GROUP_VERSION, "metadata": obj["metadata"]}
        if self._rewrite and obj.get("apiVersion") != self.api_version:
            return {**obj, "apiVersion": self.api_version}
        return obj

    def raw(self, obj: dict[str, Any], raw: bytes) -> bytes:
        if self.partial or self._rewrite:
            return msgspec.json.encode(self.obj(obj))
        return raw

    def list_head(self, meta: dict[str, Any]) -> bytes:
        """Everything of a list document before its items, so items can be joined as bytes."""
        if self.partial:
            head = {"kind": PARTIAL_LIST, "apiVersion": META_GROUP_VERSION, "metadata": meta}
        else:
            head = {"kind": f"{self.rt.kind}List", "apiVersion": self.api_version,
                    "metadata": meta}
        return msgspec.json.encode(head)[:-1] + b',"items":['

    def list_bytes(self, meta: dict[str, Any], items: list[bytes]) -> bytes:
        return b"".join((self.list_head(meta), b",".join(items), b"]}"))

    def event_line(self, type_: str, obj: dict[str, Any], raw: bytes) -> bytes:
        return b'{"type":"%s","object":%s}\n' % (type_.encode(), self.raw(obj, raw))

    def bookmark_line(self, rv: int, initial_events_end: bool = False) -> bytes:
        meta: dict[str, Any] = {"resourceVersion": str(rv)}
        if initial_events_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        if self.partial:
            obj = {"kind": PARTIAL, "apiVersion": META_GROUP_VERSION, "metadata": meta}
        else:
            obj = {"kind": self.rt.kind, "apiVersion": self.api_version, "metadata": meta}
        return msgspec.json.encode({"type": "BOOKMARK", "object": obj}) + b"\n"
