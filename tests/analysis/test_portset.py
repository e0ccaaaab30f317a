"""The PortSet algebra: union, intersection and difference agree with plain sets of ports."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ktui.analysis.core.portset import ALL, EMPTY, PortSet, difference, parse_port_spec

ranges = st.lists(st.tuples(st.integers(1, 60), st.integers(0, 8)).map(lambda t: (t[0], t[0] + t[1])), max_size=4)
portsets = st.fixed_dictionaries({}, optional={"TCP": ranges, "UDP": ranges}).map(PortSet)


def as_set(p: PortSet) -> set[tuple[str, int]]:
    return {(proto, n) for proto, rs in p.by_proto.items() for lo, hi in rs for n in range(lo, hi + 1)}


@settings(max_examples=200, deadline=None)
@given(portsets, portsets)
def test_operations_match_sets(a: PortSet, b: PortSet) -> None:
    assert as_set(a | b) == as_set(a) | as_set(b)
    assert as_set(a & b) == as_set(a) & as_set(b)
    assert as_set(difference(a, b)) == as_set(a) - as_set(b)


def test_describe_merges_adjacent_ports_and_orders_protocols() -> None:
    p = PortSet({"UDP": [(53, 53)], "TCP": [(8081, 8090), (80, 80), (8080, 8080)]})
    assert p.describe() == "TCP 80,8080-8090,UDP 53"
    assert ALL.describe() == "All Connections" and EMPTY.describe() == "No Connections"
    assert PortSet({"TCP": [(1, 65535)]}).describe() == "TCP 1-65535"


def test_parse_port_spec() -> None:
    assert parse_port_spec("443") == (443, "TCP")
    assert parse_port_spec("53/udp") == (53, "UDP")
