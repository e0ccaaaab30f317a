"""The Calico selector language (Calico reference, "Selectors"): operators, precedence, errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ktui.model.calico_selector import CalicoSelectorError, parse_selector

L = {"app": "web", "tier": "frontend", "env": "prod-eu", "k8s/name": "x"}


@pytest.mark.parametrize(("text", "expected"), [
    ("", True),
    ("all()", True),
    ("!all()", False),
    ("app == 'web'", True),
    ('app == "api"', False),
    ("app != 'api'", True),
    ("missing != 'x'", True),  # "without label k or with a different value"
    ("tier in {'frontend', 'backend'}", True),
    ("tier not in {'frontend'}", False),
    ("missing not in {'a'}", True),
    ("has(app)", True),
    ("!has(app)", False),
    ("has(k8s/name)", True),
    ("env starts with 'prod'", True),
    ("env ends with '-eu'", True),
    ("env contains 'od-e'", True),
    ("missing contains ''", False),
    ("global()", False),
    ("app == 'web' && tier == 'backend'", False),
    ("app == 'web' || tier == 'backend'", True),
    # precedence: ! binds tighter than &&, && tighter than || (the reference's worked example)
    ("! has(app) || env starts with 'prod' && tier in {'frontend','business'}", True),
    ("!(app == 'web' && has(tier))", False),
    ("(app == 'x' || app == 'web') && has(env)", True),
])
def test_operators(text: str, expected: bool) -> None:
    assert parse_selector(text).matches(L) is expected


def test_global_matches_non_namespaced_resources() -> None:
    # "Selectors": global() matches all non-namespaced resources.
    assert parse_selector("global()").matches({}, is_global=True)


@pytest.mark.parametrize(("text", "message"), [
    ("app == 'web')", "unexpected ')' at 12"),
    ("app = 'web'", "unexpected '=' at 4"),
    ("app == web", "unexpected 'web' at 7 (expected a quoted string)"),
    ("app == 'web", "unterminated string at 7"),
    ("has(app", "unexpected end of selector at 7"),
    ("app in {'a' 'b'}", "unexpected \"'b'\" at 12"),
    ("(app == 'a'", "unexpected end of selector at 11"),
    ("app starts 'x'", "unexpected \"'x'\" at 11"),
    ("&& x", "unexpected '&&' at 0"),
])
def test_errors_name_the_offset(text: str, message: str) -> None:
    with pytest.raises(CalicoSelectorError) as err:
        parse_selector(text)
    assert message in str(err.value)


def test_error_names_the_object_when_decoded() -> None:
    from ktui.model.decode import DecodeError, decode_document

    doc = {"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
           "metadata": {"name": "p", "namespace": "ns"}, "spec": {"selector": "app == 'web')"}}
    with pytest.raises(DecodeError) as err:
        decode_document(doc)
    assert str(err.value).startswith("CalicoNetworkPolicy ns/p: spec.selector: unexpected ')' at 12")


KEYS = st.sampled_from(["app", "tier", "env", "zone"])
VALUES = st.sampled_from(["a", "b", "web", "x y"])
LABELS = st.dictionaries(KEYS, VALUES, max_size=4)


@st.composite
def selectors(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        k, v = draw(KEYS), draw(VALUES)
        return draw(st.sampled_from([f"{k} == '{v}'", f"{k} != '{v}'", f"has({k})", f"!has({k})",
                                     f"{k} in {{'{v}', 'zz'}}", f"{k} not in {{'{v}'}}", "all()",
                                     f"{k} starts with '{v[:1]}'", f"{k} ends with '{v[-1:]}'",
                                     f"{k} contains '{v[1:2]}'"]))
    a, b = draw(selectors(depth - 1)), draw(selectors(depth - 1))
    return draw(st.sampled_from([f"({a}) && ({b})", f"({a}) || ({b})", f"!({a})"]))


@given(selectors(), LABELS)
def test_canonical_text_parses_to_the_same_meaning(text: str, labels: dict[str, str]) -> None:
    parsed = parse_selector(text)
    again = parse_selector(parsed.root.text())
    assert parsed.matches(labels) == again.matches(labels)


@given(selectors(), selectors(), LABELS)
def test_boolean_algebra(a: str, b: str, labels: dict[str, str]) -> None:
    pa, pb = parse_selector(a).matches(labels), parse_selector(b).matches(labels)
    assert parse_selector(f"({a}) && ({b})").matches(labels) == (pa and pb)
    assert parse_selector(f"({a}) || ({b})").matches(labels) == (pa or pb)
    assert parse_selector(f"!({a})").matches(labels) == (not pa)


def test_hostile_selectors_are_one_line_errors() -> None:
    for text in ("(" * 5000 + "all()" + ")" * 5000, "!" * 5000 + "all()", "a == '" + "x" * 100000):
        with pytest.raises(CalicoSelectorError) as err:
            parse_selector(text)
        assert "\n" not in str(err.value) and len(str(err.value)) < 200
    assert parse_selector("(" * 30 + "has(a)" + ")" * 30).matches({"a": "1"})
