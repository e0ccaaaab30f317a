"""A host's status (ok / warn / fail / unknown): the one definition `ktui hosts`, `ktui posture`
and the TUI all show, judged on the entry's own triage chain so that a host marked broken is one
`ktui triage` shows broken, link by link.

"unknown" is a chain whose only doubts are things ktui could not see (endpoints without any
EndpointSlice, as from manifests): neither a warning about the cluster nor a clean bill.
"""

from __future__ import annotations

from dataclasses import dataclass

from ktui.analysis.exposure.entries import Exposure
from ktui.analysis.exposure.tls import NONE, TlsState, tls_state
from ktui.analysis.exposure.triage import Chain, Triager
from ktui.analysis.exposure.triage_links import FAIL, OK, WARN, Link

UNKNOWN = "unknown"
HOST_STATUSES = (OK, UNKNOWN, WARN, FAIL)  # least to most worrying
STATUS_RANK = {s: i for i, s in enumerate(HOST_STATUSES)}
NO_TLS = TlsState(NONE)


def _unseen(link: Link, entry: Exposure) -> bool:
    """A warning that only says ktui could not look (no EndpointSlices in the state)."""
    return link.name == "endpoints" and any(b.kind == "Service" and not b.endpoints.known for b in entry.backends)


def host_status(chain: Chain) -> str:
    """fail if a link fails; warn if a link warns about something seen; unknown if the only
    doubts are unseen; else ok."""
    worst = OK
    for lk in chain.links:
        if lk.status == FAIL:
            return FAIL
        if lk.status == WARN:
            status = UNKNOWN if _unseen(lk, chain.entry) else WARN
            if STATUS_RANK[status] > STATUS_RANK[worst]:
                worst = status
    return worst


@dataclass(frozen=True, slots=True)
class HostHealth:
    """One exposed entry with its status, the first link behind that status (why, what to look at),
    and its TLS verdict (exposure.tls: the same answer as the chain's tls link)."""

    entry: Exposure
    status: str  # ok | unknown | warn | fail
    reason: str = ""
    obj: str = ""
    tls: TlsState = NO_TLS


def host_health(triager: Triager, entry: Exposure) -> HostHealth:
    """The entry judged on the chain a request for its own host and path would walk."""
    chain = triager.chain(entry, entry.host, entry.path or "/")
    status = host_status(chain)
    link_status = {FAIL: FAIL, WARN: WARN, UNKNOWN: WARN}.get(status)
    bad = next((lk for lk in chain.links if lk.status == link_status
                and (status != WARN or not _unseen(lk, entry))), None)
    return HostHealth(entry, status, bad.reason if bad else "", bad.obj if bad else "",
                      tls_state(triager.state, entry, live=triager.live))
