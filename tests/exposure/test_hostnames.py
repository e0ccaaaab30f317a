"""Hostname and path matching: the three wildcard rules and element-wise prefixes."""

from __future__ import annotations

import pytest

from ktui.analysis.exposure.hostnames import (
    ANY_HOST,
    effective_hostnames,
    gateway_host_matches,
    gateway_path_matches,
    ingress_path_matches,
    intersect,
    normalize_host,
    single_label_matches,
)


@pytest.mark.parametrize(("pattern", "host", "gateway", "single"), [
    ("*.example.com", "foo.example.com", True, True),
    ("*.example.com", "foo.bar.example.com", True, False),  # Gateway API: one label or more
    ("*.example.com", "example.com", False, False),
    ("*.example.com", "fooexample.com", False, False),
    ("foo.example.com", "foo.example.com", True, True),
    ("foo.example.com", "bar.example.com", False, False),
    (ANY_HOST, "anything.io", True, True),
])
def test_wildcards(pattern: str, host: str, gateway: bool, single: bool) -> None:
    assert gateway_host_matches(pattern, host) is gateway
    assert single_label_matches(pattern, host) is single


@pytest.mark.parametrize(("listener", "route", "want"), [
    (None, "foo.com", "foo.com"),
    ("foo.com", "foo.com", "foo.com"),
    ("foo.com", "bar.com", None),
    ("*.wildcard.io", "foo.bar.wildcard.io", "foo.bar.wildcard.io"),
    ("*.wildcard.io", "wildcard.io", None),
    ("very.specific.com", "*.specific.com", "very.specific.com"),
    ("*.example.com", "*.foo.example.com", "*.foo.example.com"),
    ("*.foo.example.com", "*.example.com", "*.foo.example.com"),
    ("*.anotherwildcard.io", "*.wildcard.io", None),
])
def test_intersection(listener: str | None, route: str, want: str | None) -> None:
    assert intersect(listener, route) == want


def test_effective_hostnames() -> None:
    assert effective_hostnames(None, []) == (ANY_HOST,)
    assert effective_hostnames("a.io", []) == ("a.io",)
    assert effective_hostnames("*.io", ["A.IO", "b.com"]) == ("a.io",)
    assert effective_hostnames("x.io", ["y.io"]) == ()


def test_normalize_host() -> None:
    assert normalize_host("Foo.Example.COM:8443") == "foo.example.com"
    assert normalize_host("foo.example.com.") == "foo.example.com"
    assert normalize_host("[2001:db8::1]:443") == "2001:db8::1"


@pytest.mark.parametrize(("ptype", "pattern", "path", "want"), [
    ("Prefix", "/", "/anything", True),
    ("Prefix", "/foo", "/foo/bar", True),
    ("Prefix", "/foo", "/foobar", False),
    ("Prefix", "/foo/bar/", "/foo/bar", True),
    ("Prefix", "/foo/bar", "/foo/bar/", True),
    ("Exact", "/foo", "/foo", True),
    ("Exact", "/foo", "/foo/", False),
    ("ImplementationSpecific", "/foo", "/foo/x", True),
])
def test_ingress_paths(ptype: str, pattern: str, path: str, want: bool) -> None:
    assert ingress_path_matches(ptype, pattern, path) is want


def test_ingress_regex_paths_when_the_controller_reads_regexes() -> None:
    assert ingress_path_matches("ImplementationSpecific", "/foo/bar/[A-Z0-9]{3}", "/foo/bar/ABC", regex=True)
    assert not ingress_path_matches("ImplementationSpecific", "/foo/bar/[A-Z0-9]{3}", "/foo/bar/ABC")
    assert not ingress_path_matches("ImplementationSpecific", "/foo/(", "/foo/", regex=True)  # invalid regex


def test_gateway_paths() -> None:
    assert gateway_path_matches("PathPrefix", "/abc", "/abc/def")
    assert not gateway_path_matches("PathPrefix", "/abc", "/abcd")
    assert gateway_path_matches("Exact", "/abc", "/abc")
    assert not gateway_path_matches("Exact", "/abc", "/abc/")
    assert gateway_path_matches("RegularExpression", r"/v\d+/", "/v2/items")
