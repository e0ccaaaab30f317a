"""External address ranges: the address space cut at the tiers' boundaries, public space, CIDRs.

Each range between two boundaries is treated alike by every rule, so a question about "the
internet" or "some external address" is asked once per range. "Public" leaves out private and
special-use space: denying 10.0.0.0/8 does not take the internet away.
"""

from __future__ import annotations

import bisect
import functools
import ipaddress
from collections.abc import Iterable, Sequence

from ktui.analysis.core.subjects import ExternalRange

UNIVERSE = {4: (0, 2**32 - 1), 6: (0, 2**128 - 1)}

_SPECIAL = {
    4: ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4"),
    6: ("::/8", "64:ff9b::/96", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8"),
}
_SPECIAL_INTERVALS = {
    v: [(int(n.network_address), int(n.broadcast_address)) for n in map(ipaddress.ip_network, nets)]
    for v, nets in _SPECIAL.items()
}


def split_ranges(boundaries: Iterable[tuple[int, int]], versions: set[int] | None = None) -> list[ExternalRange]:
    """Cut each address family's universe at the given points; IPv4 always, IPv6 when used."""
    points: dict[int, set[int]] = {v: set() for v in (versions or set()) | {4}}
    for version, point in boundaries:
        points.setdefault(version, set()).add(point)
    ranges = []
    for version, cuts in sorted(points.items()):
        lo, hi = UNIVERSE[version]
        start = lo
        for edge in sorted(p for p in cuts if lo < p <= hi):
            ranges.append(ExternalRange(version, start, edge - 1))
            start = edge
        ranges.append(ExternalRange(version, start, hi))
    return ranges


class RangeIndex:
    """Positions of sorted, disjoint ranges (split_ranges' order) inside an address interval, by
    bisection: a rule's ipBlock is matched against its ranges in log time, not one by one."""

    def __init__(self, ranges: Sequence[ExternalRange]) -> None:
        self.ranges = ranges
        self._starts = [(r.version, r.first) for r in ranges]

    def within(self, version: int, lo: int, hi: int) -> range:
        """The positions of the ranges wholly inside [lo, hi] of that IP version."""
        start = k = bisect.bisect_left(self._starts, (version, lo))
        ranges = self.ranges
        while k < len(ranges) and ranges[k].version == version and ranges[k].last <= hi:
            k += 1
        return range(start, k)


@functools.lru_cache(maxsize=1 << 16)
def is_public(r: ExternalRange) -> bool:
    """Not wholly inside private or special-use space (memoized: the same ranges are asked about
    for every pod until the boundaries move)."""
    return not any(lo <= r.first and r.last <= hi for lo, hi in _SPECIAL_INTERVALS[r.version])


def range_cidrs(r: ExternalRange) -> list[str]:
    """The minimal list of CIDRs covering exactly the range, in address order."""
    cls = ipaddress.IPv4Address if r.version == 4 else ipaddress.IPv6Address
    return [str(n) for n in ipaddress.summarize_address_range(cls(r.first), cls(r.last))]
