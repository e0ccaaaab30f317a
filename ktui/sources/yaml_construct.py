"""A faster SafeConstructor.construct_document and Resolver.resolve, giving exactly PyYAML's results.

Rendered manifests are almost all plain maps, sequences and str/int/bool/null/float scalars, and
PyYAML spends most of its time in generic per-node machinery around them (constructor lookup,
generators, the resolver's regex list for every scalar). `construct_document` builds those common
nodes directly and hands every other node (timestamps, binary, sets, omap/pairs, explicit or unknown
tags, a mapping with a merge key `<<` or a value key `=`) to the loader's own construct_object, so
those behave as before. It keeps PyYAML's order of work: a collection is created empty when first
met and filled one "generation" later (the loader's state_generators), so duplicate-key reports
come in the same order, and one node met twice (an alias) is one object (the loader's memo).
int/float/bool values go through SafeConstructor's own construct_yaml_int/float/bool.
"""

from __future__ import annotations

import collections.abc
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ktui.sources.base import Problem

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
# keys SafeConstructor.flatten_mapping rewrites: such a mapping is built by the loader itself
_FLATTENED = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})

PLAIN_TAGS: dict[str, str] = {}  # plain scalar text -> its implicit tag (Resolver.resolve's answer)
PLAIN_TAGS_MAX = 100_000
_RESOLVE: Any = yaml.resolver.BaseResolver.resolve


def plain_tag(loader: Any, value: str, implicit: Any) -> str:
    """Resolver.resolve of a plain scalar, remembered: the answer depends on the text only (the
    implicit resolvers are the class's, and the safe loader has no path resolvers)."""
    tag = PLAIN_TAGS.get(value)
    if tag is None:
        tag = _RESOLVE(loader, ScalarNode, value, implicit)
        if len(PLAIN_TAGS) >= PLAIN_TAGS_MAX:
            PLAIN_TAGS.clear()
        PLAIN_TAGS[value] = tag
    return str(tag)


def _duplicate(key: ScalarNode, first: ScalarNode, offset: int) -> Problem:
    line = key.start_mark.line + 1 + offset
    return Problem(str(line), f"duplicate key {key.value!r} in one mapping (first at line "
                              f"{first.start_mark.line + 1 + offset}); the last one is used")


def construct_document(loader: Any, root: yaml.Node, offset: int) -> Any:
    """What loader.construct_document(root) returns, with duplicate keys appended to
    loader.duplicate_keys in the same order and with the same messages."""
    memo: dict[yaml.Node, Any] = loader.constructed_objects
    fallback = loader.construct_object
    as_int, as_float, as_bool = loader.construct_yaml_int, loader.construct_yaml_float, loader.construct_yaml_bool
    duplicates: list[Problem] = loader.duplicate_keys

    def build(node: yaml.Node) -> Any:
        """construct_object(node) outside a deep construction."""
        cls, tag = node.__class__, node.tag
        if cls is ScalarNode:
            if tag == STR:
                return node.value
            if tag == INT:
                return as_int(node)
            if tag == BOOL:
                return as_bool(node)
            if tag == NULL:
                return None
            if tag == FLOAT:
                return as_float(node)
            return fallback(node)
        if node in memo:
            return memo[node]
        data: Any
        if cls is MappingNode and tag == MAP:
            data = {}
        elif cls is SequenceNode and tag == SEQ:
            data = []
        else:
            return fallback(node)
        memo[node] = data
        loader.state_generators.append((node, data))
        return data

    def fill_map(node: MappingNode, data: dict[Any, Any]) -> None:
        pairs = node.value
        for key_node, _ in pairs:
            if key_node.tag in _FLATTENED:
                data.update(loader.construct_mapping(node))  # merges: the loader's own way
                return
        first: dict[str, ScalarNode] = {}
        for key_node, value_node in pairs:
            if key_node.__class__ is ScalarNode:
                text = key_node.value
                if text != "<<":
                    seen = first.get(text)
                    if seen is None:
                        first[text] = key_node
                    else:
                        duplicates.append(_duplicate(key_node, seen, offset))
                key = text if key_node.tag == STR else build(key_node)
            else:
                key = build(key_node)
            if key.__class__ is not str and not isinstance(key, collections.abc.Hashable):
                raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                        "found unhashable key", key_node.start_mark)
            if value_node.__class__ is ScalarNode and value_node.tag == STR:
                data[key] = value_node.value
            else:
                data[key] = build(value_node)

    data = build(root)
    while loader.state_generators:
        generation = loader.state_generators
        loader.state_generators = []
        for item in generation:
            if item.__class__ is tuple:
                node, value = item
                if value.__class__ is dict:
                    fill_map(node, value)
                else:
                    value.extend([child.value if child.__class__ is ScalarNode and child.tag == STR else build(child)
                                  for child in node.value])
            else:
                for _ in item:  # a generator of the loader's own construction
                    pass
    loader.constructed_objects = {}
    loader.recursive_objects = {}
    loader.deep_construct = False
    return data
