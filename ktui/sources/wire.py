"""API paths and the bytes on the wire -> slim structs, with msgspec and nothing slower.

Lists go through `ktui.model.decode.decode_list`; watch lines are decoded in two typed steps
(the envelope, then the object as the kind's struct), so BOOKMARK and ERROR objects never meet
the kind's struct. One malformed object costs that object, never the whole kind.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

from ktui.model.decode import DecodeError, ListMeta, decode_list, finish_object
from ktui.model.kinds import KindInfo

PARTIAL_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
PARTIAL_OBJECT = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"
JSON = "application/json"


def resource_path(info: KindInfo, version: str, namespace: str | None) -> str:
    base = f"/apis/{info.group}/{version}" if info.group else f"/api/{version}"
    if namespace is not None and info.namespaced:
        return f"{base}/namespaces/{namespace}/{info.plural}"
    return f"{base}/{info.plural}"


def list_accept(info: KindInfo) -> str:
    """Secrets only ever as metadata: no plain-JSON fallback that could bring their data."""
    return PARTIAL_LIST if info.metadata_only else JSON


def watch_accept(info: KindInfo) -> str:
    return PARTIAL_OBJECT if info.metadata_only else JSON


class UnsafeResponse(Exception):
    """A metadata-only kind answered with full objects: refused, never kept."""


META_GROUP_VERSION = "meta.k8s.io/v1"


class _TypeMeta(msgspec.Struct, rename="camel"):
    kind: str = ""
    api_version: str = ""


class _DataProbe(msgspec.Struct, rename="camel"):
    """Only whether an object carries a Secret's values (the values themselves are skipped)."""

    data: dict[str, msgspec.Raw] | None = None
    string_data: dict[str, msgspec.Raw] | None = None


class _ProbeList(msgspec.Struct):
    items: list[_DataProbe] = msgspec.field(default_factory=list)


_TYPE_META = msgspec.json.Decoder(_TypeMeta)
_PROBE_LIST = msgspec.json.Decoder(_ProbeList)


def check_partial(info: KindInfo, body: bytes) -> None:
    """A metadata-only kind's list must *be* a PartialObjectMetadataList without any data.

    Decided by the body, never by the Content-Type: a real apiserver answers a metadata-only
    request with plain `application/json` (no `as=` parameters), while a server that ignored the
    Accept header sends a SecretList, which is refused before any item is decoded.
    """
    if not info.metadata_only:
        return
    try:
        head = _TYPE_META.decode(body)
        carries_data = any(p.data or p.string_data for p in _PROBE_LIST.decode(body).items)
    except (msgspec.DecodeError, msgspec.ValidationError):
        raise UnsafeResponse(f"{info.kind}: the metadata-only list is not readable; not reading it") from None
    if head.kind != "PartialObjectMetadataList" or head.api_version != META_GROUP_VERSION:
        what = f"{head.kind or 'no kind'} {head.api_version}".strip()
        raise UnsafeResponse(f"{info.kind}: the server ignored the metadata-only Accept header (it sent {what}); "
                             "not reading it")
    if carries_data:
        raise UnsafeResponse(f"{info.kind}: the metadata-only list carries data; not reading it")


# ------------------------------------------------------------------ lists


class _RawList(msgspec.Struct):
    items: list[msgspec.Raw] = msgspec.field(default_factory=list)
    metadata: ListMeta = msgspec.field(default_factory=ListMeta)


_RAW_LIST = msgspec.json.Decoder(_RawList)
_OBJ_DECODERS: dict[type[Any], msgspec.json.Decoder[Any]] = {}


def object_decoder(info: KindInfo) -> msgspec.json.Decoder[Any]:
    dec = _OBJ_DECODERS.get(info.type)
    if dec is None:
        dec = _OBJ_DECODERS[info.type] = msgspec.json.Decoder(info.type)
    return dec


_WARM_LOCK = threading.Lock()
_WARM: set[str] = set()


def warm_decoders(kinds: Iterable[KindInfo]) -> None:
    """Build every decoder before the reflector threads start.

    msgspec builds (and caches on the struct classes) its type information while a Decoder is
    created, partly in Python code where threads switch; two threads doing it at once crashed the
    interpreter (a segfault inside decode_list, seen in the tests). So it happens here, once, in
    the thread that starts the source.
    """
    with _WARM_LOCK:
        for info in kinds:
            if info.kind not in _WARM:
                decode_list(info, b'{"items":[],"metadata":{}}')
                object_decoder(info)
                _WARM.add(info.kind)


def decode_page(info: KindInfo, data: bytes) -> tuple[list[Any], ListMeta, list[str]]:
    """One list response: the fast typed decode, or item by item when some item is malformed."""
    try:
        return decode_list(info, data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        pass
    raw = _RAW_LIST.decode(data)  # not even a list document: let it raise
    dec = object_decoder(info)
    items: list[Any] = []
    errors: list[str] = []
    for i, item in enumerate(raw.items):
        try:
            items.append(finish_object(info, dec.decode(item)))
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            errors.append(f"{info.kind} list item {i}: {exc}")
        except DecodeError as exc:
            errors.append(str(exc))
    return items, raw.metadata, errors


# ------------------------------------------------------------------ watch events


class _Envelope(msgspec.Struct):
    type: str
    object: msgspec.Raw = msgspec.Raw(b"{}")


class _RVMeta(msgspec.Struct, rename="camel"):
    resource_version: str = ""
    annotations: dict[str, str] = msgspec.field(default_factory=dict)


INITIAL_EVENTS_END = "k8s.io/initial-events-end"
"""The annotation on the bookmark that ends a streaming list's initial events."""


class _RVOnly(msgspec.Struct):
    metadata: _RVMeta = msgspec.field(default_factory=_RVMeta)


class _NameMeta(msgspec.Struct, rename="camel"):
    name: str = ""
    namespace: str = ""
    resource_version: str = ""


class _MetaOnly(msgspec.Struct):
    """What is left of an object whose fields do not decode: enough to know which one it was."""

    metadata: _NameMeta = msgspec.field(default_factory=_NameMeta)


class _Status(msgspec.Struct):
    code: int = 0
    reason: str = ""
    message: str = ""


_ENVELOPE = msgspec.json.Decoder(_Envelope)
_RV_ONLY = msgspec.json.Decoder(_RVOnly)
_STATUS = msgspec.json.Decoder(_Status)
_META_ONLY = msgspec.json.Decoder(_MetaOnly)


@dataclass(frozen=True, slots=True)
class WatchLine:
    """One decoded watch line. `obj` is the kind's struct (not yet finished) for object events;
    None with `stub` set (metadata only) and `message` when the object's fields do not decode."""

    type: str
    rv: str = ""
    obj: Any = None
    code: int = 0
    message: str = ""
    stub: Any = None
    initial_end: bool = False
    """A BOOKMARK ending the initial events of a streaming list (sendInitialEvents)."""


def decode_event(info: KindInfo, line: bytes) -> WatchLine:
    """Raises msgspec errors for a line that is not a watch event at all."""
    env = _ENVELOPE.decode(line)
    if env.type == "BOOKMARK":
        meta = _RV_ONLY.decode(env.object).metadata
        return WatchLine("BOOKMARK", meta.resource_version,
                         initial_end=meta.annotations.get(INITIAL_EVENTS_END) == "true")
    if env.type == "ERROR":
        st = _STATUS.decode(env.object)
        return WatchLine("ERROR", code=st.code, message=st.message or st.reason)
    if info.metadata_only:
        _check_partial_object(info, env.object)
    try:
        obj = object_decoder(info).decode(env.object)
    except msgspec.ValidationError as exc:
        stub = _META_ONLY.decode(env.object)
        return WatchLine(env.type, stub.metadata.resource_version, None, message=str(exc), stub=stub)
    return WatchLine(env.type, obj.metadata.resource_version, obj)


_DATA_PROBE = msgspec.json.Decoder(_DataProbe)


def _check_partial_object(info: KindInfo, raw: msgspec.Raw) -> None:
    """A metadata-only watch event must carry a PartialObjectMetadata without any data."""
    try:
        head, probe = _TYPE_META.decode(raw), _DATA_PROBE.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        raise UnsafeResponse(f"{info.kind}: a metadata-only watch event is not readable; not reading it") from None
    if head.kind != "PartialObjectMetadata" or head.api_version != META_GROUP_VERSION:
        raise UnsafeResponse(f"{info.kind}: the watch sent full objects ({head.kind or 'no kind'}); not reading it")
    if probe.data or probe.string_data:
        raise UnsafeResponse(f"{info.kind}: the metadata-only watch event carries data; not reading it")


def lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Newline-delimited lines from a chunked stream (a line may span chunks)."""
    buf = b""
    for chunk in chunks:
        if not chunk:
            continue
        buf = buf + chunk if buf else chunk
        if b"\n" not in buf:
            continue
        *complete, buf = buf.split(b"\n")
        for line in complete:
            if line.strip():
                yield line
    # A tail without its newline is a line cut short: never decoded.
