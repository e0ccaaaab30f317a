"""The shared realistic corpus: no false positives on its clean cases, the known issues found."""

from __future__ import annotations

from pathlib import Path

import pytest

from ktui.analysis.findings.catalogue import Finding, Severity
from ktui.analysis.findings.checks import findings
from ktui.sources.manifests import load_paths


def check(*paths: Path) -> list[Finding]:
    state, report = load_paths([str(p) for p in paths])
    return findings(state, report.problems)


@pytest.fixture(scope="module")
def real(corpus: Path) -> Path:
    return corpus / "realistic"


def test_boutique_policies_only_the_deliberately_open_egress(real):
    ob = real / "online-boutique"
    found = check(ob / "app.yaml", ob / "network-policies.yaml")
    assert {f.code for f in found} == {"KTUI-NP002", "KTUI-NP008"}
    assert len([f for f in found if f.code == "KTUI-NP002"]) == 12
    shadowed = next(f for f in found if f.code == "KTUI-NP008")
    assert (shadowed.object.name, shadowed.detail) == ("deny-all", "egress")
    assert shadowed.object.path and shadowed.object.path.endswith("network-policies.yaml")
    assert max(f.severity.rank for f in found) < Severity.HIGH.rank


def test_boutique_gateway_and_gke_ingress_are_clean_for_exposure(real):
    ob = real / "online-boutique"
    for extra in ("gateway-istio.yaml", "ingress-gke-https-frontend-domain.yaml"):
        found = check(ob / "app.yaml", ob / "network-policies.yaml", ob / extra)
        assert {f.code for f in found} == {"KTUI-NP002", "KTUI-NP008"}, extra


def test_netpol_recipes_alone_raise_nothing(real):
    for path in sorted((real / "netpol-recipes").glob("*.yaml")):
        assert check(path) == [], path.name


def test_gateway_examples_with_their_parts(real):
    gw = real / "gateway-api-examples"
    attach = check(*sorted(gw.glob("standard__http-route-attachment__*.yaml")))
    assert attach == []
    cross = check(*sorted(gw.glob("standard__cross-namespace-routing__*.yaml")))
    assert {f.code for f in cross} == {"KTUI-EX004"}  # its certificate Secret is not in the examples
    assert all(f.severity is Severity.MEDIUM for f in cross)
    granted = check(gw / "standard__tls-cert-cross-namespace.yaml")  # the grant is there: no EX008
    assert [f.code for f in granted] == ["KTUI-EX004"]


def test_ingress_examples_with_their_backend(real):
    ie = real / "ingress-examples"
    svc = ie / "ingress-nginx__examples__http-svc.yaml"
    found = check(svc, ie / "ingress-nginx__examples__tls-termination__ingress.yaml")
    assert not {"KTUI-EX001", "KTUI-EX002", "KTUI-EX003"} & {f.code for f in found}
    assert {f.code: f.severity for f in found if f.code.startswith("KTUI-EX")} == {
        "KTUI-EX004": Severity.MEDIUM, "KTUI-EX005": Severity.INFO}
    retired = check(ie / "ingress-nginx__user-guide__k8s-122-migration__ingressclass.yaml")
    assert [(f.code, f.object.name) for f in retired] == [("KTUI-EX009", "nginx")]
