"""URL + method -> what the request is about, in the apiserver's own terms (RequestInfo).

Mirrors k8s.io/apiserver/pkg/endpoints/request.RequestInfoFactory: the verb is derived from
the method and the path, so the request log and fault hooks speak kubectl's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from ktui.apiserver.access import Caller
from ktui.apiserver.resources import ResourceTable, ResourceType

_METHOD_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch"}


@dataclass
class RequestInfo:
    method: str
    path: str
    query: dict[str, str]
    verb: str = "get"
    group: str | None = None
    """API group the path is under ("" = core), also for discovery paths; None for /version."""
    version: str | None = None
    resource: str | None = None
    """Plural resource name; None for discovery (a "non-resource" request)."""
    namespace: str | None = None
    name: str | None = None
    subresource: str = ""
    rt: ResourceType | None = field(default=None, repr=False)
    known: bool = True
    """False when the path names nothing this server serves (answered with 404)."""
    caller: Caller | None = field(default=None, repr=False)
    """Who sent it (from the bearer token); None: the server's default user."""

    @property
    def is_resource(self) -> bool:
        return self.resource is not None

    @property
    def watch(self) -> bool:
        return self.verb == "watch"


def parse_request(method: str, target: str, table: ResourceTable) -> RequestInfo:
    split = urlsplit(target)
    query = dict(parse_qsl(split.query, keep_blank_values=True))
    path = split.path.rstrip("/") or "/"
    info = RequestInfo(method, path, query)
    parts = [unquote(p) for p in path.split("/") if p]
    if parts[:1] == ["api"]:
        info.group, rest = "", parts[1:]
    elif parts[:1] == ["apis"]:
        info.group, rest = (parts[1] if len(parts) > 1 else None), parts[2:]
    else:
        info.known = parts in (["version"], ["healthz"], ["livez"], ["readyz"])
        return info
    if not rest:  # /api, /apis, /apis/GROUP
        return info
    info.version, rest = rest[0], rest[1:]
    if not rest:  # /api/v1, /apis/GROUP/VERSION
        return info
    watch_path = rest[0] == "watch"
    if watch_path:
        rest = rest[1:]
    group = info.group or ""
    if len(rest) >= 3 and rest[0] == "namespaces":
        rt = table.get(group, info.version, rest[2])
        if rt is not None and rt.namespaced:
            info.namespace, rest = rest[1], rest[2:]
    rt = table.get(group, info.version, rest[0]) if rest else None
    info.resource = rest[0] if rest else ""
    info.rt = rt
    info.name = rest[1] if len(rest) > 1 else None
    info.subresource = rest[2] if len(rest) > 2 else ""
    info.known = (rt is not None and len(rest) <= 3
                  and info.subresource in ("", "status")
                  and (info.name is None or info.namespace is not None or not rt.namespaced))
    watching = watch_path or query.get("watch") in ("true", "1")
    if method in ("GET", "HEAD"):
        if watching:
            info.verb = "watch"
        else:
            info.verb = "get" if info.name else "list"
    elif method == "DELETE":
        info.verb = "delete" if info.name else "deletecollection"
    else:
        info.verb = _METHOD_VERBS.get(method, method.lower())
    return info
