"""Discovery documents (/version, /api, /apis, /apis/G, /apis/G/V), built from the resource table.

Disabled groups are left out, which is how a cluster without the Gateway API CRDs looks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ktui.apiserver.errors import ApiError
from ktui.apiserver.resources import ResourceTable, ResourceType

VERSION_INFO = {
    "major": "1",
    "minor": "34",
    "gitVersion": "v1.34.0-ktui",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2025-01-01T00:00:00Z",
    "goVersion": "go1.24.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}


def _resource_entries(rt: ResourceType) -> list[dict[str, Any]]:
    main: dict[str, Any] = {
        "name": rt.name,
        "singularName": rt.singular,
        "namespaced": rt.namespaced,
        "kind": rt.kind,
        "verbs": list(rt.verbs),
    }
    if rt.short_names:
        main["shortNames"] = list(rt.short_names)
    out = [main]
    if rt.status:
        out.append({"name": f"{rt.name}/status", "singularName": "", "namespaced": rt.namespaced,
                    "kind": rt.kind, "verbs": ["get", "patch", "update"]})
    return out


class Discovery:
    def __init__(self, table: ResourceTable, enabled: Callable[[str], bool],
                 address: Callable[[], str]) -> None:
        self._table = table
        self._enabled = enabled
        self._address = address

    def document(self, group: str | None, version: str | None, top: str) -> dict[str, Any]:
        """The document for a discovery path; `top` is "api", "apis" or "version"."""
        groups = self._table.groups()
        if top == "version":
            return dict(VERSION_INFO)
        if top == "api" and version is None:
            return {"kind": "APIVersions", "versions": groups.get("", ["v1"]),
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                    "serverAddress": self._address()}]}
        if top == "apis" and group is None:
            return {"kind": "APIGroupList", "apiVersion": "v1",
                    "groups": [self._group(g, vs) for g, vs in groups.items()
                               if g and self._enabled(g)]}
        g = group or ""
        if g not in groups or not self._enabled(g):
            raise ApiError.no_route()
        if version is None:
            return {"kind": "APIGroup", "apiVersion": "v1", **self._group(g, groups[g])}
        if version not in groups[g]:
            raise ApiError.no_route()
        resources = [e for rt in self._table.in_version(g, version) for e in _resource_entries(rt)]
        return {"kind": "APIResourceList", "apiVersion": "v1",
                "groupVersion": f"{g}/{version}" if g else version, "resources": resources}

    @staticmethod
    def _group(name: str, versions: list[str]) -> dict[str, Any]:
        entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
        return {"name": name, "versions": entries, "preferredVersion": entries[0]}
