"""The findings behind `ktui check`: the catalogue (codes, severities, fixes) and the checks,
registered once in checks.REGISTRY. Other packages import these names from here."""

from ktui.analysis.findings.catalogue import CATALOGUE, Finding, ObjectRef, Severity, resolve_code
from ktui.analysis.findings.checks import (
    REGISTRY,
    ProblemLike,
    RegisteredCheck,
    at_or_above,
    findings,
    namespace_scores,
    problem_findings,
)
from ktui.analysis.findings.cni import CniVerdict, Enforcement, detect_cni
from ktui.analysis.findings.context import CheckContext

__all__ = [
    "CATALOGUE",
    "REGISTRY",
    "CheckContext",
    "CniVerdict",
    "Enforcement",
    "Finding",
    "ObjectRef",
    "ProblemLike",
    "RegisteredCheck",
    "Severity",
    "at_or_above",
    "detect_cni",
    "findings",
    "namespace_scores",
    "problem_findings",
    "resolve_code",
]
