"""A host's status, the one definition (ktui.analysis.exposure.status) `ktui hosts`, `ktui posture`
and the TUI show: fail > warn (about something seen) > unknown (only what ktui could not see) > ok."""

from __future__ import annotations

from ktui.analysis.exposure.backends import Backend, Endpoints
from ktui.analysis.exposure.entries import Exposure
from ktui.analysis.exposure.status import host_status
from ktui.analysis.exposure.triage import Chain
from ktui.analysis.exposure.triage_links import FAIL, OK, WARN, Link


def _entry(known: bool) -> Exposure:
    backend = Backend("shop", "web", "80", exists=True, endpoints=Endpoints(known))
    return Exposure("shop", "Ingress shop/web", "shop.example.com", 80, "HTTP", "/", backends=(backend,))


def chain(known: bool, *links: tuple[str, str]) -> Chain:
    return Chain(_entry(known), tuple(Link(name, status, "why") for name, status in links))


def test_every_link_ok_is_ok() -> None:
    assert host_status(chain(True, ("class", OK), ("service", OK), ("endpoints", OK))) == "ok"


def test_a_failing_link_fails_whatever_else() -> None:
    assert host_status(chain(False, ("endpoints", WARN), ("service", FAIL))) == "fail"


def test_endpoints_ktui_could_not_see_are_unknown_not_a_warning() -> None:
    assert host_status(chain(False, ("service", OK), ("endpoints", WARN))) == "unknown"


def test_a_warning_about_something_seen_stays_a_warning() -> None:
    assert host_status(chain(True, ("endpoints", WARN))) == "warn"  # slices seen: 0 ready
    assert host_status(chain(False, ("class", WARN), ("endpoints", WARN))) == "warn"
