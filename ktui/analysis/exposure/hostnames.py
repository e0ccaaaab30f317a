"""Hostname and path matching, each family with its own rules.

The three kinds of wildcard differ and mixing them up gives wrong answers: a Gateway API wildcard
(`*.example.com`) covers one or more labels (`a.b.example.com` too), an Ingress wildcard exactly one
label, and a certificate name (RFC 6125) exactly one label. None covers the bare parent
(`example.com`). Paths: Ingress `Prefix` and Gateway API `PathPrefix` match by whole path elements
(`/foo` matches `/foo/bar`, not `/foobar`).
"""

from __future__ import annotations

import re

ANY_HOST = "*"  # an entry that answers for every host (no host on the rule, listener and route)


def normalize_host(host: str) -> str:
    """Lower case, no port, no trailing dot: how controllers compare Host headers."""
    host = host.strip().lower()
    if host.startswith("[") and "]" in host:  # IPv6 literal with port
        return host[1 : host.index("]")]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def is_wildcard(host: str) -> bool:
    return host.startswith("*.")


def gateway_host_matches(pattern: str, host: str) -> bool:
    """Gateway API: `*.example.com` matches any name ending in `.example.com` (one label or more)."""
    if pattern == ANY_HOST:
        return True
    if is_wildcard(pattern):
        suffix = pattern[1:]
        return host.endswith(suffix) and len(host) > len(suffix)
    return pattern == host


def single_label_matches(pattern: str, host: str) -> bool:
    """Ingress hosts and certificate names: `*.foo.com` matches `bar.foo.com` only (one label)."""
    if pattern == ANY_HOST:
        return True
    if is_wildcard(pattern):
        first, dot, rest = host.partition(".")
        return bool(first) and bool(dot) and rest == pattern[2:]
    return pattern == host


def host_rank(pattern: str) -> int:
    """Precedence of a host pattern: a precise name beats a wildcard beats no host at all."""
    if pattern == ANY_HOST:
        return 0
    return 1 if is_wildcard(pattern) else 2


def intersect(listener: str | None, route: str) -> str | None:
    """The hostname a listener and a route host agree on (Gateway API), or None.

    Two precise names must be equal; a wildcard and a precise name give the precise name when it
    matches; two wildcards give the more specific one when one covers the other.
    """
    if not listener:
        return route
    if not is_wildcard(listener) and not is_wildcard(route):
        return route if listener == route else None
    if is_wildcard(listener) and not is_wildcard(route):
        return route if gateway_host_matches(listener, route) else None
    if not is_wildcard(listener) and is_wildcard(route):
        return listener if gateway_host_matches(route, listener) else None
    if route == listener or route.endswith(listener[1:]):
        return route
    if listener.endswith(route[1:]):
        return listener
    return None


def effective_hostnames(listener: str | None, route_hosts: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The hostnames a route answers for on a listener; empty when they do not intersect.

    A route with no hostnames takes the listener's; a listener with none takes the route's;
    neither gives ANY_HOST.
    """
    listener = normalize_host(listener) if listener else None
    if not route_hosts:
        return (listener,) if listener else (ANY_HOST,)
    out: list[str] = []
    for route_host in route_hosts:
        got = intersect(listener, normalize_host(route_host))
        if got is not None and got not in out:
            out.append(got)
    return tuple(out)


def _elements(path: str) -> list[str]:
    return [p for p in path.split("/") if p]


def prefix_matches(prefix: str, path: str) -> bool:
    """Prefix by path elements; a trailing slash on either side is ignored; `/` matches all."""
    want = _elements(prefix)
    have = _elements(path)
    return have[: len(want)] == want


def regex_matches(pattern: str, path: str, ignore_case: bool = False) -> bool:
    """A regular-expression path, anchored at the start (how nginx and Envoy apply them)."""
    try:
        return re.match(pattern, path, re.IGNORECASE if ignore_case else 0) is not None
    except re.error:
        return False


def ingress_path_matches(path_type: str, pattern: str, path: str, regex: bool = False) -> bool:
    """Ingress semantics. ImplementationSpecific is read as Prefix, or as a regex when the
    controller is told so (ingress-nginx use-regex / rewrite-target)."""
    pattern = pattern or "/"
    if path_type == "Exact":
        return path == pattern
    if regex and path_type != "Exact":
        return regex_matches(pattern, path, ignore_case=True)
    return prefix_matches(pattern, path)


def gateway_path_matches(match_type: str, value: str, path: str) -> bool:
    """HTTPRoute path match: Exact, PathPrefix (by elements) or RegularExpression."""
    if match_type == "Exact":
        return path == value
    if match_type == "RegularExpression":
        return regex_matches(value, path)
    return prefix_matches(value or "/", path)
