"""Address sets as people write them: CIDRs, and a set that is most of a block as
`0.0.0.0/0 except 10.0.0.0/8` rather than the dozen CIDRs that tile it (never a.b.c.d-e.f.g.h)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _ranges(nets: Iterable[Network]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for n in sorted(nets, key=lambda n: int(n.network_address)):
        lo, hi = int(n.network_address), int(n.broadcast_address)
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _cidrs(version: int, lo: int, hi: int) -> list[Network]:
    cls = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    return list(ipaddress.summarize_address_range(cls(lo), cls(hi)))


def _covering(version: int, lo: int, hi: int) -> Network:
    bits = 32 if version == 4 else 128
    prefix = bits
    while prefix and (lo >> (bits - prefix)) != (hi >> (bits - prefix)):
        prefix -= 1
    base = (lo >> (bits - prefix) << (bits - prefix)) if prefix else 0
    return ipaddress.ip_network((base, prefix)) if version == 4 else ipaddress.IPv6Network((base, prefix))


def _one_version(version: int, nets: list[Network]) -> str:
    ranges = _ranges(nets)
    tiles = [c for lo, hi in ranges for c in _cidrs(version, lo, hi)]
    block = _covering(version, ranges[0][0], ranges[-1][1])
    holes: list[Network] = []
    at = int(block.network_address)
    for lo, hi in ranges:
        if lo > at:
            holes += _cidrs(version, at, lo - 1)
        at = hi + 1
    if at <= int(block.broadcast_address):
        holes += _cidrs(version, at, int(block.broadcast_address))
    if not holes:
        return str(block)
    if len(holes) < len(tiles):
        return f"{block} except {', '.join(str(h) for h in holes)}"
    return ", ".join(str(t) for t in tiles)


def compact_cidrs(cidrs: Iterable[str]) -> str:
    """The CIDRs (valid ones, as the policy package gives them) in the fewest words."""
    by_version: dict[int, list[Network]] = {}
    for c in cidrs:
        net = ipaddress.ip_network(c, strict=False)
        by_version.setdefault(net.version, []).append(net)
    return "; ".join(_one_version(v, nets) for v, nets in sorted(by_version.items()))


def is_whole_space(text: str) -> bool:
    """`0.0.0.0/0` or `::/0`, with or without excepts: the internet."""
    return text.split(" ", 1)[0] in ("0.0.0.0/0", "::/0")
