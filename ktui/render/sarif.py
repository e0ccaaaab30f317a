"""Findings as a SARIF 2.1.0 log, for code-scanning UIs and CI annotations.

Every catalogue rule is listed (so ruleIndex is stable between runs) with its help text; results
carry the manifest file and line when the object came from one, and always a logical location
(`namespace/Kind/name`). Levels: critical and high -> error, medium -> warning, low and info ->
note; `security-severity` lets code-scanning UIs rank them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ktui.analysis.findings.catalogue import RULES, Finding, Severity
from ktui.render.safe import clean

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {
    Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
    Severity.LOW: "note", Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
_RULE_INDEX = {r.code: i for i, r in enumerate(RULES)}


def artifact_uri(path: str, base: str | None = None) -> str:
    """A relative URI for files under `base` (default: the working directory), else file://.

    Percent-encoded from the path's bytes (os.fsencode), so a file name that is not UTF-8 (held
    as surrogate escapes) becomes the URI of that very file instead of an encoding error."""
    base = base if base is not None else os.getcwd()
    p = Path(path)
    if p.is_absolute():
        try:
            rel = p.resolve().relative_to(Path(base).resolve())
        except ValueError:
            return "file://" + quote(os.fsencode(p.resolve().as_posix()))
        return quote(os.fsencode(rel.as_posix()))
    return quote(os.fsencode(p.as_posix()))


def _rule(rule_index: int) -> dict[str, Any]:
    r = RULES[rule_index]
    return {
        "id": r.code,
        "name": r.slug,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.help},
        "help": {"text": f"{r.help}\nFix: {r.fix}", "markdown": f"{r.help}\n\n**Fix:** {r.fix}"},
        "defaultConfiguration": {"level": LEVELS[r.severity]},
        "properties": {"tags": ["kubernetes", "security", "network"],
                       "security-severity": SECURITY_SEVERITY[r.severity], "severity": r.severity.value},
    }


def _result(f: Finding, base: str | None) -> dict[str, Any]:
    o = f.object
    logical = {"fullyQualifiedName": clean(f"{o.namespace or '_cluster'}/{o.kind}/{o.name}"), "name": clean(o.name),
               "kind": "object"}
    location: dict[str, Any] = {"logicalLocations": [logical]}
    if o.path:
        physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(o.path, base)}}
        if o.line:
            physical["region"] = {"startLine": o.line}
        location["physicalLocation"] = physical
    return {
        "ruleId": f.code,
        "ruleIndex": _RULE_INDEX[f.code],
        "level": LEVELS[f.severity],
        "message": {"text": clean(f"{f.message}. Fix: {f.fix}")},
        "locations": [location],
        "partialFingerprints": {"ktuiFindingKey/v1": clean("|".join(f.key))},
        "properties": {"severity": f.severity.value, "slug": f.slug,
                       "object": {"kind": clean(o.kind), "namespace": clean(o.namespace), "name": clean(o.name)}},
    }


def sarif_log(found: Iterable[Finding], version: str = "0", base: str | None = None) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ktui",
                "version": version,
                "rules": [_rule(i) for i in range(len(RULES))],
            }},
            "results": [_result(f, base) for f in found],
            "columnKind": "unicodeCodePoints",
        }],
    }
