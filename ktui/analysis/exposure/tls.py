"""TLS of one exposed entry for one host: ok / warn / fail / unknown, with the reason and the
object to look at. The triage chain's tls link and the screens' TLS cell both read this, so a
TLS cell is never green while the Secret is missing or does not cover the host.

"unknown" is for what ktui could not see: Secrets forbidden (ClusterState.unseen("Secret")) and
the Secret not otherwise in view. From manifests (no Secrets listed at all) a missing Secret is a
warning ("installed with cert-manager?"), on a live cluster a failure.
"""

from __future__ import annotations

from dataclasses import dataclass

from ktui.analysis.exposure.entries import Exposure
from ktui.analysis.exposure.hostnames import ANY_HOST, single_label_matches
from ktui.model.core import Secret
from ktui.store import ClusterState

OK, WARN, FAIL, UNKNOWN, NONE = "ok", "warn", "fail", "unknown", "none"
ALT_NAMES = "cert-manager.io/alt-names"
COMMON_NAME = "cert-manager.io/common-name"
_ORDER = {OK: 0, UNKNOWN: 1, WARN: 2, FAIL: 3}


@dataclass(frozen=True, slots=True)
class TlsState:
    """status: ok | warn | fail | unknown, or none for an entry without TLS."""

    status: str
    reason: str = ""
    obj: str = ""


def _coverage(secret: Secret | None, host: str, obj: str) -> TlsState:
    ann = secret.metadata.annotations if secret is not None else {}
    names = [n.strip().lower() for n in ann.get(ALT_NAMES, "").split(",") if n.strip()]
    if ann.get(COMMON_NAME):
        names.append(ann[COMMON_NAME].strip().lower())
    names = list(dict.fromkeys(names))
    if not names:
        return TlsState(OK, "the Secret exists; its host names are unknown (no cert-manager annotations)", obj)
    if host == ANY_HOST or any(single_label_matches(n, host) for n in names):
        return TlsState(OK, f"the Secret exists and its names ({', '.join(names)}) cover {host}", obj)
    return TlsState(FAIL, f"the certificate names ({', '.join(names)}) do not cover {host}", obj)


def tls_state(state: ClusterState, e: Exposure, host: str | None = None, live: bool = False) -> TlsState:
    """The TLS verdict of entry `e` when asked for `host` (default: the entry's own host)."""
    host = e.host if host is None else host
    where = e.listener or e.source
    if not e.tls:
        return TlsState(NONE)
    if e.tls_mode == "Passthrough":
        return TlsState(OK, "TLS passthrough: the backend terminates TLS", where)
    if not e.certs:
        return TlsState(WARN, "TLS with no certificate reference", where)
    states: list[TlsState] = []
    for c in e.certs:
        obj = f"Secret {c.namespace}/{c.name}" if c.name else e.source
        hidden = state.unseen("Secret", c.namespace)
        if c.reason == "RefNotPermitted":
            states.append(TlsState(FAIL, c.message, f"ReferenceGrant in namespace {c.namespace}"))
        elif c.name and hidden and state.get("Secret", c.namespace, c.name) is None:
            states.append(TlsState(UNKNOWN, f"Secret {c.namespace}/{c.name} cannot be checked: {hidden}", obj))
        elif c.reason:
            status = FAIL if live or state.count("Secret") else WARN
            suffix = "" if status == FAIL else " (no Secrets in the manifests)"
            states.append(TlsState(status, c.message + suffix, obj))
        elif not c.name:
            states.append(TlsState(WARN, c.message, obj))
        else:
            states.append(_coverage(state.get("Secret", c.namespace, c.name), host, obj))
    # a listener or Ingress with several certificates serves the one that covers the host
    return min(states, key=lambda s: _ORDER[s.status])
