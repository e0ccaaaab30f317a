"""Initial sync, live events, bookmarks and stopping, through the real kubernetes client."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ktui.apiserver import ApiServer
from ktui.model.kinds import KINDS
from ktui.sources.base import SyncState
from tests.sources.conftest import FAST, Live, served
from tests.sources.objects import namespace, pod, policy, seed


def test_initial_sync_fills_the_store_with_every_kind(server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    live = live_factory()
    live.wait_equal()
    for info in KINDS:
        want = SyncState.LIVE if served(server, info) else SyncState.ABSENT
        assert live.state_of(info.kind) is want, info.kind
    assert live.state.count("Pod") == 6 and live.state.count("HTTPRoute") == 2
    # page_size=3 in the tests: the 6 pods came in pages, through continue tokens
    pod_lists = [r for r in server.request_log if r.verb == "list" and r.resource == "pods"]
    assert len(pod_lists) >= 2 and any(r.query.get("continue") for r in pod_lists)
    assert not live.problems


def test_added_modified_deleted_reach_the_store(server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    live = live_factory()
    live.wait_equal()
    server.apply(pod("cache-1", "shop", ip="10.244.1.50", app="cache"))
    server.apply(pod("web-1", "shop", ip="10.244.1.10", app="web", version="v2"))
    server.delete_object("pods", "shop", "db-1")
    server.apply(policy("web", "shop", cidr="192.168.0.0/16"))
    server.delete_object("networkpolicies", "other", "web")
    live.wait_equal()
    assert live.state.get("Pod", "shop", "db-1") is None
    assert live.state.get("Pod", "shop", "web-1").metadata.labels["version"] == "v2"
    web = live.state.get("NetworkPolicy", "shop", "web")
    assert web.spec.egress[0].to[0].ip_block.cidr == "192.168.0.0/16"
    assert live.requests("list", "pods") == 2  # the initial two pages; no relist needed


def test_namespace_deletion_takes_its_objects_along(server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    live = live_factory()
    live.wait_equal()
    server.delete_object("namespaces", None, "other")
    live.wait_equal()
    assert not live.state.objects("Pod", "other") and live.state.objects("Pod", "shop")


def test_bookmarks_move_the_resource_version_so_a_compacted_history_needs_no_relist(
        server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    live = live_factory(settings=dataclasses.replace(FAST, watch_timeout=(1.0, 1.0)))
    live.wait_equal()
    for i in range(5):  # other kinds move the global resourceVersion; pods see only bookmarks
        server.apply(namespace(f"extra-{i}"))
    target = str(server.resource_version)
    live.wait(lambda: live.source.resource_version("Pod") == target,
              f"a bookmark to bring Pod's resourceVersion to {target}")
    server.compact()
    watches = live.requests("watch", "pods")
    live.wait(lambda: live.requests("watch", "pods") >= watches + 2, "the pod watch to be re-opened twice")
    server.apply(pod("late-1", "shop", ip="10.244.1.99"))
    live.wait_equal()
    assert live.requests("list", "pods") == 2  # resumed from the bookmark: no 410, no relist
    statuses = [r.status for r in server.request_log if r.verb == "watch" and r.resource == "pods"]
    assert all(s == 200 for s in statuses)


def test_invalid_object_is_a_problem_and_the_rest_loads(server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    bad = policy("bad", "shop", cidr="not-a-cidr")
    server.apply(bad)
    live = live_factory()
    live.wait_equal(hidden=set())
    assert live.state.get("NetworkPolicy", "shop", "bad") is None
    assert any("not-a-cidr" in str(p) for p in live.problems)
    # An object turning invalid through a watch event leaves the store, as a relist would drop it.
    server.apply(policy("web", "shop", cidr="also/bad"))
    live.wait(lambda: live.state.get("NetworkPolicy", "shop", "web") is None, "shop/web to be dropped")
    assert any("also/bad" in str(p) for p in live.problems)


def test_stop_ends_every_thread(server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    live = live_factory()
    live.wait_equal()
    assert server.watch_count() > 0
    live.source.stop()
    assert live.source.alive_threads() == []
    assert live.source.client.closed
