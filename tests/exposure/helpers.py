"""Building cluster states for the exposure tests: corpus files, YAML text and dicts."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

from ktui.model.decode import decode_document
from ktui.store import ClusterState, Event
from tests.conftest import CORPUS

REALISTIC = CORPUS / "realistic"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@functools.cache
def _parsed(path: Path) -> tuple[dict[str, Any], ...]:
    return tuple(d for d in yaml.load_all(path.read_text(), Loader=_LOADER) if d)


def corpus_docs(*names: str) -> list[dict[str, Any]]:
    """The documents of realistic corpus files, e.g. corpus_docs("ingress-examples/x.yaml")."""
    docs: list[dict[str, Any]] = []
    for name in names:
        path = REALISTIC / name
        assert path.is_file(), path
        docs.extend(copy.deepcopy(list(_parsed(path))))
    return docs


def yaml_docs(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.load_all(text, Loader=_LOADER) if d]


def build(*parts: list[dict[str, Any]] | str, default_ns: str = "default") -> ClusterState:
    """A state from lists of documents and/or YAML texts; kinds ktui does not read are skipped."""
    state = ClusterState()
    for part in parts:
        docs = yaml_docs(part) if isinstance(part, str) else part
        for doc in docs:
            info, obj = decode_document(doc, default_ns)
            if info is not None:
                state.apply(Event("ADDED", info.kind, obj))
    return state


def find(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def drop(docs: list[dict[str, Any]], kind: str, name: str) -> list[dict[str, Any]]:
    return [d for d in docs if not (d["kind"] == kind and d["metadata"]["name"] == name)]


def write_docs(path: Path, docs: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.dump_all(docs, Dumper=_DUMPER))
    return path


def pod(ns: str, name: str, labels: dict[str, str], ip: str, ports: tuple[int, ...] = (),
        ready: bool = True, owner: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns, "labels": labels}
    if owner:
        meta["ownerReferences"] = [{"kind": "ReplicaSet", "name": owner, "controller": True, "apiVersion": "apps/v1"}]
    return {
        "apiVersion": "v1", "kind": "Pod", "metadata": meta,
        "spec": {"containers": [{"name": "c", "ports": [{"containerPort": p} for p in ports]}]},
        "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                   "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]},
    }


def endpoint_slice(ns: str, service: str, port_name: str, port: int, ips: list[str],
                   ready: bool = True) -> dict[str, Any]:
    return {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": f"{service}-abcde", "namespace": ns,
                     "labels": {"kubernetes.io/service-name": service}},
        "addressType": "IPv4",
        "ports": [{"name": port_name, "port": port, "protocol": "TCP"}],
        "endpoints": [{"addresses": [ip], "conditions": {"ready": ready}} for ip in ips],
    }


def namespace(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels or {}}}


def secret(ns: str, name: str, alt_names: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns}
    if alt_names is not None:
        meta["annotations"] = {"cert-manager.io/alt-names": alt_names}
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls", "metadata": meta}
