"""No Secret value reaches ktui: metadata-only decided by the body, data refused, annotations
that can carry values (kubectl's last-applied-configuration) dropped before the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from ktui.apiserver import ApiServer
from ktui.cli import main
from ktui.model.decode import decode_document
from ktui.model.kinds import lookup
from ktui.sources.base import SyncState
from ktui.sources.cluster import snapshot
from ktui.sources.wire import UnsafeResponse, check_partial, decode_event
from tests.sources.conftest import FAST

VALUE = "c3VwZXItc2VjcmV0LXZhbHVl"  # what must never be seen
SECRET = lookup("v1", "Secret")
assert SECRET is not None


def _secret(name: str = "tls", ns: str = "shop") -> dict[str, Any]:
    applied = {"apiVersion": "v1", "kind": "Secret", "data": {"tls.key": VALUE},
               "metadata": {"name": name, "namespace": ns}}
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"name": name, "namespace": ns, "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": json.dumps(applied),
                "cert-manager.io/common-name": "shop.example.com",
                "note": VALUE}},
            "data": {"tls.key": VALUE, "tls.crt": VALUE}}


def _partial_list(items: list[dict[str, Any]], kind: str = "PartialObjectMetadataList") -> bytes:
    return json.dumps({"kind": kind, "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "5"},
                       "items": items}).encode()


def test_plain_json_content_type_with_a_partial_body_is_accepted() -> None:
    item = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": {"name": "a"}}
    check_partial(SECRET, _partial_list([item]))  # no Content-Type involved at all


@pytest.mark.parametrize("body", [
    json.dumps({"kind": "SecretList", "apiVersion": "v1", "items": [{"data": {"k": VALUE}}]}).encode(),
    _partial_list([{"metadata": {"name": "a"}, "data": {"k": VALUE}}]),
    _partial_list([{"metadata": {"name": "a"}, "stringData": {"k": VALUE}}]),
    _partial_list([], kind="SecretList"),
    b"not json",
])
def test_a_secret_list_that_is_not_metadata_only_is_refused(body: bytes) -> None:
    with pytest.raises(UnsafeResponse):
        check_partial(SECRET, body)


@pytest.mark.parametrize("obj", [
    {"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "a"}, "data": {"k": VALUE}},
    {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": {"name": "a"},
     "data": {"k": VALUE}},
    {"metadata": {"name": "a"}},
])
def test_a_secret_watch_event_with_full_objects_is_refused(obj: dict[str, Any]) -> None:
    line = json.dumps({"type": "ADDED", "object": obj}).encode()
    with pytest.raises(UnsafeResponse):
        decode_event(SECRET, line)


def test_a_partial_watch_event_is_read() -> None:
    obj = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
           "metadata": {"name": "a", "namespace": "shop", "resourceVersion": "7"}}
    ev = decode_event(SECRET, json.dumps({"type": "ADDED", "object": obj}).encode())
    assert ev.obj is not None and ev.obj.metadata.name == "a" and ev.rv == "7"


def test_manifest_secret_keeps_only_cert_manager_annotations() -> None:
    info, obj = decode_document(_secret())
    assert info is not None and info.kind == "Secret"
    assert dict(obj.metadata.annotations) == {"cert-manager.io/common-name": "shop.example.com"}
    assert VALUE.encode() not in msgspec.json.encode(obj)


def _kubeconfig(server: ApiServer, tmp_path: Path) -> str:
    return str(server.write_kubeconfig(tmp_path / "kubeconfig"))


def test_live_secrets_are_seen_and_hold_no_value(server: ApiServer, tmp_path: Path) -> None:
    server.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    server.apply(_secret())
    loaded = snapshot(_kubeconfig(server, tmp_path), settings=FAST)
    assert loaded.statuses["Secret"].state is SyncState.LIVE
    assert not [p for p in loaded.problems if "Secret" in str(p)]
    (secret,) = loaded.state.objects("Secret")
    assert dict(secret.metadata.annotations) == {"cert-manager.io/common-name": "shop.example.com"}
    everything = b"".join(msgspec.json.encode(o) for info in [SECRET] for o in loaded.state.objects(info.kind))
    assert VALUE.encode() not in everything


def test_a_server_ignoring_the_metadata_accept_header_is_refused(server: ApiServer,
                                                                 tmp_path: Path) -> None:
    server.apply(_secret())
    server.faults.add(verb="list", resource="secrets", ignore_accept=True)
    loaded = snapshot(_kubeconfig(server, tmp_path), settings=FAST)
    assert loaded.state.objects("Secret") == []
    assert loaded.statuses["Secret"].state is not SyncState.LIVE
    assert any("metadata-only" in str(p) for p in loaded.problems)


def test_no_secret_value_in_cli_outputs(server: ApiServer, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    manifests = tmp_path / "m.yaml"
    manifests.write_text(yaml.safe_dump_all([_secret("from-file")]))
    server.apply(_secret())
    kubeconfig = _kubeconfig(server, tmp_path)
    for argv in (["hosts", "-o", "json", "--kubeconfig", kubeconfig],
                 ["check", "-o", "json", "--kubeconfig", kubeconfig],
                 ["hosts", "-o", "json", "-f", str(manifests)],
                 ["check", "-o", "json", "-f", str(manifests)]):
        main(argv)
        captured = capsys.readouterr()
        assert captured.out, argv
        assert VALUE not in captured.out + captured.err, argv


def test_a_secret_arriving_by_watch_holds_no_value(server: ApiServer, live_factory: Any) -> None:
    live = live_factory()
    live.wait(lambda: live.state_of("Secret") is SyncState.LIVE, "Secrets live")
    server.apply(_secret("late"))
    secret = live.wait(lambda: live.state.get("Secret", "shop", "late"), "the watched Secret")
    assert dict(secret.metadata.annotations) == {"cert-manager.io/common-name": "shop.example.com"}
    assert VALUE.encode() not in msgspec.json.encode(secret)
