"""The overlay's replica sees what the bridge's store could not read: with Secrets forbidden on a
live cluster, a TLS route is "unknown" (its Secret cannot be checked), not failing for a Secret
that is merely hidden."""

from __future__ import annotations

from pathlib import Path

import yaml

from ktui.sources.base import KindStatus, SyncState
from ktui.tui.bridge import Bridge
from ktui.tui.overlay import Overlay, OverlayResult
from tests.exposure.helpers import endpoint_slice, namespace, pod
from tests.exposure.test_answers import GATEWAY

from .conftest import StillSource

ROUTE = "HTTPRoute shop/api"  # in shop, to payments-api behind a TLS listener of gw/public


def _bridge(tmp_path: Path) -> tuple[Bridge, list[OverlayResult]]:
    extra = [namespace("gw"), namespace("shop"), namespace("payments"),
             pod("payments", "api-0", {"app": "payments-api"}, "10.0.0.9", (8443,)),
             endpoint_slice("payments", "payments-api", "https", 8443, ["10.0.0.9"])]
    (tmp_path / "site.yaml").write_text(GATEWAY + "---\n" + yaml.safe_dump_all(extra))
    bridge = Bridge(StillSource([str(tmp_path / "site.yaml")]), live=True)
    results: list[OverlayResult] = []

    def take(result: OverlayResult) -> None:
        results.append(result)
        bridge.apply_overlay(result)

    bridge.attach_overlay(Overlay(take, live=True, process=False))
    bridge.start()
    return bridge, results


def test_forbidden_secrets_reach_the_replica(tmp_path: Path) -> None:
    bridge, results = _bridge(tmp_path)
    bridge.poll()
    assert bridge.exposure is not None
    (before,) = [h for h in bridge.exposure["payments"].entries if h.entry.route == ROUTE]
    assert (before.status, before.tls.status) == ("fail", "fail")  # live, Secrets readable: missing

    bridge.source.queue.put(KindStatus("Secret", SyncState.FORBIDDEN, message="forbidden (403)"))
    bridge.poll()
    assert not results[-1].error
    (after,) = [h for h in bridge.exposure["payments"].entries if h.entry.route == ROUTE]
    assert after.status != "fail", after.reason
    assert after.tls.status == "unknown" and "cannot be checked" in after.tls.reason

    bridge.source.queue.put(KindStatus("Secret", SyncState.LIVE))  # readable again: missing again
    bridge.poll()
    (again,) = [h for h in bridge.exposure["payments"].entries if h.entry.route == ROUTE]
    assert again.status == "fail"
