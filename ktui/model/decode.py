"""Decoding API JSON and manifest dicts into the slim structs, with messages that name the object."""

from __future__ import annotations

import re
import threading
from typing import Any, Generic, TypeVar

import msgspec

from ktui.model.core import NS_NAME_LABEL, Namespace
from ktui.model.kinds import KindInfo, lookup
from ktui.model.validate import VALIDATORS, ValidationError
from ktui.model.validate_kinds import kind_problem

T = TypeVar("T")


class DecodeError(ValueError):
    """An object that cannot be read; the message names it and the field at fault."""


class ListMeta(msgspec.Struct, frozen=True, rename="camel"):
    resource_version: str = ""
    continue_: str = msgspec.field(default="", name="continue")


class ObjectList(msgspec.Struct, Generic[T], frozen=True):
    items: list[T] = msgspec.field(default_factory=list)
    metadata: ListMeta = msgspec.field(default_factory=ListMeta)


def describe(doc: dict[str, Any]) -> str:
    """`Kind ns/name` for messages, from whatever the document has."""
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    name = str(meta.get("name") or "<no name>")
    ns = meta.get("namespace")
    kind = str(doc.get("kind") or "<no kind>")
    return f"{kind} {ns}/{name}" if ns else f"{kind} {name}"


def _legacy_backend(backend: Any) -> Any:
    """networking.k8s.io/v1beta1 backend {serviceName, servicePort} -> v1 {service: ...}."""
    if not isinstance(backend, dict) or "serviceName" not in backend:
        return backend
    port = backend.get("servicePort")
    port_ref = {"number": port} if isinstance(port, int) else {"name": str(port or "")}
    return {"service": {"name": backend["serviceName"], "port": port_ref}}


def _upgrade_legacy_ingress(doc: dict[str, Any]) -> dict[str, Any]:
    spec = dict(doc.get("spec") or {})
    if "backend" in spec and "defaultBackend" not in spec:
        spec["defaultBackend"] = _legacy_backend(spec.pop("backend"))
    rules = []
    for rule in spec.get("rules") or []:
        if isinstance(rule, dict) and isinstance(rule.get("http"), dict):
            paths = [
                {**p, "backend": _legacy_backend(p.get("backend"))} if isinstance(p, dict) else p
                for p in rule["http"].get("paths") or []
            ]
            rule = {**rule, "http": {**rule["http"], "paths": paths}}
        rules.append(rule)
    spec["rules"] = rules
    return {**doc, "spec": spec}


SECRET_KEPT = "cert-manager.io/"
"""The only Secret annotations kept (the TLS checks read them); every other one is dropped."""


def _finish(info: KindInfo, obj: Any, default_ns: str) -> Any:
    """Apply the API server's defaults ktui relies on and validate."""
    meta = obj.metadata
    changes: dict[str, Any] = {}
    if info.namespaced and not meta.namespace:
        changes["namespace"] = default_ns
    elif not info.namespaced and meta.namespace:
        changes["namespace"] = ""  # cluster-scoped: the API server ignores a namespace
    if info.kind == "Namespace" and meta.labels.get(NS_NAME_LABEL) != meta.name:
        changes["labels"] = {**meta.labels, NS_NAME_LABEL: meta.name}
    if info.kind == "Secret" and any(not k.startswith(SECRET_KEPT) for k in meta.annotations):
        # last-applied-configuration (and any other annotation) can hold the Secret's data
        changes["annotations"] = {k: v for k, v in meta.annotations.items() if k.startswith(SECRET_KEPT)}
    if changes:
        obj = msgspec.structs.replace(obj, metadata=msgspec.structs.replace(meta, **changes))
    if getattr(obj, "kind", info.kind) != info.kind:
        obj = msgspec.structs.replace(obj, kind=info.kind)
    validator = VALIDATORS.get(info.kind)
    if validator is not None:
        validator(obj)
    return obj


MAX_VALUES = 1_000_000
"""Values in one object, counted as msgspec would walk them (a value shared N times counts N
times): a YAML alias bomb shares a few lists millions of times; the API server's 3 MiB request
limit keeps real objects far below this."""


def _drop_nulls_tree(value: Any) -> Any:
    """_drop_nulls for a tree with no shared values (JSON): comprehensions, no bookkeeping."""
    if isinstance(value, dict):
        return {k: _drop_nulls_tree(v) if isinstance(v, dict | list) else v for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls_tree(v) if isinstance(v, dict | list) else v for v in value if v is not None]
    return value


def _drop_nulls(value: Any) -> Any:
    """The API treats an explicit null like an absent field (`annotations: null`).

    Shared values (YAML aliases) are cleaned once and stay shared; their expanded size is counted
    and bounded (DecodeError), and a value that contains itself is refused."""
    memo: dict[int, tuple[Any, int]] = {}
    active: set[int] = set()

    def walk(v: Any) -> tuple[Any, int]:
        """`v` is a dict or a list; scalars are copied inline (most values are: no call each)."""
        key = id(v)
        if key in memo:
            return memo[key]
        if key in active:
            raise DecodeError("a value refers to itself (recursive YAML alias)")
        active.add(key)
        size = 1
        if isinstance(v, dict):
            out: Any = {}
            for k, item in v.items():
                if item is None:
                    continue
                if isinstance(item, dict | list):
                    out[k], n = walk(item)
                    size += n
                else:
                    out[k] = item
                    size += 1
        else:
            out = []
            for item in v:
                if item is None:
                    continue
                if isinstance(item, dict | list):
                    cleaned, n = walk(item)
                    out.append(cleaned)
                    size += n
                else:
                    out.append(item)
                    size += 1
        if size > MAX_VALUES:
            raise DecodeError(f"too large: more than {MAX_VALUES} values (YAML aliases expanding?)")
        active.discard(key)
        memo[key] = (out, size)
        return out, size

    return walk(value)[0] if isinstance(value, dict | list) else value


def _placeholder(value: Any) -> Any:
    """`gatewayClassName: {GATEWAY_CLASS_NAME}` (an unquoted template placeholder, as in the
    Gateway API conformance manifests) reads as a one-key mapping; keep it as the literal text."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value.values())) is None:
        return "{" + str(next(iter(value))) + "}"
    return value


def decode_document(
    doc: dict[str, Any], default_ns: str = "default", shared: bool = True
) -> tuple[KindInfo | None, Any]:
    """Decode one manifest document. (None, None) for a kind ktui does not read.

    Raises DecodeError with a message naming the object for anything malformed. `shared`: the
    document may share values (YAML aliases), so their expansion is bounded; JSON never shares.
    """
    api_version = doc.get("apiVersion")
    kind = doc.get("kind")
    if not isinstance(kind, str) or not kind:
        raise DecodeError(f"{describe(doc)}: object has no kind")
    if not isinstance(api_version, str) or not api_version:
        raise DecodeError(f"{describe(doc)}: object has no apiVersion")
    info = lookup(api_version, kind)
    problem = kind_problem(api_version, kind, info)
    if problem is not None:
        raise DecodeError(f"{describe(doc)}: {problem}")
    if info is None:
        return None, None
    if info.kind != kind:  # a kind name two groups share, stored under ktui's name (CalicoNetworkPolicy)
        doc = {**doc, "kind": info.kind}
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        raise DecodeError(f"{describe(doc)}: metadata.name is required")
    if kind == "Gateway" and isinstance(doc.get("spec"), dict) and "gatewayClassName" in doc["spec"]:
        doc = {**doc, "spec": {**doc["spec"], "gatewayClassName": _placeholder(doc["spec"]["gatewayClassName"])}}
    if not shared and not info.metadata_only and not (kind == "Ingress" and api_version.endswith("v1beta1")):
        try:  # most JSON documents hold no null where it matters: no copy of the tree needed
            return info, _finish(info, msgspec.convert(doc, info.type), default_ns)
        except (msgspec.ValidationError, ValidationError):
            pass  # a null, an empty {} for a list, or a real error: the careful path says which
    try:
        doc = _drop_nulls(doc) if shared else _drop_nulls_tree(doc)
    except DecodeError as exc:
        raise DecodeError(f"{describe(doc)}: {exc}") from None
    meta = doc["metadata"]
    if kind == "Ingress" and api_version.endswith("v1beta1"):
        doc = _upgrade_legacy_ingress(doc)
    if info.metadata_only:
        doc = {"kind": kind, "metadata": meta, "type": doc.get("type", "")}
    try:
        obj = _convert_lenient(doc, info.type)
        return info, _finish(info, obj, default_ns)
    except msgspec.ValidationError as exc:
        raise DecodeError(f"{describe(doc)}: {_field_message(exc)}") from None
    except ValidationError as exc:
        raise DecodeError(f"{describe(doc)}: {exc}") from None


_PATH_PART = re.compile(r"\.([A-Za-z0-9_]+)|\[(\d+)\]")


def _convert_lenient(doc: dict[str, Any], typ: type[Any]) -> Any:
    """Convert, reading an empty `{}` where a list belongs (and `[]` where an object belongs) as
    the empty value it means; any other mismatch is an error naming the field."""
    for _ in range(32):
        try:
            return msgspec.convert(doc, typ)
        except msgspec.ValidationError as exc:
            text = str(exc)
            if " - at `$" not in text:
                raise
            path = text.partition(" - at `$")[2].rstrip("`")
            parent: Any = doc
            steps = [m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _PATH_PART.finditer(path)]
            for step in steps[:-1]:
                parent = parent[step]
            value = parent[steps[-1]] if steps else None
            if value == {} and "Expected `array`" in text:
                parent[steps[-1]] = []
            elif value == [] and "Expected `object`" in text:
                parent[steps[-1]] = {}
            else:
                raise
    return msgspec.convert(doc, typ)


def _field_message(exc: msgspec.ValidationError) -> str:
    """msgspec says `... - at `$.spec.ports[0]``; say it as `spec.ports[0]: ...`."""
    text = str(exc)
    if " - at `$." in text:
        msg, _, path = text.partition(" - at `$.")
        return f"{path.rstrip('`')}: {msg}"
    return text


_LIST_TYPES: dict[type[Any], Any] = {}
_LIST_TYPES_LOCK = threading.Lock()  # building msgspec decoders from several threads at once crashed once


def decode_list(info: KindInfo, data: bytes) -> tuple[list[Any], ListMeta, list[str]]:
    """Decode an API list response. Items that fail validation are skipped with a message."""
    list_type = _LIST_TYPES.get(info.type)
    if list_type is None:
        with _LIST_TYPES_LOCK:
            list_type = _LIST_TYPES.get(info.type)
            if list_type is None:
                decoder = msgspec.json.Decoder(ObjectList[info.type])  # type: ignore[name-defined]
                list_type = _LIST_TYPES[info.type] = decoder
    decoded = list_type.decode(data)
    items: list[Any] = []
    errors: list[str] = []
    for obj in decoded.items:
        try:
            items.append(_finish(info, obj, ""))
        except ValidationError as exc:
            errors.append(f"{info.kind} {obj.metadata.namespace}/{obj.metadata.name}: {exc}")
    return items, decoded.metadata, errors


def finish_object(info: KindInfo, obj: Any) -> Any:
    """Defaults and validation for one object decoded from a watch event."""
    try:
        return _finish(info, obj, "")
    except ValidationError as exc:
        raise DecodeError(f"{info.kind} {obj.metadata.namespace}/{obj.metadata.name}: {exc}") from None


def synth_namespace(name: str) -> Namespace:
    """A namespace that objects refer to but nobody defined (manifests mode)."""
    from ktui.model.meta import ObjectMeta

    return Namespace(metadata=ObjectMeta(name=name, labels={NS_NAME_LABEL: name}))


def warm_types() -> None:
    """Build msgspec's type information for every kind now, in one thread.

    msgspec builds it lazily, partly in Python code where threads switch; two threads doing it
    for the same struct at once crashed the interpreter. Done at import, so no thread races it.
    """
    from ktui.model.kinds import KINDS

    with _LIST_TYPES_LOCK:
        for info in KINDS:
            msgspec.convert({}, info.type)
            if info.type not in _LIST_TYPES:
                _LIST_TYPES[info.type] = msgspec.json.Decoder(ObjectList[info.type])  # type: ignore[name-defined]


warm_types()
