"""Which kinds the cluster serves, and at which version: the answer decides absent vs watched.

Only the group-versions ktui could use are fetched (a handful of small GETs), so re-checking every
minute is cheap; that is how Gateway API CRDs installed after start are picked up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import msgspec

from ktui.model.kinds import KindInfo
from ktui.sources.kubeclient import KubeClient, StatusError, TransportError


class _GroupVersion(msgspec.Struct):
    version: str = ""


class _Group(msgspec.Struct):
    name: str = ""
    versions: list[_GroupVersion] = msgspec.field(default_factory=list)


class _GroupList(msgspec.Struct):
    groups: list[_Group] = msgspec.field(default_factory=list)


class _Resource(msgspec.Struct):
    name: str = ""


class _ResourceList(msgspec.Struct):
    resources: list[_Resource] = msgspec.field(default_factory=list)


_GROUPS = msgspec.json.Decoder(_GroupList)
_RESOURCES = msgspec.json.Decoder(_ResourceList)


@dataclass
class Served:
    """kind -> the version to use, or None when the cluster does not serve the kind."""

    versions: dict[str, str | None] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    """Kinds whose group-version could not be read this time (keep what was known)."""
    errors: list[str] = field(default_factory=list)


def _gv_path(group: str, version: str) -> str:
    return f"/apis/{group}/{version}" if group else f"/api/{version}"


def discover(client: KubeClient, kinds: Iterable[KindInfo]) -> Served:
    """Raises StatusError / TransportError only when /apis itself cannot be read."""
    kinds = list(kinds)
    group_list = _GROUPS.decode(client.get_bytes("/apis"))
    group_versions: dict[str, set[str]] = {"": {"v1"}}
    for g in group_list.groups:
        group_versions[g.name] = {v.version for v in g.versions}
    wanted = {
        (k.group, v) for k in kinds for v in k.versions if v in group_versions.get(k.group, ())
    }
    resources: dict[tuple[str, str], set[str] | None] = {}
    served = Served()
    for gv in sorted(wanted):
        try:
            doc = _RESOURCES.decode(client.get_bytes(_gv_path(*gv)))
            resources[gv] = {r.name for r in doc.resources if "/" not in r.name}
        except StatusError as exc:
            if exc.code == 404:  # went away between the two requests
                resources[gv] = set()
            else:
                resources[gv] = None
                served.errors.append(f"{_gv_path(*gv)}: {exc}")
        except (TransportError, msgspec.DecodeError, msgspec.ValidationError) as exc:
            resources[gv] = None
            served.errors.append(f"{_gv_path(*gv)}: {exc}")
    for k in kinds:
        version: str | None = None
        unsure = False
        for v in k.versions:
            names = resources.get((k.group, v), set())
            if names is None:
                unsure = True
                break
            if k.plural in names:
                version = v
                break
        if unsure:
            served.unknown.add(k.kind)
        else:
            served.versions[k.kind] = version
    return served
