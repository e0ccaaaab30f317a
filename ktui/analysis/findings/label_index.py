"""Label indexes built once per check run, so per-peer questions cost the pods they are about.

At 100,000 pods, scanning every pod for every peer (and rebuilding every `key=value` pair for
every "did you mean") made `ktui check` quadratic. Here: a bounded typo search (only pairs whose
key is close to the wanted key, or whose value equals the wanted value, and at most `POOL` of
them); which pods a selector picks is label_groups.py's.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from ktui.model.core import NS_NAME_LABEL
from ktui.model.selectors import LabelSelector

POOL = 2000
"""At most this many candidate pairs per suggestion: the answer is bounded whatever the size."""


class PairIndex:
    """The `key=value` pairs of some label sets (namespace names excluded), for "did you mean"."""

    def __init__(self, label_sets: Iterable[Mapping[str, str]]) -> None:
        by_key: dict[str, set[str]] = {}
        for labels in label_sets:
            for k, v in labels.items():
                if k != NS_NAME_LABEL:
                    by_key.setdefault(k, set()).add(v)
        self.values = {k: sorted(v) for k, v in by_key.items()}
        self.keys = sorted(by_key)
        by_value: dict[str, list[str]] = {}
        for k in self.keys:
            for v in self.values[k]:
                by_value.setdefault(v, []).append(k)
        self.by_value = by_value
        self._memo: dict[tuple[str, str], str | None] = {}

    def has(self, key: str, value: str) -> bool:
        return key != NS_NAME_LABEL and value in self.values.get(key, ())

    def nearest(self, key: str, value: str) -> str | None:
        """The closest existing pair to `key=value` (difflib ratio >= 0.75), from a bounded pool."""
        memo_key = (key, value)
        if memo_key not in self._memo:
            self._memo[memo_key] = self._nearest(key, value)
        return self._memo[memo_key]

    def pool(self, key: str, value: str) -> list[str]:
        """The candidates for `key=value`: pairs of the same or a close key (a typo in the value or
        the key), and pairs with the same value; at most 2 * POOL, whatever the cluster's size."""
        keys = difflib.get_close_matches(key, self.keys, n=5, cutoff=0.6)
        if key in self.values and key not in keys:
            keys.insert(0, key)
        pool: set[str] = set()
        for k in keys:
            values = self.values[k]
            if len(values) > POOL:  # the values nearest in length are the only ones that can be close
                values = sorted(values, key=lambda v: abs(len(v) - len(value)))[:POOL]
            pool.update(f"{k}={v}" for v in values)
        pool.update(f"{k}={value}" for k in self.by_value.get(value, ())[:POOL])
        return sorted(pool)[:POOL * 2]

    def _nearest(self, key: str, value: str) -> str | None:
        close = difflib.get_close_matches(f"{key}={value}", self.pool(key, value), n=1, cutoff=0.75)
        return close[0] if close else None

    def suggest(self, selector: LabelSelector) -> str | None:
        """The nearest existing `key=value` to a matchLabels entry that matches nothing (a typo)."""
        for key, value in sorted((selector.match_labels or {}).items()):
            if self.has(key, value):
                continue
            near = self.nearest(key, value)
            if near:
                return near
        return None
