"""Findings are registered in one place (findings/checks.py REGISTRY) with the codes each check
may report; the catalogue stays the one source of codes, severities and fixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ktui.analysis.analysis import Analysis
from ktui.analysis.findings import CATALOGUE, REGISTRY
from ktui.analysis.findings.checks import PROBLEM_CODES
from ktui.sources.manifests import load_paths
from tests.conftest import CORPUS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "findings.md"


def test_every_catalogue_code_has_a_registered_check_and_no_check_claims_an_unknown_code() -> None:
    claimed = {code for check in REGISTRY for code in check.codes} | set(PROBLEM_CODES)
    assert claimed == set(CATALOGUE)


def test_each_check_is_registered_once() -> None:
    runs = [check.run for check in REGISTRY]
    assert len(runs) == len(set(runs))


def test_every_code_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert [code for code in CATALOGUE if code not in text] == []


SETS = [
    [CORPUS / "realistic" / "online-boutique" / "app.yaml"],
    [CORPUS / "realistic" / "online-boutique" / "app.yaml",
     CORPUS / "realistic" / "online-boutique" / "network-policies.yaml"],
    sorted((CORPUS / "realistic" / "gateway-api-examples").glob("standard__cross-namespace-routing__*.yaml")),
    sorted((CORPUS / "realistic" / "ingress-examples").glob("*.yaml")),
    sorted((CORPUS / "realistic" / "netpol-recipes").glob("*.yaml"))[:6],
]


@pytest.mark.parametrize("paths", SETS, ids=lambda ps: ps[0].parent.name + f"+{len(ps)}")
def test_each_check_reports_only_its_codes(paths: list[Path]) -> None:
    state, _ = load_paths([str(p) for p in paths])
    ctx = Analysis(state).check_context
    for check in REGISTRY:
        assert {f.code for f in check.run(ctx)} <= set(check.codes), check.run.__name__
