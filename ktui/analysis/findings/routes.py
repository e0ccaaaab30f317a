"""Gateway API findings, read off the routes module's computed conditions (never route status):
routes not accepted by a parent (with the spec reason), backendRefs and certificateRefs that are
missing or cross namespaces without a ReferenceGrant.

From manifests, a parent or backend namespace with nothing in view is taken as deployed
elsewhere rather than missing.
"""

from __future__ import annotations

from collections.abc import Iterator

from ktui.analysis.exposure import (
    ParentKey,
    all_routes,
    backend_ref_checks,
    check_certificate_refs,
    route_backend_refs,
    route_statuses,
)
from ktui.analysis.findings.catalogue import Finding, Severity, finding, ref
from ktui.analysis.findings.context import CheckContext
from ktui.model.gateway import BackendRef, Route


def route_backends(ctx: CheckContext) -> Iterator[tuple[Route, str, str, BackendRef]]:
    """(route, where, backend namespace, backendRef), mirrors included."""
    for route in all_routes(ctx.state):
        for where, _, backend, _ in route_backend_refs(route):
            yield route, where, backend.namespace or route.metadata.namespace, backend


def _parent_in_view(ctx: CheckContext, key: ParentKey) -> bool:
    """From manifests, a missing parent only counts when parents of that kind are in view."""
    if ctx.complete:
        return True
    kind = key.kind if key.kind in ("Gateway", "ListenerSet", "Service") else ""
    return bool(kind) and ctx.state.count(kind) > 0


def route_acceptance_findings(ctx: CheckContext) -> list[Finding]:
    """EX007: Accepted=False for a parentRef, with the reason a conformant controller would set."""
    out: list[Finding] = []
    for rs in route_statuses(ctx.state):
        obj = ref(ctx.state, rs.kind, rs.namespace, rs.name)
        for i, parent in enumerate(rs.parents):
            cond = parent.accepted
            if cond.ok:
                continue
            key = parent.ref
            exists = ctx.state.get(key.kind, key.namespace, key.name) is not None
            if cond.reason == "NoMatchingParent" and not exists and not _parent_in_view(ctx, key):
                continue
            out.append(finding(
                "KTUI-EX007", obj,
                f"spec.parentRefs[{i}] ({key}): not accepted, reason {cond.reason}: {cond.message}",
                detail=f"parent {key.kind} {key.namespace}/{key.name} {key.section_name or ''} {cond.reason}",
            ))
    return out


def backends_in_view(ctx: CheckContext, ns: str) -> bool:
    """Whether a missing Service in `ns` is news: live, or the manifests hold that namespace's apps."""
    return ctx.complete or bool(ctx.state.objects("Service", ns)) or bool(ctx.by_ns.get(ns))


def route_backend_findings(ctx: CheckContext) -> list[Finding]:
    """EX008 (RefNotPermitted), EX001 (Service missing), EX002 (port missing) for backendRefs."""
    out: list[Finding] = []
    for route in all_routes(ctx.state):
        obj = ref(ctx.state, route.kind, route.metadata.namespace, route.metadata.name)
        for check in backend_ref_checks(ctx.state, route):
            target = f"{check.namespace}/{check.name}"
            if check.reason == "RefNotPermitted":
                out.append(finding("KTUI-EX008", obj, f"{check.message} (RefNotPermitted)",
                                   detail=f"service {target}"))
            elif check.reason == "BackendNotFound":
                if ctx.state.get("Service", check.namespace, check.name) is None:
                    if backends_in_view(ctx, check.namespace):
                        out.append(finding("KTUI-EX001", obj, f"{check.message} (BackendNotFound)",
                                           detail=f"service {target}"))
                else:
                    out.append(finding("KTUI-EX002", obj, f"{check.message} (BackendNotFound)",
                                       detail=f"service {target} port {check.port}"))
    return out


def gateway_cert_findings(ctx: CheckContext) -> list[Finding]:
    """EX008 / EX004 for the certificateRefs of Gateway and ListenerSet listeners."""
    out: list[Finding] = []
    for kind in ("Gateway", "ListenerSet"):
        for owner in ctx.state.objects(kind):
            ns, name = owner.metadata.namespace, owner.metadata.name
            obj = ref(ctx.state, kind, ns, name)
            for listener in owner.spec.listeners:
                for check in check_certificate_refs(ctx.state, kind, ns, listener):
                    target = f"{check.namespace}/{check.name}"
                    if check.reason == "RefNotPermitted":
                        out.append(finding(
                            "KTUI-EX008", obj,
                            f"{check.message}: Secret {target} is in another namespace (RefNotPermitted)",
                            detail=f"secret {target}",
                        ))
                    elif (check.reason and "Secret" not in ctx.unseen
                          and ctx.state.get("Secret", check.namespace, check.name) is None
                          and check.message.endswith("not found")):
                        out.append(finding(
                            "KTUI-EX004", obj,
                            check.message + ("" if ctx.complete else " in the manifests"),
                            detail=f"secret {target}",
                            severity=None if ctx.complete else Severity.MEDIUM,
                        ))
    return out
