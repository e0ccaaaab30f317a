"""What a controller checks inside one route, independent of its parents: backendRefs and values.

ResolvedRefs is about the references a route makes (rules' backendRefs and RequestMirror
backends); UnsupportedValue is about enum values the API does not define (which only CRD
validation would otherwise catch, and manifests skip it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ktui.analysis.exposure.refgrants import core_group, reference_allowed
from ktui.model.gateway import BackendRef, GRPCMethodMatch, Route, RouteFilter
from ktui.store import ClusterState

PATH_TYPES = ("Exact", "PathPrefix", "RegularExpression")
VALUE_MATCH_TYPES = ("Exact", "RegularExpression")
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")


@dataclass(frozen=True, slots=True)
class RefCheck:
    """One backendRef of a route: where it is written, what it names, whether it resolves."""

    where: str  # e.g. spec.rules[0].backendRefs[1]
    rule: int
    group: str
    kind: str
    namespace: str
    name: str
    port: int | None
    weight: int
    reason: str = ""  # "" resolves; else InvalidKind, RefNotPermitted or BackendNotFound
    message: str = ""
    mirror: bool = False

    @property
    def ok(self) -> bool:
        return not self.reason


def _filter_refs(filters: list[RouteFilter], at: str) -> Iterator[tuple[str, BackendRef]]:
    """The Services a list of filters calls: RequestMirror targets and ExternalAuth services."""
    for k, f in enumerate(filters):
        if f.request_mirror is not None:
            yield f"{at}.filters[{k}].requestMirror.backendRef", f.request_mirror.backend_ref
        if f.external_auth is not None:
            yield f"{at}.filters[{k}].externalAuth.backendRef", f.external_auth.backend_ref


def route_backend_refs(route: Route) -> Iterator[tuple[str, int, BackendRef, bool]]:
    """(where, rule index, ref, is_filter_ref) for every backend a route names, in order.

    Filter references (a RequestMirror target, an ExternalAuth service) count for ResolvedRefs
    like backendRefs do, but carry no traffic weight of their own.
    """
    for i, rule in enumerate(route.spec.rules):
        for j, ref in enumerate(rule.backend_refs):
            yield f"spec.rules[{i}].backendRefs[{j}]", i, ref, False
            for where, fref in _filter_refs(ref.filters, f"spec.rules[{i}].backendRefs[{j}]"):
                yield where, i, fref, True
        for where, fref in _filter_refs(rule.filters, f"spec.rules[{i}]"):
            yield where, i, fref, True


def check_backend_ref(state: ClusterState, route: Route, ref: BackendRef, where: str, rule: int,
                      mirror: bool = False) -> RefCheck:
    meta = route.metadata
    group, kind = core_group(ref.group), ref.kind or "Service"
    ns = ref.namespace or meta.namespace

    def result(reason: str = "", message: str = "") -> RefCheck:
        return RefCheck(where, rule, group, kind, ns, ref.name, ref.port, ref.weight, reason,
                        f"{where}: {message}" if message else "", mirror)

    if group != "" or kind != "Service":
        return result("InvalidKind", f"{kind} (group {group or 'core'}) is not a supported backend kind")
    if ns != meta.namespace and reference_allowed(state, route.kind, meta.namespace, "Service", ns, ref.name) is None:
        return result("RefNotPermitted", f"Service {ns}/{ref.name} is in another namespace and no "
                                         f"ReferenceGrant in {ns} allows {route.kind}s from {meta.namespace}")
    svc = state.get("Service", ns, ref.name)
    if svc is None:
        return result("BackendNotFound", f"Service {ns}/{ref.name} not found")
    if ref.port is None:
        return result("BackendNotFound", f"no port given for Service {ns}/{ref.name}")
    if not any(p.port == ref.port for p in svc.spec.ports):
        return result("BackendNotFound", f"Service {ns}/{ref.name} has no port {ref.port}")
    return result()


def backend_ref_checks(state: ClusterState, route: Route) -> tuple[RefCheck, ...]:
    return tuple(
        check_backend_ref(state, route, ref, where, rule, mirror)
        for where, rule, ref, mirror in route_backend_refs(route)
    )


def _rule_problem(route: Route, i: int) -> str:
    rule = route.spec.rules[i]
    for j, m in enumerate(rule.matches):
        at = f"spec.rules[{i}].matches[{j}]"
        if m.path is not None and m.path.type not in PATH_TYPES:
            return f"{at}.path.type: {m.path.type!r} is not one of {', '.join(PATH_TYPES)}"
        for k, h in enumerate(m.headers):
            if h.type not in VALUE_MATCH_TYPES:
                return f"{at}.headers[{k}].type: {h.type!r} is not one of {', '.join(VALUE_MATCH_TYPES)}"
        for k, q in enumerate(m.query_params):
            if q.type not in VALUE_MATCH_TYPES:
                return f"{at}.queryParams[{k}].type: {q.type!r} is not one of {', '.join(VALUE_MATCH_TYPES)}"
        if isinstance(m.method, str) and m.method not in HTTP_METHODS:
            return f"{at}.method: {m.method!r} is not an HTTP method"
        if isinstance(m.method, GRPCMethodMatch) and m.method.type not in VALUE_MATCH_TYPES:
            return f"{at}.method.type: {m.method.type!r} is not one of {', '.join(VALUE_MATCH_TYPES)}"
    return ""


def unsupported_values(route: Route) -> str:
    """Why no rule of the route can be implemented ("" when at least one can, or none exist).

    A route is Accepted when at least one rule is implemented, so only all rules bad rejects it.
    """
    problems = [_rule_problem(route, i) for i in range(len(route.spec.rules))]
    if problems and all(problems):
        return problems[0]
    return ""
