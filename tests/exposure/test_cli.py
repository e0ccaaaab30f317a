"""`ktui hosts`, `ktui routes`, `ktui triage` in-process: outputs, the JSON contract, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from ktui.cli import main
from tests.exposure.helpers import REALISTIC, corpus_docs, drop, write_docs
from tests.exposure.test_triage import ingress_baseline

BOUTIQUE = REALISTIC / "online-boutique"
GW = REALISTIC / "gateway-api-examples"


@pytest.fixture()
def boutique(tmp_path: Path) -> list[str]:
    """app.yaml without Service frontend-external (the Istio component deletes it) + the Gateway."""
    docs = drop(corpus_docs("online-boutique/app.yaml"), "Service", "frontend-external")
    app = write_docs(tmp_path / "app.yaml", docs)
    return ["--manifests", str(app), "--manifests", str(BOUTIQUE / "gateway-istio.yaml")]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_hosts_lists_the_boutique_entry_with_its_backend_chain(capsys: pytest.CaptureFixture[str],
                                                                boutique: list[str]) -> None:
    code, out, _ = run(capsys, "hosts", *boutique)
    assert code == 0
    head, row = out.splitlines()  # issue 11: a table with STATUS and TLS; the chain is in -o wide
    assert head.split() == ["NAMESPACE", "HOST", "PORT", "PATH", "PROTOCOL", "TLS", "STATUS", "REASON"]
    assert row.split()[:8] == ["boutique", "*", "80", "/", "(PathPrefix)", "HTTP", "-", "warn"]
    code, out, _ = run(capsys, "hosts", *boutique, "-o", "wide")
    assert code == 0
    assert "Gateway boutique/istio-gateway listener http, HTTPRoute boutique/frontend-route" in out
    assert ("Service boutique/frontend:80 -> targetPort 8080 -> endpoints unknown -> Deployment boutique/frontend"
            in out)


def test_hosts_json(capsys: pytest.CaptureFixture[str], boutique: list[str]) -> None:
    code, out, _ = run(capsys, "hosts", *boutique, "-o", "json")
    assert code == 0
    (entry,) = json.loads(out)["entries"]
    assert (entry["host"], entry["port"], entry["path"]) == ("*", 80, "/")
    assert entry["route"] == "HTTPRoute boutique/frontend-route"
    (backend,) = entry["backends"]
    assert backend["servicePort"] == {"port": 80, "name": "http", "protocol": "TCP"}
    assert backend["targetPort"] == 8080 and backend["endpoints"]["known"] is False
    assert backend["pods"] == [{"namespace": "boutique", "name": "frontend", "kind": "Deployment", "ready": None}]


def test_hosts_with_the_load_balancer_service_and_namespace_filter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "hosts", "-f", str(BOUTIQUE / "app.yaml"), "-o", "yaml")
    assert code == 0
    (entry,) = yaml.safe_load(out)["entries"]
    assert (entry["source"], entry["host"]) == ("Service boutique/frontend-external", "<pending>")
    code, out, _ = run(capsys, "hosts", "-f", str(BOUTIQUE / "app.yaml"), "-n", "elsewhere")
    assert (code, out.strip()) == (0, "nothing exposed")


def test_routes_json_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    files = [f"standard__cross-namespace-routing__{n}.yaml" for n in ("0-namespaces", "gateway", "site-route")]
    argv = [x for f in files for x in ("-f", str(GW / f))]
    code, out, _ = run(capsys, "routes", *argv, "-o", "json")
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    assert list(data) == ["routes"]
    assert [(r["kind"], r["namespace"], r["name"]) for r in data["routes"]] == [
        ("HTTPRoute", "site-ns", "home"), ("HTTPRoute", "site-ns", "login")]
    (parent,) = data["routes"][0]["parents"]
    assert parent == {
        "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "infra-ns",
                      "name": "shared-gateway", "sectionName": None, "port": None},
        "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted"},
                       {"type": "ResolvedRefs", "status": "False", "reason": "BackendNotFound"}],
    }


def test_routes_table_shows_messages_and_listener_counts(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["-f", str(GW / "standard__http-route-attachment__gateway-strict.yaml"),
            "-f", str(GW / "standard__http-route-attachment__httproute.yaml")]
    code, out, _ = run(capsys, "routes", *argv)
    assert code == 0
    assert "HTTPRoute gateway-api-example-ns2/my-route" in out
    assert "Accepted=True Accepted: attached to listener(s) prod-web" in out
    assert ("ResolvedRefs=False BackendNotFound: spec.rules[0].backendRefs[0]: "
            "Service gateway-api-example-ns2/foo-svc not found") in out
    assert "listener prod-web HTTP:80 host *: attachedRoutes 1" in out


def test_triage_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path, boutique: list[str]) -> None:
    healthy = write_docs(tmp_path / "healthy.yaml", ingress_baseline())
    code, out, _ = run(capsys, "triage", "foo.bar.com/", "-f", str(healthy))
    assert code == 0, out
    assert out.splitlines()[0] == "foo.bar.com/: 1 entry answers it [ok]"
    assert "  ok   netpol    allowed from the controller" in out
    code, out, _ = run(capsys, "triage", "shop.example.com/cart", *boutique)
    assert code == 1
    assert "  WARN endpoints unknown: no EndpointSlices in the state (manifests)" in out
    code, out, err = run(capsys, "triage", "nowhere.example.com/", "-f", str(healthy))
    assert code == 2
    assert "no exposed entry serves nowhere.example.com/" in err
    code, _, err = run(capsys, "triage", "/just-a-path", "-f", str(healthy))
    assert code == 2 and "give HOST[/PATH]" in err


def test_triage_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    docs = [d for d in ingress_baseline() if d["kind"] != "Secret"]
    path = write_docs(tmp_path / "no-secret.yaml", docs)
    code, out, _ = run(capsys, "triage", "foo.bar.com", "-f", str(path), "-o", "json")
    assert code == 1
    data = json.loads(out)
    (chain,) = data["chains"]
    # manifests with no Secret at all: a missing TLS Secret is a warning (it may live elsewhere)
    assert (data["found"], data["status"], chain["status"]) == (True, "warn", "warn")
    tls = next(lk for lk in chain["links"] if lk["link"] == "tls")
    assert (tls["status"], tls["object"]) == ("warn", "Secret default/tls-secret")
    assert tls["reason"].endswith("(no Secrets in the manifests)")
    assert [lk["status"] for lk in chain["links"] if lk["link"] != "tls"] == ["ok"] * 8


def test_strings_from_manifests_are_made_inert(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("""
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: evil}
spec:
  rules:
  - host: "evil.example.com"
    http:
      paths:
      - path: "/\\e[31mred"
        pathType: Prefix
        backend: {service: {name: s, port: {number: 80}}}
""")
    code, out, _ = run(capsys, "hosts", "-f", str(path))
    assert code == 0
    assert "\x1b" not in out and "\\x1b" in out
