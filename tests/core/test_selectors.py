"""Label selectors: every operator, the empty selector, and validation."""

from __future__ import annotations

import pytest

from ktui.model.selectors import LabelSelector, Requirement, SelectorError, validate_selector

LABELS = {"app": "web", "tier": "front"}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        (LabelSelector(), True),
        (LabelSelector(match_labels={}), True),
        (LabelSelector(match_labels={"app": "web"}), True),
        (LabelSelector(match_labels={"app": "api"}), False),
        (LabelSelector(match_expressions=[Requirement("app", "In", ["web", "api"])]), True),
        (LabelSelector(match_expressions=[Requirement("app", "In", ["api"])]), False),
        (LabelSelector(match_expressions=[Requirement("app", "NotIn", ["api"])]), True),
        (LabelSelector(match_expressions=[Requirement("missing", "NotIn", ["x"])]), True),
        (LabelSelector(match_expressions=[Requirement("tier", "Exists")]), True),
        (LabelSelector(match_expressions=[Requirement("missing", "Exists")]), False),
        (LabelSelector(match_expressions=[Requirement("missing", "DoesNotExist")]), True),
        (LabelSelector(match_labels={"app": "web"},
                       match_expressions=[Requirement("tier", "DoesNotExist")]), False),
    ],
)
def test_matching(selector: LabelSelector, expected: bool) -> None:
    assert selector.matches(LABELS) is expected


@pytest.mark.parametrize(
    ("req", "message"),
    [
        (Requirement("app", "Equals", ["x"]), "operator 'Equals'"),
        (Requirement("app", "In", []), "needs at least one value"),
        (Requirement("app", "Exists", ["x"]), "takes no values"),
        (Requirement("", "Exists"), "key is required"),
    ],
)
def test_validation_names_the_field(req: Requirement, message: str) -> None:
    with pytest.raises(SelectorError, match=message) as info:
        validate_selector(LabelSelector(match_expressions=[req]), "spec.podSelector")
    assert "spec.podSelector.matchExpressions[0]" in str(info.value)


def test_describe_like_kubectl() -> None:
    sel = LabelSelector(match_labels={"app": "web"},
                        match_expressions=[Requirement("tier", "In", ["a", "b"]), Requirement("x", "DoesNotExist")])
    assert sel.describe() == "app=web,tier in (a,b),!x"
    assert LabelSelector().describe() == "<all>"
