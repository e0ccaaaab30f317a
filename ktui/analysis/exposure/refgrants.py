"""ReferenceGrant: the owner of a namespace consenting to references into it.

Gateway API lets a route point at a Service, or a Gateway at a certificate Secret, in another
namespace only when a ReferenceGrant in the *target* namespace names the referring kind and
namespace (from) and the target kind, optionally the name (to). Grants are per reference kind, so
one for HTTPRoute does not cover a GRPCRoute.
"""

from __future__ import annotations

from dataclasses import dataclass

from ktui.model.gateway import GATEWAY_GROUP, Listener, ReferenceGrant
from ktui.store import ClusterState


def core_group(group: str) -> str:
    """The core API group is "" (some write "core")."""
    return "" if group == "core" else group


def reference_allowed(
    state: ClusterState,
    from_kind: str,
    from_namespace: str,
    to_kind: str,
    to_namespace: str,
    to_name: str,
    from_group: str = GATEWAY_GROUP,
    to_group: str = "",
) -> ReferenceGrant | None:
    """The ReferenceGrant allowing the reference, or None. Same-namespace needs none: callers check."""
    for grant in state.objects("ReferenceGrant", to_namespace):
        if not any(
            core_group(f.group) == from_group and f.kind == from_kind and f.namespace == from_namespace
            for f in grant.spec.from_
        ):
            continue
        if any(
            core_group(t.group) == to_group and t.kind == to_kind and (not t.name or t.name == to_name)
            for t in grant.spec.to
        ):
            return grant  # type: ignore[no-any-return]
    return None


@dataclass(frozen=True, slots=True)
class CertCheck:
    """One certificateRef of a listener: the Secret it names and whether it resolves."""

    namespace: str
    name: str
    reason: str  # "" when it resolves; else RefNotPermitted or InvalidCertificateRef
    message: str = ""


def check_certificate_refs(
    state: ClusterState, owner_kind: str, owner_namespace: str, listener: Listener
) -> tuple[CertCheck, ...]:
    """Each certificateRef of a terminating HTTPS/TLS listener, checked as a controller would."""
    tls = listener.tls
    if listener.protocol not in ("HTTPS", "TLS") or tls is None or tls.mode == "Passthrough":
        return ()
    out: list[CertCheck] = []
    for i, ref in enumerate(tls.certificate_refs):
        ns = ref.namespace or owner_namespace
        where = f"listener {listener.name} certificateRefs[{i}]"
        if core_group(ref.group) != "" or (ref.kind or "Secret") != "Secret":
            out.append(CertCheck(ns, ref.name, "InvalidCertificateRef", f"{where}: {ref.kind} is not a Secret"))
        elif ns != owner_namespace and reference_allowed(
            state, owner_kind, owner_namespace, "Secret", ns, ref.name
        ) is None:
            out.append(
                CertCheck(ns, ref.name, "RefNotPermitted", f"{where}: no ReferenceGrant in {ns} allows it")
            )
        elif state.get("Secret", ns, ref.name) is None:
            out.append(CertCheck(ns, ref.name, "InvalidCertificateRef", f"{where}: Secret {ns}/{ref.name} not found"))
        else:
            out.append(CertCheck(ns, ref.name, ""))
    return tuple(out)
