"""Services named inside route filters count for ResolvedRefs like backendRefs do."""

from __future__ import annotations

from tests.exposure.helpers import build
from tests.exposure.test_routes import BASE, parent, reasons, route


def _auth_filter(name: str, port: int, namespace: str = "") -> str:
    ns = f", namespace: {namespace}" if namespace else ""
    return f"""
    filters:
    - type: ExternalAuth
      externalAuth: {{protocol: HTTP, backendRef: {{name: {name}, port: {port}{ns}}}}}"""


def test_external_auth_service_that_does_not_exist_is_backend_not_found() -> None:
    state = build(BASE, route("r", "infra", "[{name: same}]", extra_rule=_auth_filter("authz", 9000)))
    # The route still attaches; only the reference is broken.
    assert reasons(parent(state, "infra", "r")) == (("True", "Accepted"), ("False", "BackendNotFound"))


def test_external_auth_service_without_that_port_is_backend_not_found() -> None:
    state = build(BASE, route("r", "infra", "[{name: same}]", extra_rule=_auth_filter("svc", 9999)))
    assert parent(state, "infra", "r").resolved_refs.reason == "BackendNotFound"


def test_external_auth_service_that_resolves_keeps_resolved_refs_true() -> None:
    state = build(BASE, route("r", "infra", "[{name: same}]", extra_rule=_auth_filter("svc", 8080)))
    assert reasons(parent(state, "infra", "r")) == (("True", "Accepted"), ("True", "ResolvedRefs"))


def test_external_auth_service_in_another_namespace_needs_a_grant() -> None:
    state = build(BASE, route("r", "infra", "[{name: same}]", extra_rule=_auth_filter("web", 8080, "apps")))
    assert parent(state, "infra", "r").resolved_refs.reason == "RefNotPermitted"
