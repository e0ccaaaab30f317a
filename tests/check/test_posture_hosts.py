"""`ktui posture`'s hosts: grouped by Exposure.namespaces (a route in shop sending to payments-api
is listed under payments too), each with its TLS verdict (exposure.tls), and counted once in the
summary."""

from __future__ import annotations

from ktui.analysis.analysis import Analysis
from ktui.render.posture_text import posture_json
from tests.exposure.helpers import endpoint_slice, pod, secret
from tests.exposure.test_answers import state


def _hosts(data: dict, ns: str) -> list[dict]:  # type: ignore[type-arg]
    return next(n for n in data["namespaces"] if n["name"] == ns)["hosts"]


def test_a_cross_namespace_backend_lists_the_host_in_its_namespace() -> None:
    a = Analysis(state(secret("gw", "wildcard", "*.example.com")), live=True)
    data = posture_json(a.posture)
    (pay,) = [h for h in _hosts(data, "payments") if h["route"] == "HTTPRoute shop/api"]
    assert (pay["namespace"], pay["host"]) == ("shop", "api.example.com")
    assert pay in _hosts(data, "shop")
    every = [h for n in data["namespaces"] for h in n["hosts"] if h["namespace"] == n["name"]]
    assert data["summary"]["hostCounts"]["entries"] == len(every)  # each entry once
    assert sum(n["hostCounts"]["entries"] for n in data["namespaces"]) > len(every)


def test_hosts_carry_the_tls_verdict() -> None:
    covered = posture_json(Analysis(state(secret("gw", "wildcard", "*.example.com")), live=True).posture)
    (api,) = [h for h in _hosts(covered, "payments") if h["route"] == "HTTPRoute shop/api"]
    assert (api["tls"], api["tlsStatus"]) == (True, "ok")

    wrong = posture_json(Analysis(state(secret("gw", "wildcard", "www.example.org")), live=True).posture)
    (api,) = [h for h in _hosts(wrong, "payments") if h["route"] == "HTTPRoute shop/api"]
    assert api["tlsStatus"] == "fail" and "do not cover api.example.com" in api["tlsReason"]

    hidden = state(pod("payments", "api-0", {"app": "payments-api"}, "10.0.0.9", (8443,)),
                   endpoint_slice("payments", "payments-api", "https", 8443, ["10.0.0.9"]))
    hidden.set_unseen("Secret", "forbidden (403)")
    data = posture_json(Analysis(hidden, live=True).posture)
    (api,) = [h for h in _hosts(data, "shop") if h["route"] == "HTTPRoute shop/api"]
    assert api["tlsStatus"] == "unknown" and api["status"] == "warn"  # hidden, not missing
    assert api["reason"] == api["tlsReason"] == "Secret gw/wildcard cannot be checked: forbidden (403)"
