"""What the API server would refuse is reported with file and line and left out; near-miss kinds
and apiVersions are reported, never dropped silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from ktui.sources.manifests import load_paths

GW = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: %s, namespace: infra}\n"


def listeners(items: list[str]) -> str:
    return "spec:\n  gatewayClassName: envoy\n  listeners:\n" + "".join(f"  - {i}\n" for i in items)


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "m.yaml"
    path.write_text(text)
    return path, *load_paths([str(path)])


def test_a_gateway_with_a_thousand_same_named_listeners_is_refused_fast(tmp_path: Path) -> None:
    text = GW % "fanout" + listeners(["{name: http, port: 80, protocol: HTTP}"] * 1000) + "---\n" + GW % "ok" + \
        listeners(["{name: http, port: 80, protocol: HTTP}"])
    path, state, report = load(tmp_path, text)
    assert state.get("Gateway", "infra", "fanout") is None and state.get("Gateway", "infra", "ok") is not None
    (problem,) = report.problems
    assert problem.where == f"{path}:1" and "1000 listeners, more than the 64" in problem.message


@pytest.mark.parametrize(("listener", "words"), [
    ("{name: a, port: 80, protocol: HTTP}\n  - {name: a, port: 81, protocol: HTTP}", "must be unique"),
    ("{name: a, port: 70000, protocol: HTTP}", "70000 is not in 1-65535"),
    ("{name: a, port: 0, protocol: HTTP}", "0 is not in 1-65535"),
    ("{name: a, port: 80, protocol: 'HT TP'}", "not a protocol name"),
    ("{name: a, port: 80, protocol: TCP, hostname: x.example.com}", "hostname: not allowed"),
    ("{name: a, port: 80, protocol: HTTP, tls: {mode: Terminate}}", "tls: not allowed"),
    ("{name: a, port: 80, protocol: HTTP}\n  - {name: b, port: 80, protocol: HTTP}", "combination must be unique"),
])
def test_gateway_listeners_the_crd_refuses(tmp_path: Path, listener: str, words: str) -> None:
    path, state, report = load(tmp_path, GW % "bad" + listeners([listener]))
    assert state.get("Gateway", "infra", "bad") is None
    (problem,) = report.problems
    assert problem.where == f"{path}:1" and "Gateway infra/bad" in problem.message and words in problem.message


def test_an_unknown_protocol_is_reported_and_the_gateway_loads(tmp_path: Path) -> None:
    path, state, report = load(tmp_path, GW % "odd" + listeners(["{name: a, port: 80, protocol: FOO}",
                                                                  "{name: b, port: 81, protocol: example.com/x}"]))
    assert state.get("Gateway", "infra", "odd") is not None
    (problem,) = report.problems
    assert problem.where == f"{path}:1" and "'FOO'" in problem.message and "UnsupportedProtocol" in problem.message


@pytest.mark.parametrize(("spec", "words"), [
    ("{ports: [{port: 70000}]}", "spec.ports[0].port: 70000"),
    ("{type: NodePort, ports: [{port: 80, nodePort: 99999}]}", "nodePort: 99999"),
    ("{ports: [{port: 80, targetPort: 0x7fffffff}]}", "targetPort"),
    ("{ports: [{port: 80, protocol: ICMP}]}", "'ICMP' is not TCP, UDP or SCTP"),
    ("{ports: [{port: 80, name: a}, {port: 80, name: b}]}", "repeats spec.ports[0]"),
    ("{externalIPs: ['fe80::1%eth0'], ports: [{port: 80}]}", "has a zone"),
    ("{type: LoadBalancer, loadBalancerSourceRanges: ['fe80::%eth0/64'], ports: [{port: 80}]}", "has a zone"),
])
def test_service_fields_the_api_refuses(tmp_path: Path, spec: str, words: str) -> None:
    text = f"apiVersion: v1\nkind: Service\nmetadata: {{name: bad, namespace: shop}}\nspec: {spec}\n"
    path, state, report = load(tmp_path, text)
    assert state.get("Service", "shop", "bad") is None
    (problem,) = report.problems
    assert problem.where == f"{path}:1" and words in problem.message


def test_a_cidr_with_a_zone_rejects_the_policy(tmp_path: Path) -> None:
    text = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: z, namespace: shop}\n"
            "spec: {podSelector: {}, egress: [{to: [{ipBlock: {cidr: 'fe80::1%eth0/64'}}]}]}\n")
    _, state, report = load(tmp_path, text)
    assert state.policies("shop") == [] or not list(state.policies("shop"))
    assert any("has a zone" in p.message for p in report.problems)


@pytest.mark.parametrize(("head", "words"), [
    ("apiVersion: networking.k8s.io/v1\nkind: Networkpolicy", "did you mean NetworkPolicy"),
    ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicies", "did you mean NetworkPolicy"),
    ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolcy", "did you mean NetworkPolicy"),
    ("apiVersion: v1\nkind: NetworkPolicy", "does not serve NetworkPolicy (it is networking.k8s.io/v1)"),
    ("apiVersion: networking.k8s.io/v9\nkind: NetworkPolicy", "has no version 'v9'"),
])
def test_near_miss_kinds_and_api_versions_are_reported(tmp_path: Path, head: str, words: str) -> None:
    path, state, report = load(tmp_path, head + "\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n")
    assert not list(state.policies("shop"))
    (problem,) = report.problems
    assert problem.where == f"{path}:1" and words in problem.message
    assert not report.skipped_kinds


def test_other_kinds_stay_quietly_skipped(tmp_path: Path) -> None:
    text = "".join(f"---\napiVersion: v1\nkind: {k}\nmetadata: {{name: x}}\n"
                   for k in ("Endpoints", "ConfigMap", "ServiceAccount", "Role", "Widget"))
    _, _, report = load(tmp_path, text)
    assert not report.problems and sum(report.skipped_kinds.values()) == 5
