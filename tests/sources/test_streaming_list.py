"""The streaming list (watch + sendInitialEvents) where the server offers it, pages where not."""

from __future__ import annotations

from collections.abc import Callable

from ktui.apiserver import ApiServer
from ktui.model.kinds import lookup
from ktui.sources.cluster import snapshot
from ktui.sources.kubeclient import KubeClient, connect
from ktui.sources.lister import list_objects
from tests.sources.conftest import STREAMING, Live
from tests.sources.objects import seed

POD = lookup("v1", "Pod")
assert POD is not None


def _requests(server: ApiServer, resource: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    log = [r for r in server.request_log if r.resource == resource]
    return ([r.query for r in log if r.verb == "list"], [r.query for r in log if r.verb == "watch"])


def test_live_source_syncs_through_streaming_lists(server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    live = live_factory(settings=STREAMING)
    live.wait_equal()
    lists, watches = _requests(server, "pods")
    assert lists == []  # no paginated list at all
    initial = [q for q in watches if q.get("sendInitialEvents") == "true"]
    assert initial and initial[0]["resourceVersionMatch"] == "NotOlderThan"
    assert initial[0]["allowWatchBookmarks"] == "true"
    assert any(q.get("sendInitialEvents") is None and q.get("resourceVersion") for q in watches)  # then a watch
    assert not live.problems
    server.delete_object("pods", "shop", "db-1")
    live.wait_equal()


def test_streaming_list_returns_every_object_and_the_bookmark_rv(server: ApiServer, kubeconfig: str) -> None:
    seed(server)
    client = KubeClient(connect(kubeconfig))
    try:
        objs, rv, errors = list_objects(client, POD, "v1", None, STREAMING)
    finally:
        client.close()
    assert sorted((o.metadata.namespace, o.metadata.name) for o in objs) == sorted(
        (p["metadata"]["namespace"], p["metadata"]["name"]) for p in server.objects("pods"))
    assert rv == str(server.resource_version) and errors == []


def test_a_server_without_streaming_lists_is_listed_with_pages(server: ApiServer, kubeconfig: str) -> None:
    seed(server)
    refused = server.faults.add(verb="watch", status=422, message="sendInitialEvents is forbidden for watch")
    loaded = snapshot(kubeconfig, settings=STREAMING)
    assert loaded.state.count("Pod") == len(server.objects("pods"))
    lists, _ = _requests(server, "pods")
    assert lists and any(q.get("continue") for q in lists)  # paginated (page_size 3)
    # remembered per client: refused once per worker at most (8 list in parallel), not per kind
    assert 1 <= refused.hits <= 8 < len(loaded.statuses)


def test_streaming_list_of_secrets_full_objects_are_refused(server: ApiServer, kubeconfig: str) -> None:
    server.apply({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "shop"},
                  "data": {"k": "c2VjcmV0"}})
    server.faults.add(verb="watch", resource="secrets", ignore_accept=True)
    loaded = snapshot(kubeconfig, settings=STREAMING)
    assert loaded.state.objects("Secret") == []
    assert any("Secret" in str(p) and "full objects" in str(p) for p in loaded.problems), loaded.problems
