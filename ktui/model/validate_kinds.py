"""A kind or apiVersion that is almost one ktui reads: reported, never dropped silently.

`kind: Networkpolicy` is no kind at all (the API server answers "no matches for kind"), so
without a word the policy would just be missing from the answer. A kind ktui reads written
with a group or version the API does not serve it under is refused the same way.
"""

from __future__ import annotations

import difflib

from ktui.model.kinds import BY_KIND, KINDS, WIRE_KIND, KindInfo

# Kinds of other Kubernetes APIs and common add-ons, close in spelling to ones ktui reads but
# real (Endpoints is not a misspelled EndpointSlice): never "did you mean".
OTHER_KINDS = frozenset({
    "APIService", "BackendTLSPolicy", "BackendLBPolicy", "Binding", "Certificate", "CertificateRequest",
    "ClusterIssuer", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "ControllerRevision",
    "CustomResourceDefinition", "DestinationRule", "Endpoints", "Event", "GRPCBackend", "HorizontalPodAutoscaler",
    "Issuer", "Lease", "LimitRange", "ManagedCertificate", "MutatingWebhookConfiguration", "PersistentVolume",
    "PersistentVolumeClaim", "PodDisruptionBudget", "PodMonitor", "PodTemplate", "PriorityClass",
    "ResourceQuota", "Role", "RoleBinding", "RuntimeClass", "ServiceAccount", "ServiceEntry", "ServiceMonitor",
    "StorageClass", "ValidatingAdmissionPolicy", "ValidatingWebhookConfiguration", "VirtualService",
    "VolumeAttachment", "Sidecar", "PeerAuthentication", "AuthorizationPolicy", "EnvoyFilter",
})
# Versions a group served in the past, still common in manifests: read as the current one.
OLD_VERSIONS = {
    "apps": ("v1beta1", "v1beta2"), "batch": ("v1beta1",), "extensions": ("v1beta1",),
    "networking.k8s.io": ("v1beta1",), "discovery.k8s.io": ("v1beta1",),
    "gateway.networking.k8s.io": ("v1", "v1beta1", "v1alpha2", "v1alpha3"),
}


def _wire_names() -> set[str]:
    """Kinds as they are written in manifests."""
    return {WIRE_KIND.get(k.kind, k.kind) for k in KINDS}


def misspelled_kind(kind: str) -> str | None:
    """The kind ktui reads that `kind` is most likely a misspelling of, or None."""
    if kind in OTHER_KINDS or kind.endswith("List"):
        return None
    names = _wire_names()
    if kind in names:
        return None
    lowered = {n.lower(): n for n in names}
    if kind.lower() in lowered:
        return lowered[kind.lower()]
    if kind.lower().rstrip("s") in lowered:
        return lowered[kind.lower().rstrip("s")]
    close = difflib.get_close_matches(kind, sorted(names), n=1, cutoff=0.85)
    return close[0] if close else None


def kind_problem(api_version: str, kind: str, info: KindInfo | None) -> str | None:
    """Why a document deserves a word before it is read or skipped: a misspelled kind, or a kind
    ktui reads under an apiVersion the API does not serve it as. `info` is what lookup found.
    None: read it (info) or skip it quietly (a kind ktui does not read)."""
    group, _, version = api_version.rpartition("/") if "/" in api_version else ("", "", api_version)
    if info is not None:
        if group == info.group and version not in info.versions and version not in OLD_VERSIONS.get(group, ()):
            return (f"apiVersion {api_version!r}: {kind} has no version {version!r} "
                    f"(known: {', '.join(info.versions)}); not read")
        return None
    known = BY_KIND.get(kind)
    if known is None:
        guess = misspelled_kind(kind)
        if guess is None:
            return None
        return f"kind {kind!r} is not a Kubernetes kind ktui knows; did you mean {guess}? (not read)"
    expected = " or ".join(f"{known.group}/{v}" if known.group else v for v in known.versions)
    return f"apiVersion {api_version!r} does not serve {kind} (it is {expected}); not read"
