"""What the user may not read, asked up front with SelfSubjectAccessReviews; and the one
Namespace a namespace-only user (-n) can still know.

These reviews are the only requests ktui ever sends that are not GETs: they are creates of a
virtual resource that asks the authorizer a question and stores nothing. One review per (kind,
verb) in the scope ktui would read (the -n namespace for namespaced kinds, else the whole
cluster), answered in parallel; the answer is data, `Denied` entries the status line shows,
while the reflectors' own 403s stay the authority for what is actually unseen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import msgspec
import urllib3
from kubernetes.client.exceptions import ApiException

from ktui.model.decode import DecodeError, finish_object, synth_namespace
from ktui.model.kinds import KindInfo, lookup
from ktui.sources.kubeclient import KubeClient, StatusError, TransportError, status_message
from ktui.sources.wire import object_decoder

VERBS = ("list", "watch")
SSAR_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"


@dataclass(frozen=True, slots=True, order=True)
class Denied:
    """The user may not `verb` `kind` in `namespace` ("" = across the cluster)."""

    kind: str
    namespace: str
    verb: str

    def __str__(self) -> str:
        where = f" in {self.namespace}" if self.namespace else ""
        return f"{self.verb} {self.kind}{where}"


class _Status(msgspec.Struct):
    allowed: bool = False
    denied: bool = False
    reason: str = ""


class _Review(msgspec.Struct):
    status: _Status = msgspec.field(default_factory=_Status)


_REVIEW = msgspec.json.Decoder(_Review)


def _post(client: KubeClient, path: str, body: dict[str, Any], timeout: float = 10.0) -> bytes:
    """One POST through the client's connection pool and credentials."""
    api = client.conn.api
    method, url, headers, data, _ = api.param_serialize(
        "POST", path, body=body,
        header_params={"Accept": "application/json", "Content-Type": "application/json"},
        auth_settings=["BearerToken"])
    try:
        resp = api.call_api(method, url, headers, data,
                            _request_timeout=(client.connect_timeout, timeout)).response
        payload: bytes = resp.data
    except (urllib3.exceptions.HTTPError, OSError, ApiException) as exc:  # ApiException: TLS, via the client
        raise TransportError(str(exc)) from None
    if not 200 <= resp.status <= 299:
        raise StatusError(resp.status, status_message(payload))
    return payload


def may(client: KubeClient, verb: str, info: KindInfo, namespace: str) -> bool:
    """One SelfSubjectAccessReview: may the user `verb` the kind in `namespace` ("" = all)?"""
    attrs = {"verb": verb, "group": info.group, "resource": info.plural}
    if namespace:
        attrs["namespace"] = namespace
    body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": attrs}}
    return _REVIEW.decode(_post(client, SSAR_PATH, body)).status.allowed


def denied(client: KubeClient, kinds: Iterable[KindInfo], namespace: str | None,
           verbs: Sequence[str] = VERBS, workers: int = 4) -> list[Denied] | None:
    """Every (kind, scope, verb) the user may not read, sorted; None when the reviews themselves
    cannot be asked (an old or locked-down server): then only the 403s will tell."""
    asks = [(info, (namespace or "") if info.namespaced else "", verb) for info in kinds for verb in verbs]

    def ask(item: tuple[KindInfo, str, str]) -> bool | None:
        info, scope, verb = item
        try:
            return may(client, verb, info, scope)
        except (StatusError, TransportError, msgspec.DecodeError, msgspec.ValidationError):
            return None

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        answers = list(pool.map(ask, asks))
    if answers and all(a is None for a in answers):
        return None
    return sorted(Denied(info.kind, scope, verb) for (info, scope, verb), ok in zip(asks, answers, strict=True)
                  if ok is False)


def summary(found: Sequence[Denied], limit: int = 6) -> str:
    """One line: `cannot list Secret in shop, list Node, ...`."""
    shown = ", ".join(str(d) for d in found[:limit])
    more = f" and {len(found) - limit} more" if len(found) > limit else ""
    return f"cannot {shown}{more} (SelfSubjectAccessReview): answers depending on them are unknown"


def scoped_namespace(client: KubeClient, name: str) -> Any:
    """The namespace given by -n when Namespaces cannot be listed: GET of that one Namespace (a
    Role in it may allow that), else one synthesized with only its name label (the apiserver
    sets kubernetes.io/metadata.name on every namespace; other labels stay unknown)."""
    info = lookup("v1", "Namespace")
    assert info is not None
    try:
        obj = object_decoder(info).decode(client.get_bytes(f"/api/v1/namespaces/{name}"))
        return finish_object(info, obj)
    except (StatusError, TransportError, msgspec.DecodeError, msgspec.ValidationError, DecodeError):
        return synth_namespace(name)
