"""Sets of (protocol, port) as per-protocol sorted, disjoint port ranges.

Immutable and hashable, so identical sets are shared and the connectivity list can memoize
unions and intersections: most pairs in a cluster share a handful of distinct sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

PROTOCOLS = ("SCTP", "TCP", "UDP")  # alphabetical: the order connection sets are written in
MIN_PORT, MAX_PORT = 1, 65535
Ranges = tuple[tuple[int, int], ...]


def _normalize(ranges: Iterable[tuple[int, int]]) -> Ranges:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        lo, hi = max(lo, MIN_PORT), min(hi, MAX_PORT)
        if lo > hi:
            continue
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return tuple(out)


def subtract_interval(ranges: list[tuple[int, int]], lo_cut: int, hi_cut: int) -> list[tuple[int, int]]:
    """Inclusive intervals minus [lo_cut, hi_cut]: shared by port sets and ipBlock excepts."""
    out: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if hi < lo_cut or lo > hi_cut:
            out.append((lo, hi))
            continue
        if lo < lo_cut:
            out.append((lo, lo_cut - 1))
        if hi_cut < hi:
            out.append((hi_cut + 1, hi))
    return out


def _intersect(a: Ranges, b: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


class PortSet:
    """An immutable set of protocol/port pairs."""

    __slots__ = ("_hash", "by_proto")

    def __init__(self, by_proto: Mapping[str, Iterable[tuple[int, int]]] | None = None) -> None:
        items: dict[str, Ranges] = {}
        for proto in PROTOCOLS:
            if by_proto and proto in by_proto:
                ranges = _normalize(by_proto[proto])
                if ranges:
                    items[proto] = ranges
        self.by_proto: dict[str, Ranges] = items
        self._hash = hash(tuple(items.items()))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PortSet) and self.by_proto == other.by_proto

    def __bool__(self) -> bool:
        return bool(self.by_proto)

    def __repr__(self) -> str:
        return f"PortSet({self.describe()})"

    def __or__(self, other: PortSet) -> PortSet:
        return union(self, other)

    def __and__(self, other: PortSet) -> PortSet:
        return intersection(self, other)

    def is_all(self) -> bool:
        return self == ALL

    def contains(self, port: int, protocol: str) -> bool:
        return any(lo <= port <= hi for lo, hi in self.by_proto.get(protocol, ()))

    def describe(self) -> str:
        """`All Connections`, or e.g. `TCP 80,8080-8090,UDP 53`; empty is `No Connections`.

        Protocols in alphabetical order, ports ascending, adjacent ports merged into ranges.
        """
        if self.is_all():
            return "All Connections"
        if not self.by_proto:
            return "No Connections"
        parts = []
        for proto, ranges in self.by_proto.items():
            text = ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in ranges)
            parts.append(f"{proto} {text}")
        return ",".join(parts)

    def to_json(self) -> dict[str, list[list[int]]]:
        return {proto: [[lo, hi] for lo, hi in ranges] for proto, ranges in self.by_proto.items()}


@lru_cache(maxsize=65536)
def union(a: PortSet, b: PortSet) -> PortSet:
    if not b or a is b:
        return a
    if not a:
        return b
    return PortSet(
        {p: a.by_proto.get(p, ()) + b.by_proto.get(p, ()) for p in PROTOCOLS}
    )


@lru_cache(maxsize=65536)
def intersection(a: PortSet, b: PortSet) -> PortSet:
    if a is b:
        return a
    if not a or not b:
        return EMPTY
    return PortSet(
        {
            p: _intersect(a.by_proto[p], b.by_proto[p])
            for p in PROTOCOLS
            if p in a.by_proto and p in b.by_proto
        }
    )


@lru_cache(maxsize=65536)
def difference(a: PortSet, b: PortSet) -> PortSet:
    """The ports in a and not in b (the one PortSet subtraction; memoized like union)."""
    if not a or not b:
        return a
    if a is b or b.is_all():
        return EMPTY
    out: dict[str, list[tuple[int, int]]] = {}
    for proto, ranges in a.by_proto.items():
        rest = list(ranges)
        for lo_b, hi_b in b.by_proto.get(proto, ()):
            rest = subtract_interval(rest, lo_b, hi_b)
        if rest:
            out[proto] = rest
    return PortSet(out)


@lru_cache(maxsize=65536)
def single(protocol: str, lo: int, hi: int | None = None) -> PortSet:
    """One protocol's port range (shared: verdicts ask for the same few entries again and again)."""
    return PortSet({protocol: [(lo, lo if hi is None else hi)]})


EMPTY = PortSet()
ALL = PortSet({p: [(MIN_PORT, MAX_PORT)] for p in PROTOCOLS})


class PortSpecError(ValueError):
    """A port given on the command line that is not PORT[/PROTO]."""


def parse_port_spec(text: str) -> tuple[int, str]:
    """`443`, `443/TCP`, `53/udp` -> (port, PROTO)."""
    port_text, _, proto = text.partition("/")
    proto = (proto or "TCP").upper()
    if proto not in PROTOCOLS:
        raise PortSpecError(f"protocol {proto!r} is not TCP, UDP or SCTP")
    try:
        port = int(port_text)
    except ValueError:
        raise PortSpecError(f"port {port_text!r} is not a number") from None
    if not MIN_PORT <= port <= MAX_PORT:
        raise PortSpecError(f"port {port} is not in 1-65535")
    return port, proto
