"""The failures of a real cluster: 410, 403, 404 then the CRDs appear, dropped streams, restarts,
server errors. After each, the store must equal the server's objects again."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from ktui.apiserver import ApiServer
from ktui.model.kinds import KINDS
from ktui.sources.base import SyncState
from tests.sources.conftest import GW, STREAMING, Live, wait_for
from tests.sources.objects import gateway, http_route, namespace, pod, seed

GATEWAY_KINDS = ("GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute",
                 "ReferenceGrant")


def _restart_with(server: ApiServer, writes: Callable[[], None], downtime: float = 0.4) -> None:
    """Restart the server and make `writes` while it is down (the client misses their events)."""
    t = threading.Thread(target=server.restart, kwargs={"downtime": downtime})
    t.start()
    wait_for(lambda: not server.running, "the server to go down")
    writes()
    t.join()


def test_410_after_compaction_relists_and_drops_what_was_deleted_meanwhile(
        server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    live = live_factory()
    live.wait_equal()

    def writes() -> None:
        server.delete_object("pods", "shop", "api-1")
        server.apply(pod("new-1", "shop", ip="10.244.1.77"))
        server.compact()  # the client's resourceVersion is now too old: 410 on its next watch

    _restart_with(server, writes)
    live.wait_equal()
    assert live.state.get("Pod", "shop", "api-1") is None  # only a relist (Replace) can know this
    assert live.requests("list", "pods") == 4  # two pages at start, two for the relist
    gone = [r for r in server.request_log if r.verb == "watch" and r.resource == "pods" and r.status == 200]
    assert len(gone) >= 2


def test_410_error_event_relists(server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    server.faults.add("watch", "services", status=410, times=1)  # the first services watch
    live = live_factory()
    live.wait_equal()
    wait_for(lambda: live.requests("list", "services") >= 4, "services to be listed again after the 410")
    server.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "late", "namespace": "shop"},
                  "spec": {"ports": [{"port": 80}]}})
    live.wait_equal()
    assert live.state.get("Service", "shop", "late") is not None


def test_403_kind_is_forbidden_the_rest_works_and_recovers(server: ApiServer,
                                                           live_factory: Callable[..., Live]) -> None:
    seed(server)
    rule = server.access.forbid("networkpolicies", "networking.k8s.io")
    live = live_factory()
    live.wait_equal(hidden={"NetworkPolicy"})
    assert live.state_of("NetworkPolicy") is SyncState.FORBIDDEN
    assert "forbidden" in live.status["NetworkPolicy"].message
    assert live.state_of("Pod") is SyncState.LIVE
    server.access.rules = [r for r in server.access.rules if r is not rule]  # access granted later
    live.wait_state("NetworkPolicy", SyncState.LIVE)
    live.wait_equal()
    assert live.state.count("NetworkPolicy") == 2


def test_access_revoked_while_watching_empties_the_kind(server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    live = live_factory()
    live.wait_equal()
    server.access.forbid("secrets")
    server.faults.add("watch", "secrets", drop_after_events=0, times=1)  # make it reconnect: now 403
    server.restart()
    live.wait_state("Secret", SyncState.FORBIDDEN)
    live.wait_equal(hidden={"Secret"})
    assert live.state.count("Secret") == 0


def test_404_group_absent_then_the_crds_appear_and_go_again(
        server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    server.set_group_enabled(GW, False)
    live = live_factory()
    live.wait_equal()
    for kind in GATEWAY_KINDS:
        assert live.state_of(kind) is SyncState.ABSENT, kind
    assert live.state.count("HTTPRoute") == 0 and live.state.count("Pod") == 6
    assert live.requests("list", "httproutes") == 0  # discovery said so: no blind 404s

    server.set_group_enabled(GW, True)  # CRDs installed: the next discovery picks them up
    live.wait_state("HTTPRoute", SyncState.LIVE)
    live.wait_equal()
    assert live.state.count("HTTPRoute") == 2 and live.state.count("Gateway") == 1

    server.set_group_enabled(GW, False)  # CRDs removed: the objects go with them
    live.wait(lambda: live.state.count("HTTPRoute") == 0, "routes to leave the store")
    live.wait_equal()
    assert live.state_of("Gateway") is SyncState.ABSENT


def test_404_on_list_marks_the_kind_absent_until_it_answers(server: ApiServer,
                                                            live_factory: Callable[..., Live]) -> None:
    seed(server)
    fault = server.faults.add("list", "httproutes", GW, status=404)
    live = live_factory()
    live.wait_state("HTTPRoute", SyncState.ABSENT)
    live.wait_equal(hidden={"HTTPRoute"})
    server.faults.remove(fault)
    live.wait_state("HTTPRoute", SyncState.LIVE)
    live.wait_equal()
    assert fault.hits >= 1


def test_stream_dropped_midway_resumes_without_losing_events(
        server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    fault = server.faults.add("watch", "pods", drop_after_events=2, times=1)
    live = live_factory()
    live.wait_equal()
    for i in range(5):
        server.apply(pod(f"burst-{i}", "other", ip=f"10.244.2.{100 + i}"))
    live.wait_equal()
    assert fault.hits == 1
    assert live.state.count("Pod") == 11
    assert any(s.kind == "Pod" and s.state is SyncState.RECONNECTING for s in live.history)
    assert live.requests("list", "pods") == 2  # resumed from the last resourceVersion, no relist


def test_server_restart_resumes_every_watch(server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    live = live_factory()
    live.wait_equal()
    lists_before = sum(1 for r in server.request_log if r.verb == "list")

    def writes() -> None:
        server.apply(namespace("born-while-down"))
        server.apply(pod("db-1", "shop", ip="10.244.1.12", app="db", restarted="yes"))
        server.delete_object("httproutes", "other", "api")
        server.apply(gateway("second", "infra"))

    _restart_with(server, writes)
    live.wait_equal()
    assert sum(1 for r in server.request_log if r.verb == "list") == lists_before  # history intact
    assert {s.kind for s in live.history if s.state is SyncState.RECONNECTING} >= {"Pod", "Namespace"}
    assert live.state.get("Pod", "shop", "db-1").metadata.labels["restarted"] == "yes"


def test_server_errors_back_off_then_recover(server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    fault = server.faults.add("list", "ingresses", "networking.k8s.io", status=500, times=3)
    live = live_factory()
    live.wait_equal()
    assert fault.hits == 3
    reconnecting = [s for s in live.history if s.kind == "Ingress" and s.state is SyncState.RECONNECTING]
    assert len(reconnecting) == 1 and "500" in reconnecting[0].message  # "reconnecting since T", once
    server.apply(http_route("late", "shop"))
    live.wait_equal()


def _equal(live: Live) -> None:
    """wait_equal over the kinds the server serves (absent kinds hold nothing on either side)."""
    live.wait(lambda: len(live.status) == len(KINDS), "a status for every kind")
    live.wait_equal({k for k, s in live.status.items() if s.state is SyncState.ABSENT})


def _inject(live: Live, resource: str, lines: list[bytes], times: int, streaming: bool = False) -> list[int]:
    """Make the next `times` watches of `resource` start with `lines` (then the real stream);
    `streaming`: the streaming lists (watch with sendInitialEvents) instead."""
    client = live.source.client
    real_get = client.get
    left = [times]

    def get(path: str, query: dict[str, object] | None = None, *args: object, **kwargs: object) -> object:
        resp = real_get(path, query, *args, **kwargs)  # type: ignore[arg-type]
        watch = bool(query) and query.get("watch") == "true" and (
            ("sendInitialEvents" in query) is streaming)  # type: ignore[operator]
        if watch and path.endswith(f"/{resource}") and left[0] > 0:
            left[0] -= 1
            stream = resp.stream

            def injected(*a: object, **kw: object) -> object:
                yield from lines
                yield from stream(*a, **kw)  # type: ignore[arg-type]

            resp.stream = injected  # type: ignore[method-assign]
        return resp

    client.get = get  # type: ignore[method-assign]
    return left


IMPOSTOR = (b'{"type":"ADDED","object":{"kind":"Service","apiVersion":"v1","metadata":{"name":"impostor",'
            b'"namespace":"shop","resourceVersion":"999999"},"spec":{"ports":[{"port":80}]}}}\n')


@pytest.mark.parametrize("bad", [b'{"type":"ADDED","object":{"kind":"Pod","metad\n',
                                 b'{"type":"WEIRD","object":{"metadata":{"resourceVersion":"999999"}}}\n',
                                 IMPOSTOR], ids=["half-line", "unknown-type", "other-kind"])
def test_a_bad_watch_event_ends_the_watch_resumes_and_is_reported_once(
        server: ApiServer, live_factory: Callable[..., Live], bad: bytes) -> None:
    seed(server)
    live = live_factory()
    _equal(live)
    left = _inject(live, "pods", [bad], times=3)
    live.source.client.abort_all()  # the pods watch reconnects now, and meets the bad line
    wait_for(lambda: left[0] == 0, "three watches of pods with the bad line", pump=live.pump)
    server.apply(pod("after", "shop", ip="10.244.1.90"))
    _equal(live)
    assert live.state.get("Pod", "shop", "impostor") is None
    reported = [p for p in live.problems if p.where == "Pod" and "watch restarted" in p.message]
    assert len(reported) == 1, reported
    assert any(s.kind == "Pod" and s.state is SyncState.RECONNECTING and s.message in reported[0].message
               for s in live.history)


@pytest.mark.parametrize("bad", [b'{"type":"WEIRD","object":{"metadata":{"resourceVersion":"999999"}}}\n', IMPOSTOR,
                                 b'{"type":"ADDED","object":{"kind":"Pod","metad\n'],
                         ids=["unknown-type", "other-kind", "half-line"])
def test_a_bad_event_in_a_streaming_list_is_retried_never_stored(
        server: ApiServer, live_factory: Callable[..., Live], bad: bytes) -> None:
    seed(server)
    live = live_factory(settings=STREAMING)
    _equal(live)
    left = _inject(live, "pods", [bad], times=2, streaming=True)
    server.apply(pod("late", "shop", ip="10.244.1.91"))
    server.faults.add("watch", "pods", status=410, times=1)  # the resumed watch: 410, so a (streaming) relist
    live.source.client.abort_all()
    wait_for(lambda: left[0] == 0, "two streaming lists of pods with the bad line", pump=live.pump)
    _equal(live)
    assert live.state.get("Pod", "", "") is None and live.state.get("Pod", "shop", "impostor") is None
