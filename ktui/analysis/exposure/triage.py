"""The "ingress is broken" chain for one host[/path], link by link.

First the entries that would answer the request are found, the way the data planes choose:
per frontend (an IngressClass, a Gateway port, a load-balanced Service), the most specific host
wins (precise over wildcard over none), then the path (Ingress: longest, then Exact over Prefix;
Gateway API: Exact, then the longest prefix); equal candidates (e.g. an nginx canary) are all kept.
Routes refused by their Gateway are kept as chains of their own, since they explain a 404 (one
that names no hostname only when nothing else answers).
Then each entry's chain is checked: class, address, match, Service, port, selector, endpoints,
NetworkPolicy from the controller's pods, TLS secret.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ktui.analysis.exposure import triage_links as tl
from ktui.analysis.exposure.backends import Backend
from ktui.analysis.exposure.controllers import ControllerPods, SubjectFinder, find_controller_pods
from ktui.analysis.exposure.entries import Exposure, exposures
from ktui.analysis.exposure.hostnames import (
    ANY_HOST,
    gateway_host_matches,
    gateway_path_matches,
    host_rank,
    ingress_path_matches,
    normalize_host,
    single_label_matches,
)
from ktui.analysis.exposure.triage_links import FAIL, OK, WARN, Link
from ktui.analysis.policy import NetpolEngine
from ktui.store import ClusterState

_RANK = {OK: 0, WARN: 1, FAIL: 2}


def worst(statuses: list[str] | tuple[str, ...]) -> str:
    return max(statuses, key=lambda s: _RANK[s], default=OK)


@dataclass(frozen=True, slots=True)
class Chain:
    """One entry answering the request, and its links in order."""

    entry: Exposure
    links: tuple[Link, ...]

    @property
    def status(self) -> str:
        return worst([lk.status for lk in self.links])


@dataclass(frozen=True, slots=True)
class Triage:
    host: str
    path: str
    chains: tuple[Chain, ...]
    candidates: int = 0  # entries that matched before precedence picked the winners

    @property
    def found(self) -> bool:
        return bool(self.chains)

    @property
    def status(self) -> str:
        return worst([c.status for c in self.chains])


def parse_target(text: str) -> tuple[str, str]:
    """`HOST[/PATH]` (a scheme is tolerated) -> (normalized host, path starting with /)."""
    text = text.strip()
    if "://" in text:
        text = text.split("://", 1)[1]
    host, slash, path = text.partition("/")
    path = "/" + path if slash else "/"
    return normalize_host(host), path.split("?", 1)[0].split("#", 1)[0]


def _grpc_matches(pattern: str, path: str) -> bool:
    want = pattern.strip("/").split("/")
    have = path.strip("/").split("/")
    return len(have) >= 1 and all(w == "*" or (i < len(have) and have[i] == w) for i, w in enumerate(want))


def entry_matches(e: Exposure, host: str, path: str) -> bool:
    if e.family == "Service":
        return host in e.addresses or host == e.host
    if e.family == "Ingress":
        if not single_label_matches(e.host, host):
            return False
        return ingress_path_matches(e.path_type, e.path, path, e.regex)
    host_ok = gateway_host_matches(e.host, host) or (e.host == ANY_HOST and host in e.addresses)
    if not host_ok:
        return False
    if not e.path:
        return True
    if e.path_type == "gRPC":
        return _grpc_matches(e.path, path)
    return gateway_path_matches(e.path_type, e.path, path)


def _frontend(e: Exposure) -> tuple[str, ...]:
    if not e.attached:
        return ("refused", e.route, e.source)
    if e.family == "Ingress":
        k = e.klass
        return ("ingress", k.name if k is not None else "")
    return (e.family, e.source, str(e.port), e.protocol)


def _precedence(e: Exposure) -> tuple[int, ...]:
    rank = host_rank(e.host)
    exact = 1 if e.path_type == "Exact" else 0
    if e.family == "Ingress":
        return (rank, 0 if e.default_backend else 1, len(e.path), exact)
    return (rank, len(e.host), exact, len(e.path))


def select_entries(entries: list[Exposure], host: str, path: str) -> tuple[list[Exposure], int]:
    """The entries that answer host/path: the best per frontend (ties kept), and how many matched."""
    matched = [e for e in entries if not e.listener_only and entry_matches(e, host, path)]
    if any(e.attached for e in matched):  # a refused route that names no host explains only silence
        matched = [e for e in matched if e.attached or host_rank(e.host) > 0]
    groups: dict[tuple[str, ...], list[Exposure]] = defaultdict(list)
    for e in matched:
        groups[_frontend(e)].append(e)
    out: list[Exposure] = []
    for group in groups.values():
        best = max(_precedence(e) for e in group)
        out.extend(e for e in group if _precedence(e) == best)
    return out, len(matched)


class Triager:
    """Builds chains over one state; caches subjects, controller lookups and the policy engine."""

    def __init__(self, state: ClusterState, live: bool | None = None, engine: NetpolEngine | None = None) -> None:
        self.state = state
        self.live = state.count("Pod") > 0 if live is None else live
        self.engine = engine or NetpolEngine(state)
        self._subjects = SubjectFinder(state)  # the controllers' pods, without every subject of the cluster
        self._controllers: dict[tuple[str, str | None], ControllerPods] = {}

    def controllers_for(self, e: Exposure) -> ControllerPods | None:
        """None for a Service exposed directly (no controller in the path)."""
        if e.klass is None:
            return None
        gateway: tuple[str, str] | None = None
        if e.family == "Gateway":
            ns, _, name = e.source.split(" ", 1)[1].partition("/")
            gateway = (ns, name)
        key = (e.klass.controller, f"{gateway}" if gateway else None)
        if key not in self._controllers:
            self._controllers[key] = find_controller_pods(self.state, e.klass.controller, gateway, self._subjects)
        return self._controllers[key]

    def backend_links(self, e: Exposure, b: Backend, controllers: ControllerPods | None) -> list[Link]:
        links = [tl.service_link(b)]
        if links[0].status == FAIL or b.kind != "Service" or not b.exists or b.service_type == "ExternalName":
            return links
        links.append(tl.port_link(b))
        if b.service_port is None:
            return links
        links.append(tl.selector_link(b))
        links.append(tl.endpoints_link(b))
        netpol = tl.netpol_link(self.engine, e, b, controllers)
        if netpol is not None:
            links.append(netpol)
        return links

    def chain(self, e: Exposure, host: str, path: str) -> Chain:
        links: list[Link] = []
        class_link = tl.class_link(e, self.live, self.state)
        if class_link is not None:
            links.append(class_link)
        links.append(tl.address_link(e, self.live))
        links.append(tl.match_link(e, host, path))
        if e.redirect and not e.backends:
            links.append(Link("service", OK, f"the rule answers with a {e.redirect}", e.route or e.source))
        elif e.listener_only:  # answers 404 to everything: worth a look, broken for no host
            links.append(Link("service", WARN, e.problem or "no route attached to this listener", e.listener))
        elif not e.backends and e.attached:
            where = e.route or e.listener or e.source
            links.append(Link("service", FAIL, e.problem or "the rule names no backend", where))
        controllers = self.controllers_for(e)
        for b in e.backends:
            if b.weight == 0:
                continue
            blinks = self.backend_links(e, b, controllers)
            if len(e.backends) > 1:
                blinks = [Link(lk.name, lk.status, f"{b.label()}: {lk.reason}", lk.obj) for lk in blinks]
            links.extend(blinks)
        tls = tl.tls_link(self.state, e, host, self.live)
        if tls is not None:
            links.append(tls)
        return Chain(e, tuple(links))

    def triage(self, target: str, namespace: str | None = None) -> Triage:
        host, path = parse_target(target)
        entries = exposures(self.state, include_unattached=True)
        if namespace is not None:
            entries = [e for e in entries if namespace in e.namespaces]
        chosen, candidates = select_entries(entries, host, path)
        chains = tuple(self.chain(e, host, path) for e in chosen)
        return Triage(host, path, chains, candidates)


def triage(state: ClusterState, target: str, namespace: str | None = None, live: bool | None = None) -> Triage:
    """The chains of every entry that would answer `target` (HOST[/PATH]); none when no entry does."""
    return Triager(state, live).triage(target, namespace)
