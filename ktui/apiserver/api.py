"""The API behind the HTTP layer: resolve a request, check access, run the verb.

HTTP-free so the Python API (apply, delete_object, objects) and HTTP writes share one code path,
and watchers see the same events from both.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

import msgspec

from ktui.apiserver.access import Access, Caller, Callers
from ktui.apiserver.discovery import Discovery
from ktui.apiserver.errors import ApiError
from ktui.apiserver.faults import Faults
from ktui.apiserver.kubeconfig import DUMMY_TOKEN
from ktui.apiserver.listing import Lister
from ktui.apiserver.patch import JSON_PATCH, MERGE_TYPES, json_patch, merge_patch
from ktui.apiserver.requestlog import RequestLog
from ktui.apiserver.resources import ResourceTable, ResourceType
from ktui.apiserver.routing import RequestInfo
from ktui.apiserver.selectors import combine, field_matcher, label_matcher
from ktui.apiserver.store import END, NS_LABEL, Entry, Store, clone
from ktui.apiserver.views import View, content_type, wants_partial


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"


def _decode(body: bytes) -> Any:
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise ApiError.bad_request(f"invalid JSON body: {exc}") from None


def _generated(prefix: str) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(5))


class Api:
    def __init__(self, table: ResourceTable, *, history_size: int = 10_000,
                 bookmark_interval: float = 1.0, user: str = "ktui-demo") -> None:
        self.table = table
        self.store = Store(history_size)
        self.lister = Lister(self.store)
        self.faults = Faults()
        self.access = Access()
        self.callers = Callers(Caller(user, self.access), DUMMY_TOKEN)
        self.log = RequestLog()
        self.bookmark_interval = bookmark_interval
        self.user = user
        self.address = "127.0.0.1:0"
        self._disabled: set[str] = set()
        self.discovery = Discovery(table, self.group_enabled, lambda: self.address)

    # groups

    def group_enabled(self, group: str) -> bool:
        return group not in self._disabled

    def set_group_enabled(self, group: str, enabled: bool) -> None:
        """Switched off, a group answers 404 everywhere and its open watches end (CRDs gone)."""
        if enabled:
            self._disabled.discard(group)
        else:
            self._disabled.add(group)
            self.store.signal_watchers(END, group)

    # requests

    def resolve(self, info: RequestInfo) -> ResourceType:
        """The resource a request is about, or the 404/403/405 the real server would send."""
        rt = info.rt
        if not info.known or rt is None or not self.group_enabled(rt.group):
            raise ApiError.no_route()
        if info.subresource and not rt.status:
            raise ApiError.no_route()
        allowed = ("get", "update", "patch") if info.subresource else rt.verbs
        if info.verb not in allowed:
            raise ApiError(405, "the server does not allow this method on the requested resource",
                           "MethodNotAllowed")
        caller = self.caller(info)
        # a request for one Namespace is authorized in that namespace (a Role there can grant it)
        scope = info.name if rt.key == ("", "namespaces") and info.name else info.namespace
        if not rt.virtual and not caller.access.allows(info.verb, rt.group, rt.name, scope or ""):
            where = (f'in the namespace "{info.namespace}"' if info.namespace
                     else "at the cluster scope")
            msg = (f'{rt.name}{"." + rt.group if rt.group else ""} is forbidden: User '
                   f'"{caller.user}" cannot {info.verb} resource "{rt.name}" in API group '
                   f'"{rt.group}" {where}')
            details = {"group": rt.group, "kind": rt.name}
            if info.name:
                details["name"] = info.name
            raise ApiError(403, msg, "Forbidden", details)
        return rt

    def caller(self, info: RequestInfo) -> Caller:
        return info.caller or self.callers.default

    def view(self, info: RequestInfo, accept: str) -> View:
        assert info.rt is not None
        return View(info.rt, info.version, wants_partial(accept))

    def handle(self, info: RequestInfo, body: bytes, body_type: str, accept: str) -> Response:
        if not info.is_resource:
            return self._discovery(info)
        rt = self.resolve(info)
        view = self.view(info, accept)
        ctype = content_type(view.partial, info.verb in ("list", "deletecollection"))
        ns = info.namespace or ""
        if info.verb == "list":
            return Response(200, self.lister.page(info, view), ctype)
        if info.verb == "get":
            entry = self.store.get(rt, ns, info.name or "")
            if entry is None:
                raise ApiError.not_found(rt.name, info.name or "", rt.group)
            return Response(200, view.raw(entry.obj, entry.raw), ctype)
        if info.verb == "create":
            return self._create(info, rt, _decode(body), view)
        if info.verb == "update":
            obj = self.normalize(rt, _decode(body), info.namespace)
            if obj["metadata"]["name"] != info.name:
                raise ApiError.bad_request(f"the name of the object ({obj['metadata']['name']}) "
                                           f"does not match the name on the URL ({info.name})")
            entry = self.store.update(rt, obj, subresource=info.subresource)
            return Response(200, view.raw(entry.obj, entry.raw), ctype)
        if info.verb == "patch":
            entry = self._patch(info, rt, body, body_type)
            return Response(200, view.raw(entry.obj, entry.raw), ctype)
        if info.verb == "delete":
            entry = self.store.delete(rt, ns, info.name or "")
            return Response(200, view.raw(entry.obj, entry.raw), ctype)
        if info.verb == "deletecollection":
            return Response(200, self._delete_collection(info, rt, view), ctype)
        raise ApiError(405, f"unsupported verb {info.verb}", "MethodNotAllowed")

    def _discovery(self, info: RequestInfo) -> Response:
        if not info.known:
            raise ApiError.no_route()
        if info.method not in ("GET", "HEAD"):
            raise ApiError(405, "the server does not allow this method", "MethodNotAllowed")
        if info.path in ("/healthz", "/livez", "/readyz"):
            return Response(200, b"ok", "text/plain; charset=utf-8")
        top = "version" if info.path == "/version" else info.path.split("/")[1]
        doc = self.discovery.document(info.group, info.version, top)
        return Response(200, msgspec.json.encode(doc))

    def _create(self, info: RequestInfo, rt: ResourceType, obj: Any, view: View) -> Response:
        if rt.virtual:
            if not isinstance(obj, dict):
                raise ApiError.bad_request("the body must be an object")
            access = self.caller(info).access
            if rt.name == "selfsubjectaccessreviews":
                answer = access.access_review(obj)
            else:
                enabled = [r for r in self.table.resources
                           if self.group_enabled(r.group) and not r.virtual]
                answer = access.rules_review(obj, enabled)
            answer.setdefault("apiVersion", rt.api_version(info.version))
            answer.setdefault("kind", rt.kind)
            return Response(201, msgspec.json.encode(answer))
        if rt.namespaced and info.namespace is None:
            raise ApiError(405, "create needs a namespace in the path", "MethodNotAllowed")
        obj = self.normalize(rt, obj, info.namespace, creating=True)
        entry = self.store.create(rt, obj)
        return Response(201, view.raw(entry.obj, entry.raw))

    def _patch(self, info: RequestInfo, rt: ResourceType, body: bytes, body_type: str) -> Entry:
        media = body_type.split(";")[0].strip().lower()
        if media not in (*MERGE_TYPES, JSON_PATCH):
            raise ApiError(415, f"the body of the request was in an unknown format - accepted "
                           f"media types include: {', '.join((JSON_PATCH, *MERGE_TYPES))}",
                           "UnsupportedMediaType")
        ops = _decode(body)
        with self.store.lock:
            current = self.store.get(rt, info.namespace or "", info.name or "")
            if current is None:
                raise ApiError.not_found(rt.name, info.name or "", rt.group)
            if media == JSON_PATCH:
                if not isinstance(ops, list):
                    raise ApiError.bad_request("a JSON patch must be a list of operations")
                patched = json_patch(current.obj, ops)
            else:
                if not isinstance(ops, dict):
                    raise ApiError.bad_request("a merge patch must be an object")
                patched = merge_patch(current.obj, ops)
            meta = dict(patched.get("metadata") or {})
            meta["name"] = current.obj["metadata"]["name"]
            if rt.namespaced:
                meta["namespace"] = current.obj["metadata"]["namespace"]
            patched["metadata"] = meta
            obj = self.normalize(rt, patched, info.namespace)
            return self.store.update(rt, obj, subresource=info.subresource)

    def _delete_collection(self, info: RequestInfo, rt: ResourceType, view: View) -> bytes:
        q = info.query
        match = combine(label_matcher(q.get("labelSelector")),
                        field_matcher(q.get("fieldSelector")))
        with self.store.lock:
            entries, _ = self.store.snapshot(rt, info.namespace)
            gone = [self.store.delete(rt, e.obj["metadata"].get("namespace", ""),
                                      e.obj["metadata"]["name"])
                    for e in entries if match is None or match(e.obj)]
            rv = self.store.rv
        return view.list_bytes({"resourceVersion": str(rv)},
                               [view.raw(e.obj, e.raw) for e in gone])

    # objects

    def normalize(self, rt: ResourceType, obj: Any, namespace: str | None,
                  creating: bool = False) -> dict[str, Any]:
        """kind/apiVersion/metadata the way they are stored: preferred version, namespace from
        the path (or "default"), generated names, the namespace name label."""
        if not isinstance(obj, dict):
            raise ApiError.bad_request("the body must be an object")
        kind, api_version = obj.get("kind"), obj.get("apiVersion")
        if kind and kind != rt.kind:
            raise ApiError.bad_request(f"kind {kind} does not match the resource {rt.name}")
        if api_version and api_version.rpartition("/")[0] != rt.group:
            raise ApiError.bad_request(f"apiVersion {api_version} is not in group {rt.group!r}")
        obj["kind"], obj["apiVersion"] = rt.kind, rt.api_version()
        meta = dict(obj.get("metadata") or {})
        obj["metadata"] = meta
        if rt.namespaced:
            if namespace and meta.get("namespace") not in (None, "", namespace):
                raise ApiError.bad_request("the namespace of the provided object does not match "
                                           "the namespace sent on the request")
            meta["namespace"] = namespace or meta.get("namespace") or "default"
        else:
            meta.pop("namespace", None)
        if not meta.get("name"):
            if creating and meta.get("generateName"):
                meta["name"] = _generated(meta["generateName"])
            else:
                raise ApiError(422, "name or generateName is required", "Invalid")
        if creating:
            meta.pop("resourceVersion", None)
        if rt.key == ("", "namespaces"):
            meta["labels"] = {**(meta.get("labels") or {}), NS_LABEL: meta["name"]}
        return obj

    def apply(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Create or replace (status included), through the same path as HTTP writes."""
        return clone(self.apply_entry(obj).obj)

    def apply_entry(self, obj: dict[str, Any]) -> Entry:
        obj = clone(obj)
        rt = self.table.by_api_version_kind(str(obj.get("apiVersion", "")), str(obj.get("kind")))
        if rt is None or rt.virtual:
            raise KeyError(f"not served: {obj.get('apiVersion')} {obj.get('kind')}")
        with self.store.lock:
            obj = self.normalize(rt, obj, None, creating=True)
            meta = obj["metadata"]
            if self.store.get(rt, meta.get("namespace", ""), meta["name"]) is None:
                entry = self.store.create(rt, obj)
            else:
                entry = self.store.update(rt, obj, check_rv=False, replace_status=True)
        return entry

    def delete_object(self, resource: str, namespace: str | None, name: str) -> dict[str, Any]:
        rt = self.table.find(resource)
        try:
            entry = self.store.delete(rt, (namespace or "default") if rt.namespaced else "", name)
        except ApiError:
            raise KeyError(f"{rt.name} {namespace}/{name} not found") from None
        return clone(entry.obj)

    def get_object(self, resource: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        rt = self.table.find(resource)
        entry = self.store.get(rt, (namespace or "default") if rt.namespaced else "", name)
        return None if entry is None else clone(entry.obj)

    def objects(self, resource: str, namespace: str | None = None) -> list[dict[str, Any]]:
        """Fresh copies of the stored objects, sorted by namespace and name."""
        rt = self.table.find(resource)
        entries, _ = self.store.snapshot(rt, namespace)
        copies: list[dict[str, Any]] = msgspec.json.decode(
            b"[" + b",".join(e.raw for e in entries) + b"]")
        return copies
