"""Object metadata shared by every kind: the few fields ktui reads, nothing more."""

from __future__ import annotations

import msgspec


class OwnerReference(msgspec.Struct, frozen=True, rename="camel", gc=False):
    kind: str = ""
    name: str = ""
    api_version: str = ""
    uid: str = ""
    controller: bool = False


class ObjectMeta(msgspec.Struct, frozen=True, rename="camel", gc=False):
    """Metadata with annotations: for the kinds whose annotations carry meaning."""

    name: str = ""
    namespace: str = ""
    labels: dict[str, str] = msgspec.field(default_factory=dict)
    annotations: dict[str, str] = msgspec.field(default_factory=dict)
    owner_references: list[OwnerReference] = msgspec.field(default_factory=list)
    uid: str = ""
    resource_version: str = ""
    generation: int = 0
    creation_timestamp: str | None = None
    deletion_timestamp: str | None = None


class SlimMeta(msgspec.Struct, frozen=True, rename="camel", gc=False):
    """Metadata without annotations: pods are many and their annotations are large and unused."""

    name: str = ""
    namespace: str = ""
    labels: dict[str, str] = msgspec.field(default_factory=dict)
    owner_references: list[OwnerReference] = msgspec.field(default_factory=list)
    uid: str = ""
    resource_version: str = ""
    deletion_timestamp: str | None = None


def controller_of(meta: ObjectMeta | SlimMeta) -> OwnerReference | None:
    """The owner reference with controller: true, as kubectl and the controllers read it."""
    for ref in meta.owner_references:
        if ref.controller:
            return ref
    return None


class Condition(msgspec.Struct, frozen=True, rename="camel", gc=False):
    type: str = ""
    status: str = ""
    reason: str = ""
    message: str = ""
    observed_generation: int | None = None
