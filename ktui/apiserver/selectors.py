"""labelSelector and fieldSelector query strings, parsed once per request into match functions.

Grammar follows k8s.io/apimachinery/pkg/labels: comma-separated requirements, each one of
`k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k>n`, `k<n`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ktui.apiserver.errors import ApiError

Matcher = Callable[[Mapping[str, Any]], bool]

_SET_RE = re.compile(r"^([^\s!=<>(),]+)\s+(in|notin)\s*\((.*)\)$")
_CMP_RE = re.compile(r"^([^\s!=<>(),]+)\s*(==|!=|=|>|<)\s*([^\s(),]*)$")
_EXISTS_RE = re.compile(r"^(!?)\s*([^\s!=<>(),]+)$")


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _requirement(text: str) -> Callable[[Mapping[str, str]], bool]:
    if m := _SET_RE.match(text):
        key, op = m.group(1), m.group(2)
        values = frozenset(v.strip() for v in m.group(3).split(",") if v.strip())
        if op == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    if m := _CMP_RE.match(text):
        key, op, value = m.groups()
        if op in ("=", "=="):
            return lambda labels: labels.get(key) == value
        if op == "!=":
            return lambda labels: labels.get(key) != value
        try:
            bound = int(value)
        except ValueError:
            raise ApiError.bad_request(f"invalid label selector: {text!r}") from None
        if op == ">":
            return lambda labels: _as_int(labels.get(key)) > bound
        return lambda labels: _as_int(labels.get(key)) < bound
    if m := _EXISTS_RE.match(text):
        negate, key = m.groups()
        if negate:
            return lambda labels: key not in labels
        return lambda labels: key in labels
    raise ApiError.bad_request(f"unable to parse requirement: {text!r}")


def _as_int(value: str | None) -> float:
    try:
        return int(value) if value is not None else float("nan")
    except ValueError:
        return float("nan")


def label_matcher(selector: str | None) -> Matcher | None:
    """A function of an object telling whether its metadata.labels match; None selects all."""
    if not selector or not selector.strip():
        return None
    reqs = [_requirement(part) for part in _split_top_level(selector)]

    def match(obj: Mapping[str, Any]) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(req(labels) for req in reqs)

    return match


def _field_value(obj: Mapping[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def field_matcher(selector: str | None) -> Matcher | None:
    """fieldSelector over any dotted path (metadata.name, metadata.namespace, status.phase...).

    Lenient where the real server is strict: it accepts only a few fields per kind.
    """
    if not selector or not selector.strip():
        return None
    reqs: list[tuple[str, bool, str]] = []
    for part in _split_top_level(selector):
        m = re.match(r"^([\w.\-/]+)\s*(==|!=|=)\s*(.*)$", part)
        if not m:
            raise ApiError.bad_request(f"invalid field selector: {part!r}")
        reqs.append((m.group(1), m.group(2) != "!=", m.group(3).strip()))

    def match(obj: Mapping[str, Any]) -> bool:
        return all((_field_value(obj, path) == value) == eq for path, eq, value in reqs)

    return match


def combine(*matchers: Matcher | None) -> Matcher | None:
    present = [m for m in matchers if m is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return lambda obj: all(m(obj) for m in present)


def single_name(selector: str | None) -> str | None:
    """The name a fieldSelector pins with metadata.name=X, so a list can skip the scan."""
    if not selector:
        return None
    for part in _split_top_level(selector):
        m = re.match(r"^metadata\.name\s*==?\s*(.*)$", part)
        if m:
            return m.group(1).strip()
    return None
