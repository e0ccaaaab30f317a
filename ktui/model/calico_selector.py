"""Calico's label selector language: parsed once, matched against label maps.

Grammar (Calico reference, "Selectors"): match operators `k == 'v'`, `k != 'v'`,
`k in {'a','b'}`, `k not in {...}`, `has(k)`, `k contains 's'`, `k starts with 's'`,
`k ends with 's'`, `all()`, `global()`; then parentheses, `!`, `&&`, `||` (lowest). An empty
selector means all(). Malformed text raises CalicoSelectorError with the offset of the fault
("unexpected ')' at 12"), which the validators prefix with the object and field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache


class CalicoSelectorError(ValueError):
    """A selector Calico would refuse; the message says what and where (0-based offset)."""


@dataclass(frozen=True, slots=True)
class Node:
    """One node of a parsed selector. op: all, global, has, eq, ne, in, notin, contains,
    starts, ends, not, and, or."""

    op: str
    key: str = ""
    values: tuple[str, ...] = ()
    children: tuple[Node, ...] = ()

    def matches(self, labels: Mapping[str, str], is_global: bool = False) -> bool:
        op = self.op
        if op == "eq":
            return labels.get(self.key) == self.values[0]
        if op == "and":
            return all(c.matches(labels, is_global) for c in self.children)
        if op == "or":
            return any(c.matches(labels, is_global) for c in self.children)
        if op == "not":
            return not self.children[0].matches(labels, is_global)
        if op == "all":
            return True
        if op == "global":
            return is_global
        if op == "has":
            return self.key in labels
        value = labels.get(self.key)
        if op == "ne":
            return value != self.values[0]
        if op == "notin":
            return value is None or value not in self.values
        if value is None:
            return False
        if op == "in":
            return value in self.values
        if op == "contains":
            return self.values[0] in value
        if op == "starts":
            return value.startswith(self.values[0])
        if op == "ends":
            return value.endswith(self.values[0])
        return False

    def text(self) -> str:
        """A canonical rendering (for words and for tests that parse it again)."""
        op = self.op
        if op in ("all", "global"):
            return f"{op}()"
        if op == "has":
            return f"has({self.key})"
        if op in ("and", "or"):
            sep = " && " if op == "and" else " || "
            return "(" + sep.join(c.text() for c in self.children) + ")"
        if op == "not":
            return "!" + self.children[0].text()
        if op in ("in", "notin"):
            vals = ", ".join(_quote(v) for v in self.values)
            return f"{self.key} {'in' if op == 'in' else 'not in'} {{{vals}}}"
        word = {"eq": "==", "ne": "!=", "contains": "contains", "starts": "starts with", "ends": "ends with"}[op]
        return f"{self.key} {word} {_quote(self.values[0])}"


def _quote(v: str) -> str:
    return f'"{v}"' if "'" in v else f"'{v}'"


@dataclass(frozen=True, slots=True)
class CalicoSelector:
    """A parsed selector with the text it was written as."""

    source: str
    root: Node

    def matches(self, labels: Mapping[str, str], is_global: bool = False) -> bool:
        return self.root.matches(labels, is_global)

    @property
    def is_all(self) -> bool:
        return self.root.op == "all"

    def __str__(self) -> str:
        return self.source.strip() or "all()"


ALL = CalicoSelector("all()", Node("all"))
MAX_DEPTH = 64  # parentheses and negations; deeper selectors are refused (no recursion limit reached)

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<op>&&|\|\||==|!=|!|\(|\)|\{|\}|,)
    | (?P<str>"[^"]*"|'[^']*')
    | (?P<word>[A-Za-z0-9_./\-]+)
    )""",
    re.X,
)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # op, str, word, end
    text: str
    pos: int


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    n = len(text)
    while pos < n:
        if text[pos].isspace():
            pos += 1
            continue
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            ch = text[pos]
            if ch in "\"'":
                raise CalicoSelectorError(f"unterminated string at {pos}")
            raise CalicoSelectorError(f"unexpected {ch!r} at {pos}")
        kind = m.lastgroup or "op"
        start = m.start(kind)
        out.append(_Tok(kind, m.group(kind), start))
        pos = m.end()
    out.append(_Tok("end", "", n))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> _Tok:
        return self.toks[min(self.i + offset, len(self.toks) - 1)]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def fail(self, tok: _Tok, wanted: str = "") -> CalicoSelectorError:
        what = "end of selector" if tok.kind == "end" else repr(tok.text)
        tail = f" (expected {wanted})" if wanted else ""
        return CalicoSelectorError(f"unexpected {what} at {tok.pos}{tail}")

    def expect(self, text: str) -> _Tok:
        tok = self.take()
        if tok.text != text or tok.kind not in ("op", "word"):
            raise self.fail(tok, repr(text))
        return tok

    def parse(self) -> Node:
        node = self.or_expr()
        tok = self.peek()
        if tok.kind != "end":
            raise self.fail(tok, "'&&', '||' or the end")
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.peek().text == "||" and self.peek().kind == "op":
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Node("or", children=tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.unary()]
        while self.peek().text == "&&" and self.peek().kind == "op":
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else Node("and", children=tuple(parts))

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("!", "("):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise CalicoSelectorError(f"nested deeper than {MAX_DEPTH} at {tok.pos}")
            self.take()
            if tok.text == "!":
                node = Node("not", children=(self.unary(),))
            else:
                node = self.or_expr()
                self.expect(")")
            self.depth -= 1
            return node
        return self.match()

    def string(self) -> str:
        tok = self.take()
        if tok.kind != "str":
            raise self.fail(tok, "a quoted string")
        return tok.text[1:-1]

    def match(self) -> Node:
        tok = self.take()
        if tok.kind != "word":
            raise self.fail(tok, "a label, has(), all() or global()")
        nxt = self.peek()
        if tok.text in ("all", "global", "has") and nxt.text == "(" and nxt.kind == "op":
            self.take()
            if tok.text == "has":
                ktok = self.take()
                if ktok.kind != "word":
                    raise self.fail(ktok, "a label key")
                self.expect(")")
                return Node("has", ktok.text)
            self.expect(")")
            return Node(tok.text)
        key = tok.text
        op = self.take()
        if op.kind == "op" and op.text in ("==", "!="):
            return Node("eq" if op.text == "==" else "ne", key, (self.string(),))
        if op.kind == "word":
            if op.text == "in":
                return Node("in", key, self.value_set())
            if op.text == "not":
                self.expect("in")
                return Node("notin", key, self.value_set())
            if op.text == "contains":
                return Node("contains", key, (self.string(),))
            if op.text in ("starts", "ends"):
                self.expect("with")
                return Node("starts" if op.text == "starts" else "ends", key, (self.string(),))
        raise self.fail(op, "an operator (==, !=, in, not in, contains, starts with, ends with)")

    def value_set(self) -> tuple[str, ...]:
        self.expect("{")
        values: list[str] = []
        if self.peek().text == "}" and self.peek().kind == "op":
            self.take()
            return ()
        while True:
            values.append(self.string())
            tok = self.take()
            if tok.kind == "op" and tok.text == "}":
                return tuple(values)
            if not (tok.kind == "op" and tok.text == ","):
                raise self.fail(tok, "',' or '}'")


@lru_cache(maxsize=4096)
def parse_selector(text: str) -> CalicoSelector:
    """Parse a selector; the empty string is all(). Raises CalicoSelectorError."""
    if not text.strip():
        return ALL
    return CalicoSelector(text, _Parser(text).parse())
