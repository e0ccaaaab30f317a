"""-n scoping, and what the source sends: only reads, and Secrets only ever as metadata."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ktui.apiserver import AccessRule, ApiServer
from ktui.model.kinds import BY_KIND
from ktui.sources.base import SyncState
from ktui.sources.cluster import snapshot
from tests.sources.conftest import Live
from tests.sources.objects import pod, secret, seed

CLUSTER_SCOPED = {"Namespace", "IngressClass", "GatewayClass"}


def test_namespace_flag_scopes_every_namespaced_watch(server: ApiServer, live_factory: Callable[..., Live]) -> None:
    seed(server)
    live = live_factory(namespace="shop")
    live.wait_equal()
    assert {p.metadata.namespace for p in live.state.pods()} == {"shop"}
    assert live.state.count("Namespace") == 3  # cluster-scoped kinds are still listed
    server.apply(pod("outside", "other", ip="10.244.2.99"))
    server.apply(pod("inside", "shop", ip="10.244.1.99"))
    live.wait_equal()
    assert live.state.get("Pod", "other", "outside") is None
    for r in server.request_log:
        if r.verb in ("list", "watch"):
            info = next(i for i in BY_KIND.values() if i.plural == r.resource)
            assert r.namespace == ("shop" if info.namespaced else None), (r.verb, r.path)


def test_namespace_only_rights_forbid_the_cluster_scoped_kinds(server: ApiServer,
                                                              live_factory: Callable[..., Live]) -> None:
    seed(server)
    server.access.rules = [AccessRule(verbs=("get", "list", "watch"), namespaces=("shop",))]
    live = live_factory(namespace="shop")
    live.wait_equal(hidden=CLUSTER_SCOPED, skip={"Namespace"})
    for kind in CLUSTER_SCOPED:
        assert live.state_of(kind) is SyncState.FORBIDDEN, kind
    assert live.state_of("Pod") is SyncState.LIVE and live.state.count("Pod") == 3
    # Namespaces cannot be listed: the -n one is known (a GET of it is allowed in shop)
    assert [ns.metadata.name for ns in live.state.objects("Namespace")] == ["shop"]
    assert live.state.unseen("Namespace")


def _assert_only_reads_and_partial_secrets(server: ApiServer) -> None:
    log = server.request_log
    assert log
    for r in log:
        if r.resource == "selfsubjectaccessreviews":  # the one create: a question, nothing stored
            assert (r.method, r.verb, r.group) == ("POST", "create", "authorization.k8s.io"), r.path
            continue
        assert r.method == "GET" and r.verb in ("get", "list", "watch"), (r.method, r.verb, r.path)
    secret_requests = [r for r in log if r.resource == "secrets"]
    assert {r.verb for r in secret_requests} == {"list", "watch"}  # never a get of one Secret
    for r in secret_requests:
        media = [m.strip() for m in r.accept.split(",")]
        assert media and all("as=PartialObjectMetadata" in m and "g=meta.k8s.io" in m for m in media), r.accept


def test_only_reads_are_sent_and_secrets_only_as_metadata(server: ApiServer, kubeconfig: str,
                                                          live_factory: Callable[..., Live]) -> None:
    seed(server)
    server.faults.add("watch", "secrets", drop_after_events=1, times=1)  # a reconnect, too
    live = live_factory()
    live.wait_equal()
    server.apply(secret("late-tls", "shop"))
    server.apply(secret("later-tls", "other"))
    server.delete_object("secrets", "shop", "shop-tls")
    live.wait_equal()
    loaded = snapshot(kubeconfig)
    assert loaded.state.count("Secret") == 3
    secrets = live.state.objects("Secret")
    assert secrets and all(not hasattr(s, "data") for s in secrets)
    assert live.state.get("Secret", "shop", "late-tls").metadata.annotations["cert-manager.io/alt-names"]
    _assert_only_reads_and_partial_secrets(server)


def test_a_server_ignoring_the_metadata_only_header_is_refused(
        server: ApiServer, live_factory: Callable[..., Live], monkeypatch: pytest.MonkeyPatch) -> None:
    seed(server)
    monkeypatch.setattr("ktui.apiserver.api.wants_partial", lambda accept: False)
    live = live_factory()
    live.wait_state("Secret", SyncState.FORBIDDEN)
    live.wait_equal(hidden={"Secret"})
    assert live.state.count("Secret") == 0
    assert any("metadata-only" in str(p) for p in live.problems)
