"""Manifest text -> documents, where one bad document never costs the others.

A YAML stream is cut at its document markers (`---` / `...` at column 0, which end a document
whatever it holds, per the YAML spec) and each document is parsed on its own: an error names
the file and line and drops that document only, everything before and after it loads.

Before a document that defines an anchor is constructed its node graph is inspected: aliases are
counted as they would expand (a 600-byte "billion laughs" expands to hundreds of millions of
values; the check is go-yaml's idea: a document whose aliases expand it more than ALIAS_RATIO times
and past ALIAS_MIN values is refused) and recursive aliases are refused. A document with no anchor
has no alias (the composer refuses an undefined one), so it skips that walk. Duplicate keys in one
mapping are reported with both lines while the document is constructed (the last one wins, as in
the JSON the API server would receive).

The C parser composes; the documents are then built by yaml_construct (the common nodes directly,
the rest by PyYAML's SafeConstructor) and plain scalars' tags are remembered by their text: the
same documents and problems as PyYAML's own construction (_LegacyLoader, kept for the tests that
prove it), in about half the time on large rendered manifests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import msgspec
import yaml

from ktui.sources import yaml_construct
from ktui.sources.base import Problem

_PLAIN_TAGS = yaml_construct.PLAIN_TAGS
_SCALAR, _MAPPING = yaml.ScalarNode, yaml.MappingNode
_STR, _SEQ, _MAP = yaml_construct.STR, yaml_construct.SEQ, yaml_construct.MAP

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# an anchor (`&name`) as a node property: after a line start, white space or a flow/block indicator
_ANCHOR = re.compile(r"(?:^|[\s\[{,:?-])&[^\s\]{},]", re.MULTILINE)


class _LegacyLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The C parser with the safe constructor, reporting duplicate keys as it builds mappings
    (PyYAML's own construction: the reference the fast _Loader is tested against)."""

    def __init__(self, stream: str, offset: int = 0) -> None:
        super().__init__(stream)
        self.offset = offset
        self.duplicate_keys: list[Problem] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            self.duplicate_keys.extend(_duplicates(node, self.offset))
        return super().construct_mapping(node, deep=deep)


class _Loader(_LegacyLoader):
    """_LegacyLoader with yaml_construct's faster construction and resolution, same results."""

    def construct_document(self, node: yaml.Node) -> Any:
        return yaml_construct.construct_document(self, node, self.offset)

    def resolve(self, kind: type, value: str, implicit: Any) -> str:
        """Resolver.resolve where there are no path resolvers (the safe loader has none): a plain
        scalar's tag depends on its text only, and is remembered; any other node has its kind's."""
        if kind is _SCALAR:
            if implicit[0]:
                return _PLAIN_TAGS.get(value) or yaml_construct.plain_tag(self, value, implicit)
            return _STR
        return _MAP if kind is _MAPPING else _SEQ

    # the safe loader has no path resolvers: Resolver's descend/ascend would return at once
    @staticmethod
    def descend_resolver(current_node: Any, current_index: Any) -> None:
        return None

    @staticmethod
    def ascend_resolver() -> None:
        return None


ALIAS_MIN = 1_000_000
ALIAS_RATIO = 10

Document = tuple[int, Any, list[int], bool]  # first line, data, first line of each `items` entry,
# and whether values may be shared (a YAML document with an anchor: aliases refer to one value)


class Refused(Exception):
    """A document not constructed: why, and the line to name."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


_ODD_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # line breaks to str.splitlines besides \n
_SUBSTANTIAL = re.compile(r"^[^\S\n]*[^\s#%]", re.MULTILINE)  # a line neither blank, nor comment/directive


def split_documents(text: str) -> list[tuple[int, str]]:
    """(index of the first line, text) of each document; comments and directives before a
    `---` stay with the document they introduce.

    Where "\n" is the only line break the marker lines are found with str.find and only they are
    looked at (what _split_lines does line by line, ~6x faster); otherwise line by line."""
    if any(brk in text for brk in _ODD_BREAKS):
        return _split_lines(text)
    chunks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    substantial = False
    line_no = 0  # index of the line at `pos`
    pos = 0

    def flush(next_start: int) -> None:
        nonlocal current, start, substantial
        if current and substantial:
            chunks.append((start, "".join(current)))
            current, start, substantial = [], next_start, False

    for at in _markers(text):
        if at > pos:  # the lines between two markers: no boundary among them
            between = text[pos:at]
            current.append(between)
            substantial = substantial or _SUBSTANTIAL.search(between) is not None
            line_no += between.count("\n")
        end = text.find("\n", at)
        pos = len(text) if end < 0 else end + 1
        line, marker = text[at:pos], text[at:at + 3]
        if marker == "---":
            flush(line_no)
            if not current:
                start = line_no
        current.append(line)
        stripped = line.strip()
        if stripped and stripped != marker:
            substantial = True
        if marker == "...":
            substantial = True
            flush(line_no + 1)
            if not current:
                start = line_no + 1
        line_no += 1
    if pos < len(text):
        rest = text[pos:]
        current.append(rest)
        substantial = substantial or _SUBSTANTIAL.search(rest) is not None
    flush(0)
    return chunks


def _markers(text: str) -> list[int]:
    """Where the lines that are `---` or `...` (alone or before a space or tab) start, in order."""
    starts = [0] if text.startswith(("---", "...")) else []
    for token in ("\n---", "\n..."):
        at = text.find(token)
        while at >= 0:
            starts.append(at + 1)
            at = text.find(token, at + 4)
    starts.sort()
    return [at for at in starts if text[at + 3:at + 4] in ("", " ", "\t", "\n")]


def _split_lines(text: str) -> list[tuple[int, str]]:
    chunks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    substantial = False

    def flush(next_start: int) -> None:
        nonlocal current, start, substantial
        if current and substantial:
            chunks.append((start, "".join(current)))
            current, start, substantial = [], next_start, False

    for i, line in enumerate(text.splitlines(keepends=True)):
        marker = line[:3]
        boundary = marker in ("---", "...") and (len(line) == 3 or line[3] in " \t\r\n")
        if boundary and marker == "---":
            flush(i)
            if not current:
                start = i
        current.append(line)
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "%")) and not (boundary and stripped == marker):
            substantial = True
        if boundary and marker == "...":
            substantial = True  # an explicit end: whatever came before is one document
            flush(i + 1)
            if not current:
                start = i + 1
    flush(0)
    return chunks


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def inspect(root: yaml.Node, offset: int) -> None:
    """Raise Refused for recursive or exploding aliases."""
    size: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    unique = 0
    while stack:
        node, post = stack.pop()
        nid = id(node)
        if post:
            visiting.discard(nid)
            size[nid] = 1 + sum(size[id(c)] for c in _children(node))
            continue
        if nid in size:
            continue
        if nid in visiting:
            raise Refused(node.start_mark.line + 1 + offset, "recursive YAML alias: not read")
        visiting.add(nid)
        unique += 1
        stack.append((node, True))
        for child in _children(node):
            if id(child) in visiting:
                raise Refused(child.start_mark.line + 1 + offset, "recursive YAML alias: not read")
            if id(child) not in size:
                stack.append((child, False))
    expanded = size[id(root)]
    if expanded > ALIAS_MIN and expanded > ALIAS_RATIO * unique:
        raise Refused(root.start_mark.line + 1 + offset,
                      f"YAML aliases expand this document to {expanded:.3g} values (from {unique} written): "
                      "not read")


def _duplicates(node: yaml.MappingNode, offset: int) -> list[Problem]:
    first: dict[str, int] = {}
    out: list[Problem] = []
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value == "<<":
            continue
        line = key.start_mark.line + 1 + offset
        if key.value in first:
            out.append(Problem(str(line), f"duplicate key {key.value!r} in one mapping (first at line "
                                          f"{first[key.value]}); the last one is used"))
        else:
            first[key.value] = line
    return out


def _item_lines(node: Any, offset: int) -> list[int]:
    """Where each entry of a top-level `items:` sequence starts, so list items get their own line."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "items" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 + offset for item in value.value]
    return []


def _yaml_problem(path: str, offset: int, exc: Exception) -> Problem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1 + offset}" if mark is not None else f"{path}:{offset + 1}"
        return Problem(where, f"invalid YAML: {exc.problem or exc}")
    if isinstance(exc, RecursionError):
        return Problem(f"{path}:{offset + 1}", "invalid YAML: nested too deeply")
    if isinstance(exc, (LookupError, AttributeError)):  # `!!bool maybe`, `!!int ''`, `!!timestamp x`
        return Problem(f"{path}:{offset + 1}", "invalid YAML: a value does not fit its tag")
    return Problem(f"{path}:{offset + 1}", f"invalid YAML: {exc}")


def yaml_documents(text: str, path: str, problems: list[Problem]) -> Iterator[Document]:
    """Every document that parses; a Problem (file:line) for each one that does not."""
    return _yaml_documents(text, path, problems, _Loader)


def _yaml_documents(text: str, path: str, problems: list[Problem], loader_class: type) -> Iterator[Document]:
    for offset, chunk in split_documents(text):
        loader = loader_class(chunk, offset)
        anchored = "&" in chunk and _ANCHOR.search(chunk) is not None
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                if anchored:
                    inspect(node, offset)
                line = node.start_mark.line + 1 + offset
                data = loader.construct_document(node)
                problems.extend(Problem(f"{path}:{w.where}", w.message) for w in loader.duplicate_keys)
                loader.duplicate_keys.clear()
                yield line, data, _item_lines(node, offset), anchored
        except Refused as exc:
            problems.append(Problem(f"{path}:{exc.line}", exc.message))
        except (yaml.YAMLError, RecursionError, ValueError, OverflowError, LookupError, AttributeError) as exc:
            problems.append(_yaml_problem(path, offset, exc))
        finally:
            loader.dispose()


def documents(text: str, path: str, problems: list[Problem]) -> Iterator[Document]:
    if path.endswith(".json"):
        try:
            yield 1, msgspec.json.decode(text), [], False
        except (msgspec.DecodeError, RecursionError) as exc:
            problems.append(Problem(path, f"invalid JSON: {exc}"))
    else:
        yield from yaml_documents(text, path, problems)
