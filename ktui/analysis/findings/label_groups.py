"""The subjects of each namespace grouped by label set, so that "which pods does this selector
pick" costs the distinct label sets of a namespace, not its pods.

A selector reads labels only, and the pods of one workload share theirs: 10,000 pods make about
2,000 label sets. Checks asked every policy's selector against every pod of its namespace (1.2 M
matches per `ktui check` at 10,000 pods); here each (namespace, selector) is matched once per run
against the namespace's label sets, and the answer keeps the namespace's order of subjects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain

import msgspec

from ktui.analysis.core.subjects import Subject
from ktui.model.selectors import LabelSelector


class _Groups:
    """One namespace: its subjects in order, per distinct label set the positions holding it, and
    per `key=value` the label sets carrying it (a matchLabels selector reads its rarest pair's)."""

    __slots__ = ("label_sets", "positions", "postings", "subjects")

    def __init__(self, subjects: Sequence[Subject]) -> None:
        self.subjects = subjects
        where: dict[frozenset[tuple[str, str]], int] = {}
        self.label_sets: list[Mapping[str, str]] = []
        self.positions: list[list[int]] = []
        self.postings: dict[tuple[str, str], list[int]] = {}
        for i, s in enumerate(subjects):
            key = s.label_set
            g = where.get(key)
            if g is None:
                g = where[key] = len(self.label_sets)
                self.label_sets.append(s.labels)
                self.positions.append([])
                for pair in key:
                    self.postings.setdefault(pair, []).append(g)
            self.positions[g].append(i)

    def _candidates(self, selector: LabelSelector) -> Sequence[int]:
        if not selector.match_labels:
            return range(len(self.label_sets))
        best: list[int] | None = None
        for pair in selector.match_labels.items():
            found = self.postings.get(pair)
            if not found:
                return ()
            if best is None or len(found) < len(best):
                best = found
        return best or ()

    def any_match(self, selector: LabelSelector) -> bool:
        return any(selector.matches(self.label_sets[g]) for g in self._candidates(selector))

    def matching(self, selector: LabelSelector) -> list[Subject]:
        hit = [g for g in self._candidates(selector) if selector.matches(self.label_sets[g])]
        if len(hit) == len(self.label_sets):
            return list(self.subjects)
        if len(hit) == 1:
            return [self.subjects[i] for i in self.positions[hit[0]]]
        return [self.subjects[i] for i in sorted(chain.from_iterable(self.positions[g] for g in hit))]


class LabelGroups:
    """Per namespace, the subjects a selector picks, in the namespace's order (memoized per run)."""

    def __init__(self, by_ns: Mapping[str, Sequence[Subject]]) -> None:
        self._by_ns = by_ns
        self._groups: dict[str, _Groups] = {}
        self._memo: dict[tuple[str, bytes], list[Subject]] = {}
        self._homes: dict[bytes, list[str]] = {}

    def _of(self, namespace: str) -> _Groups:
        groups = self._groups.get(namespace)
        if groups is None:
            groups = self._groups[namespace] = _Groups(self._by_ns.get(namespace, ()))
        return groups

    def _matching(self, namespace: str, selector: LabelSelector, code: bytes) -> list[Subject]:
        key = (namespace, code)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._of(namespace).matching(selector)
        return found

    def matching(self, namespace: str, selector: LabelSelector) -> list[Subject]:
        """The subjects of `namespace` that `selector` matches (a new list each time)."""
        return list(self._matching(namespace, selector, msgspec.json.encode(selector)))

    def matching_in(self, namespaces: Iterable[str], selector: LabelSelector) -> list[Subject]:
        """The subjects `selector` matches in each of `namespaces`, namespace after namespace."""
        code = msgspec.json.encode(selector)
        return [s for ns in namespaces for s in self._matching(ns, selector, code)]

    def homes(self, selector: LabelSelector) -> list[str]:
        """The namespaces holding some subject `selector` matches, in the order given at start."""
        code = msgspec.json.encode(selector)
        found = self._homes.get(code)
        if found is None:
            found = self._homes[code] = [ns for ns in self._by_ns if self._of(ns).any_match(selector)]
        return list(found)
