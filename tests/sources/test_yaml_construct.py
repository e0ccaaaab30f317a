"""The fast YAML construction (ktui.sources.yaml_construct) against PyYAML's own (_LegacyLoader):
same documents, same sharing of aliased values, same problems (duplicate keys, errors, lines), on
generated YAML full of tricky scalars, anchors, merge keys, odd tags and bad keys, and on the corpus."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ktui.sources import manifests_yaml
from ktui.sources.base import Problem
from tests.conftest import CORPUS

# plain scalars of every implicit type, and near misses
TOKENS = ["yes", "No", "ON", "off", "y", "n", "true", "False", "TRUE", "~", "null", "Null", "NULL", "",
          "0", "-0", "+1", "017", "0o17", "0x1F", "-0x1f", "0b101", "1_000", "190:20:30", "-1:30",
          "3.14", "1e3", "1.0e+3", "6.8523015e+5", "685.230_15e+03", "190:20:30.15", ".inf", "-.Inf",
          "+.INF", ".nan", "-.NaN", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
          "2001-12-14 21:59:43.10", "2002-1-1", "<<", "=", "a b", "name", "shop", "80", "http",
          "9999999999999999999999", "1.", ".5", "0.", "12e", "0x", "08", "0b2", "1__0", "_1", "1:2:3",
          "é", "x-y", "TCP"]
KEYS = ["name", "kind", "a", "b", "80", "1", "yes", "~", "<<", "=", "1_0", "10"]
TAGS = ["!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!binary", "!!set", "!!omap",
        "!!pairs", "!!map", "!!seq", "!!merge", "!!value", "!custom", "!!python/tuple", "!"]


class Writer:
    """Draws one YAML document interactively, so aliases can name anchors already written."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.anchors: list[str] = []
        self.open: list[str] = []  # anchors of the collections being written (an alias to one recurses)

    def draw(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.data.draw(strategy)

    def props(self, collection: bool = False) -> str:
        out = []
        if self.draw(st.integers(0, 24)) == 0:
            out.append(self.draw(st.sampled_from(TAGS)))
        if self.draw(st.integers(0, 5)) == 0:
            name = f"a{len(self.anchors)}"
            self.anchors.append(name)
            out.append("&" + name)
            if collection:
                self.open.append(name)
        return " ".join(out) + " " if out else ""

    def scalar(self, flow: bool, pool: list[str] = TOKENS) -> str:
        text = self.draw(st.sampled_from(pool))
        style = self.draw(st.sampled_from("pppps'\""))
        if style == "s":
            body = "'" + text.replace("'", "''") + "'"
        elif style == '"':
            body = json.dumps(text)
        else:
            body = text if text or not flow else "''"
        return (self.props() + body).rstrip() if body else self.props().rstrip()

    def alias(self) -> str | None:
        closed = [a for a in self.anchors if a not in self.open or self.draw(st.integers(0, 9)) == 0]
        if closed and self.draw(st.integers(0, 6)) == 0:
            return "*" + self.draw(st.sampled_from(closed))
        return None

    def flow(self, depth: int) -> str:
        alias = self.alias()
        if alias:
            return alias
        kind = self.draw(st.sampled_from("sssm q" if depth > 0 else "s"))
        if kind == "s" or kind == " ":
            return self.scalar(flow=True)
        props, opened = self.props(collection=True), len(self.open)
        n = self.draw(st.integers(0, 3))
        if kind == "q":
            text = props + "[" + ", ".join(self.flow(depth - 1) for _ in range(n)) + "]"
        else:
            text = props + "{" + ", ".join(f"{self.key(depth - 1)}: {self.flow(depth - 1)}" for _ in range(n)) + "}"
        del self.open[opened - 1 if props.count("&") else opened:]
        return text

    def key(self, depth: int) -> str:
        if depth > 0 and self.draw(st.integers(0, 12)) == 0:  # a collection as a key
            return self.flow(depth)
        return self.alias() or self.scalar(flow=True, pool=KEYS)

    def block(self, depth: int, indent: int) -> list[str]:
        """Lines of a block collection at `indent` (or one flow line for a leaf)."""
        pad = " " * indent
        kind = self.draw(st.sampled_from("mq" if depth > 0 else "f"))
        lines: list[str] = []
        for _ in range(self.draw(st.integers(1, 4))):
            if kind == "m":
                if self.draw(st.integers(0, 8)) == 0:  # a merge key
                    targets = ["{x: 1, a: 2}", "{a: [1], <<: {b: 2}}", "x", "[{x: 1}, y]"]
                    if self.anchors:
                        named = self.draw(st.lists(st.sampled_from(self.anchors), min_size=1, max_size=3))
                        targets += ["*" + named[0]] * 4 + ["[" + ", ".join("*" + a for a in named) + "]"] * 4
                    target = self.draw(st.sampled_from(targets))
                    head = f"{pad}<<: "
                    lines.append(head + target)
                    continue
                head = f"{pad}{self.key(1)}:"
            else:
                head = f"{pad}-"
            value = self.value(depth - 1, indent + 2)
            if isinstance(value, str):
                lines.append(f"{head} {value}".rstrip())
            else:
                lines.append(f"{head} {value[0]}".rstrip())
                lines.extend(value[1:])
        return lines

    def value(self, depth: int, indent: int) -> str | list[str]:
        choice = self.draw(st.integers(0, 5))
        if depth <= 0 or choice < 3:
            if choice == 0 and depth >= 0:
                text = self.draw(st.sampled_from(TOKENS)) or "x"
                return ["|", " " * indent + text]  # a block literal: always a str
            return self.flow(min(depth, 2))
        props, opened = self.props(collection=True).rstrip(), len(self.open)
        lines = [props, *self.block(depth, indent)]
        del self.open[opened - 1 if props.count("&") else opened:]
        return lines


def render(data: st.DataObject) -> str:
    docs = []
    for _ in range(data.draw(st.integers(1, 3))):
        writer = Writer(data)
        docs.append("\n".join(writer.block(data.draw(st.integers(1, 4)), 0)) + "\n")
    return "---\n".join(docs)


def signature(value: Any, seen: dict[int, int] | None = None) -> Any:
    """Value with types, NaN made comparable, and each shared list/dict after its first place a reference."""
    seen = {} if seen is None else seen
    if isinstance(value, (list, dict, set)):
        if id(value) in seen:
            return ("ref", seen[id(value)])
        seen[id(value)] = len(seen)
        if isinstance(value, dict):
            return ("map", [(signature(k, seen), signature(v, seen)) for k, v in value.items()])
        if isinstance(value, set):
            return ("set", sorted(repr(v) for v in value))
        return ("seq", [signature(v, seen) for v in value])
    if isinstance(value, tuple):
        return ("tuple", [signature(v, seen) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def load(text: str, loader: type) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    try:
        docs = [(line, signature(data), items, anchored)
                for line, data, items, anchored in manifests_yaml._yaml_documents(text, "f.yaml", problems, loader)]
    except Exception as exc:  # an escaping error must be the same error
        return ("raised", type(exc).__name__, str(exc)), problems
    return docs, problems


def assert_same(text: str) -> None:
    assert load(text, manifests_yaml._Loader) == load(text, manifests_yaml._LegacyLoader), text


NIGHTLY = 25  # the nightly marker multiplies the budget (pytest -m nightly; CI deselects it)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_yaml_loads_as_pyyaml_loads_it(data: st.DataObject) -> None:
    assert_same(render(data))


@pytest.mark.nightly
@settings(max_examples=300 * NIGHTLY, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_yaml_loads_as_pyyaml_loads_it_nightly(data: st.DataObject) -> None:
    assert_same(render(data))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab01 :-.,[]{}&*!|>'\"#%?<=~\n\t\r\x85\u2028é")), max_size=120))
def test_any_text_loads_as_pyyaml_loads_it(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\nb: {a: 1, a: 3}\n",
    "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n  y: 4\n",
    "a: &a {k: 1, <<: {k: 2, j: 3}}\nb: {<<: *a}\nc:\n  deep: {<<: [*a, {z: 1}]}\n",
    "=: x\ny: {=: 1, =: 2}\n",
    "'<<': 1\n\"<<\": 2\n? !!str <<\n: 3\n",
    "x: =\n",
    "[a, b]: 1\n",
    "? {a: 1}\n: 2\n",
    "? !!set {a, b}\n: 2\n",
    "t: !!timestamp 2001-12-14\nb: !!binary aGVsbG8=\ns: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\n",
    "p: !!pairs [{a: 1}, {a: 2}]\nu: !custom x\n",
    "k: !!map x\n", "k: !!str {a: 1}\n", "k: !!str {=: v}\n", "k: !!int ''\n", "k: !!bool maybe\n",
    "i: [0x1F, 0o17, 017, 0b11, 1_000, 190:20:30, -0, +12]\nf: [.inf, -.Inf, .NaN, 1_0.5, 1:30.5, 1e3]\n",
    "s: &s [1, 2]\nt: [*s, *s]\nu: {k: *s}\n",
    "a: &a [*a]\n",
    "a: &r {x: *r}\n---\nfine: 1\n",
    "a: &s x\nb: *s\n*s : 1\n",
    "a: 1\n---\nb: [\n---\nc: 2\n",
    "items:\n  - a: 1\n  - b: 2\n    b: 3\n",
])
def test_chosen_cases_load_as_pyyaml_loads_them(text: str) -> None:
    assert_same(text)


def test_shared_values_stay_shared() -> None:
    problems: list[Problem] = []
    ((_, data, _, anchored),) = manifests_yaml.yaml_documents("s: &s [1]\nt: [*s, *s]\n", "f.yaml", problems)
    assert anchored and data["t"][0] is data["s"] and data["t"][1] is data["s"]


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    problems: list[Problem] = []
    list(manifests_yaml.yaml_documents("a:\n  x: 1\n  y: 2\n  x: 3\n", "f.yaml", problems))
    assert [(p.where, p.message) for p in problems] == [
        ("f.yaml:4", "duplicate key 'x' in one mapping (first at line 2); the last one is used")]


def test_every_corpus_file_loads_as_pyyaml_loads_it() -> None:
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    assert len(files) > 50
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        assert_same(text)


LINES = ["---", "--- ", "---\t", "---x", "--- a: 1", "--- # c", "---- a", "...", "... # c", "...x", " ---",
         "# c", "  # c", "%YAML 1.1", " %x", "", " ", "\t", "\xa0", "\u3000#", "a: 1", "- b", "  c: |",
         "é", "\xa0a", "#", "%"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=12), st.booleans(), st.sampled_from(["", "\r", "\x85", "\x0c"]))
def test_documents_are_cut_as_line_by_line(lines: list[str], final: bool, odd: str) -> None:
    text = "\n".join(lines) + ("\n" if final else "")
    assert manifests_yaml.split_documents(text) == manifests_yaml._split_lines(text)
    if odd and lines:  # an odd line break: the line-by-line cut itself
        text = odd.join(lines)
        assert manifests_yaml.split_documents(text) == manifests_yaml._split_lines(text)


def test_a_long_stream_is_cut_as_line_by_line() -> None:
    text = "".join(f"# doc {i}\n---\nkind: Pod\nmetadata: {{name: p{i}}}\n" + ("...\n" if i % 3 else "")
                   for i in range(200))
    chunks = manifests_yaml.split_documents(text)
    assert chunks == manifests_yaml._split_lines(text) and len(chunks) == 200


def test_tags_are_resolved_as_pyyaml_resolves_them() -> None:
    assert not manifests_yaml._Loader.yaml_path_resolvers  # what the shortcut relies on
    fast, legacy = manifests_yaml._Loader(""), manifests_yaml._LegacyLoader("")
    for text in [*TOKENS, *KEYS, "0x", "+", "-", ".", "1.2.3"]:
        for implicit in [(True, False), (False, True), (False, False), (True, True)]:
            for _ in range(2):  # the second time from the memo
                assert fast.resolve(ScalarNode, text, implicit) == legacy.resolve(ScalarNode, text, implicit)
    for kind in (SequenceNode, MappingNode):
        for flag in (True, False):
            assert fast.resolve(kind, None, flag) == legacy.resolve(kind, None, flag)
