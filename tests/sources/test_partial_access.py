"""Partial permissions: what cannot be listed is recorded as unseen (kind, namespace) in the store,
cleared when it becomes visible; `-n NS` works for a user who may only read that namespace."""

from __future__ import annotations

import queue
from collections.abc import Callable
from pathlib import Path

from ktui.apiserver import ApiServer
from ktui.apiserver.access import AccessRule
from ktui.apiserver.resources import READ_VERBS
from ktui.model.core import NS_NAME_LABEL
from ktui.model.kinds import KINDS
from ktui.sources.access import Denied, denied
from ktui.sources.base import Item, KindStatus, SyncState, drain
from ktui.sources.cluster import snapshot
from ktui.sources.kubeclient import KubeClient, connect
from ktui.store import ClusterState
from tests.sources.conftest import FAST, Live
from tests.sources.objects import namespace, pod, seed

SHOP_ONLY = [AccessRule(verbs=READ_VERBS, namespaces=("shop",))]
"""A user bound by a RoleBinding in shop: namespaced reads there (and `get namespaces/shop`)."""


def _limited(server: ApiServer, tmp_path: Path, rules: list[AccessRule]) -> str:
    server.add_token("shop-reader-token", "shop-reader", rules)
    return str(server.write_kubeconfig(tmp_path / "limited", token="shop-reader-token", user="shop-reader"))


def test_drain_records_and_clears_unseen_kinds() -> None:
    q: queue.SimpleQueue[Item] = queue.SimpleQueue()
    state, status = ClusterState(), {}
    q.put(KindStatus("NetworkPolicy", SyncState.FORBIDDEN, message="no rights", namespace="shop"))
    q.put(KindStatus("Namespace", SyncState.FORBIDDEN))
    drain(q, state, status)
    assert state.unseen("NetworkPolicy", "shop") == "no rights"
    assert state.unseen("NetworkPolicy", "other") is None
    assert state.unseen("Namespace") == "forbidden"
    q.put(KindStatus("NetworkPolicy", SyncState.LIVE, namespace="shop"))
    q.put(KindStatus("Namespace", SyncState.RECONNECTING))  # not known either way: kept
    drain(q, state, status)
    assert state.unseen("NetworkPolicy", "shop") is None and state.unseen("Namespace") == "forbidden"


def test_snapshot_with_a_namespace_only_user(server: ApiServer, tmp_path: Path) -> None:
    seed(server)
    server.apply(namespace("shop", team="payments"))
    kubeconfig = _limited(server, tmp_path, SHOP_ONLY)
    loaded = snapshot(kubeconfig, namespace="shop", settings=FAST)
    for info in KINDS:
        st = loaded.statuses[info.kind].state
        if st is SyncState.ABSENT:
            continue
        assert st is (SyncState.LIVE if info.namespaced else SyncState.FORBIDDEN), info.kind
    assert {p.metadata.namespace for p in loaded.state.pods()} == {"shop"}
    assert loaded.state.unseen("Namespace") and loaded.state.unseen("Node")
    assert loaded.state.unseen("NetworkPolicy", "shop") is None
    shop = loaded.state.get("Namespace", "", "shop")  # read with a GET of that one namespace
    assert shop is not None and shop.metadata.labels["team"] == "payments"
    assert "forbidden" in " ".join(str(p) for p in loaded.problems)


def test_namespace_synthesized_when_not_even_readable(server: ApiServer, tmp_path: Path) -> None:
    seed(server)
    rules = [AccessRule(verbs=READ_VERBS, resources=("namespaces",), allow=False), *SHOP_ONLY]
    loaded = snapshot(_limited(server, tmp_path, rules), namespace="shop", settings=FAST)
    shop = loaded.state.get("Namespace", "", "shop")
    assert shop is not None and dict(shop.metadata.labels) == {NS_NAME_LABEL: "shop"}  # labels unknown
    assert loaded.state.unseen("Namespace")


def test_forbidden_in_one_namespace_is_unseen_there(server: ApiServer, tmp_path: Path) -> None:
    seed(server)
    server.access.forbid("networkpolicies", "networking.k8s.io", namespaces=("shop",))
    loaded = snapshot(str(server.write_kubeconfig(tmp_path / "kc")), namespace="shop", settings=FAST)
    assert loaded.statuses["NetworkPolicy"].state is SyncState.FORBIDDEN
    assert loaded.state.unseen("NetworkPolicy", "shop")
    assert loaded.state.unseen("NetworkPolicy", "other") is None
    assert loaded.state.unseen("Pod", "shop") is None


def test_live_namespace_only_user_then_access_granted(server: ApiServer, tmp_path: Path,
                                                      live_factory: Callable[..., Live]) -> None:
    seed(server)
    server.apply(pod("web-9", "shop"))
    access = server.add_token("shop-reader-token", "shop-reader", list(SHOP_ONLY))
    kubeconfig = str(server.write_kubeconfig(tmp_path / "limited", token="shop-reader-token"))
    live = Live(server, kubeconfig, namespace="shop").start()
    try:
        live.wait(lambda: live.state.unseen("Namespace") and live.state.get("Namespace", "", "shop"),
                  "Namespaces unseen, shop known")
        live.wait(lambda: live.state.get("Pod", "shop", "web-9"), "the shop pods")
        assert live.state.unseen("Pod", "shop") is None
        access.rules = [AccessRule(verbs=READ_VERBS)]  # a ClusterRoleBinding arrives
        live.wait(lambda: live.state.unseen("Namespace") is None, "Namespaces visible again", timeout=20)
        live.wait(lambda: live.state.get("Namespace", "", "other"), "every namespace listed")
    finally:
        live.source.stop()


def test_access_reviews_tell_up_front_what_cannot_be_read(server: ApiServer, tmp_path: Path,
                                                          live_factory: Callable[..., Live]) -> None:
    seed(server)
    server.add_token("shop-reader-token", "shop-reader",
                     [AccessRule(verbs=READ_VERBS, resources=("secrets",), allow=False), *SHOP_ONLY])
    kubeconfig = str(server.write_kubeconfig(tmp_path / "limited", token="shop-reader-token"))
    live = Live(server, kubeconfig, namespace="shop").start()
    try:
        found = live.wait(lambda: live.source.denied, "the access reviews' answer")
        assert Denied("Secret", "shop", "list") in found and Denied("Node", "", "watch") in found
        assert not any(d.kind == "Pod" for d in found)
        live.wait(lambda: any(p.where == "access" and p.message.startswith("cannot ") for p in live.problems),
                  "the access line")
    finally:
        live.source.stop()
    reviews = [r for r in server.request_log if r.resource == "selfsubjectaccessreviews"]
    assert reviews and all(r.method == "POST" for r in reviews)


def test_denied_is_none_when_reviews_cannot_be_asked(server: ApiServer, kubeconfig: str) -> None:
    server.faults.add(verb="create", resource="selfsubjectaccessreviews", status=404)
    client = KubeClient(connect(kubeconfig))
    try:
        assert denied(client, [i for i in KINDS if i.kind in ("Pod", "Node")], None) is None
    finally:
        client.close()
