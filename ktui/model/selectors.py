"""Label selectors (matchLabels + matchExpressions) and their matching.

Validation follows the API server: an unknown operator, In/NotIn without values, or
Exists/DoesNotExist with values make the selector invalid, and the object holding it is rejected
with a message naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


class SelectorError(ValueError):
    """A malformed label selector; the message says which part is wrong."""


class Requirement(msgspec.Struct, frozen=True, gc=False):
    key: str = ""
    operator: str = ""
    values: list[str] | None = None


class LabelSelector(msgspec.Struct, frozen=True, rename="camel", gc=False):
    match_labels: dict[str, str] | None = None
    match_expressions: list[Requirement] | None = None

    def is_empty(self) -> bool:
        """An empty selector matches everything."""
        return not self.match_labels and not self.match_expressions

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.match_labels:
            for key, value in self.match_labels.items():
                if labels.get(key) != value:
                    return False
        if self.match_expressions:
            for req in self.match_expressions:
                if not requirement_matches(req, labels):
                    return False
        return True

    def describe(self) -> str:
        """kubectl's rendering: `app=web,tier in (a,b)`; empty renders as `<all>`."""
        parts = [f"{k}={v}" for k, v in sorted((self.match_labels or {}).items())]
        for req in self.match_expressions or []:
            values = ",".join(req.values or [])
            if req.operator == "In":
                parts.append(f"{req.key} in ({values})")
            elif req.operator == "NotIn":
                parts.append(f"{req.key} notin ({values})")
            elif req.operator == "Exists":
                parts.append(req.key)
            else:
                parts.append(f"!{req.key}")
        return ",".join(parts) if parts else "<all>"


EMPTY_SELECTOR = LabelSelector()


def requirement_matches(req: Requirement, labels: Mapping[str, str]) -> bool:
    op = req.operator
    if op == "In":
        return req.key in labels and labels[req.key] in (req.values or ())
    if op == "NotIn":
        return req.key not in labels or labels[req.key] not in (req.values or ())
    if op == "Exists":
        return req.key in labels
    if op == "DoesNotExist":
        return req.key not in labels
    return False


def validate_selector(sel: LabelSelector | None, where: str) -> None:
    """Raise SelectorError naming `where` when the selector would be refused by the API."""
    if sel is None:
        return
    for i, req in enumerate(sel.match_expressions or []):
        at = f"{where}.matchExpressions[{i}]"
        if not req.key:
            raise SelectorError(f"{at}: key is required")
        if req.operator not in OPERATORS:
            raise SelectorError(
                f"{at}: operator {req.operator!r} is not one of {', '.join(OPERATORS)}"
            )
        if req.operator in ("In", "NotIn") and not req.values:
            raise SelectorError(f"{at}: operator {req.operator} needs at least one value")
        if req.operator in ("Exists", "DoesNotExist") and req.values:
            raise SelectorError(f"{at}: operator {req.operator} takes no values")


def selector_from_map(labels: Mapping[str, str] | None) -> LabelSelector | None:
    """A Service-style selector (a plain map); None or empty selects nothing for Services."""
    if not labels:
        return None
    return LabelSelector(match_labels=dict(labels))
