"""A small cluster for the CLI habit tests: four namespaces, an Ingress, a Gateway with a route
from shop to a Service in payments, a listener no route attaches to, a refused route, and an
egress default-deny in `other` (a policy outside the namespace a command shows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ktui.cli import main
from tests.check.kit import (
    deployment,
    gateway,
    httproute,
    ingress,
    ingress_class,
    namespace,
    netpol,
    pod,
    reference_grant,
    service,
)

Doc = dict[str, Any]


def world() -> list[Doc]:
    listeners = [
        {"name": "http", "port": 80, "protocol": "HTTP", "allowedRoutes": {"namespaces": {"from": "All"}}},
        {"name": "spare", "port": 8080, "protocol": "HTTP", "hostname": "*.example.com",
         "allowedRoutes": {"namespaces": {"from": "All"}}},
    ]
    return [
        namespace("shop"), namespace("payments"), namespace("other"), namespace("infra"),
        ingress_class("nginx", default=True),
        deployment("web", "shop", ports=[("http", 8080)]), service("web", "shop"),
        pod("web-1", "shop", {"app": "web"}, ip="10.0.0.5", ports=[("http", 8080)]),
        deployment("api", "payments", ports=[("http", 8080)]), service("api", "payments"),
        pod("api-1", "payments", {"app": "api"}, ip="10.0.1.5", ports=[("http", 8080)]),
        deployment("client", "other"), pod("client-1", "other", {"app": "client"}, ip="10.0.2.5"),
        netpol("deny-egress", "other", types=["Egress"]),
        ingress("site", "shop", host="shop.example.com", tls_secret="shop-tls"),
        gateway("gw", "infra", listeners),
        httproute("pay", "shop", parent={"name": "gw", "namespace": "infra", "sectionName": "http"},
                  backend="api", backend_ns="payments", hostnames=["pay.example.com"]),
        reference_grant("payments", "HTTPRoute", "shop"),
        httproute("lost", "shop", parent={"name": "gw", "namespace": "infra", "sectionName": "nope"},
                  hostnames=["lost.example.com"]),
    ]


def write(tmp_path: Path, docs: list[Doc], name: str = "world.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return str(path)


@pytest.fixture
def manifests(tmp_path: Path) -> list[str]:
    return ["-f", write(tmp_path, world())]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
