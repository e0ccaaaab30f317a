"""Real faults over loopback TLS: handshakes cut and an untrusted certificate for a while (a load
balancer or an apiserver restart). Every reflector and the discovery thread survive as
"reconnecting" with the reason, and after recovery the store equals the server's objects."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ktui.apiserver import ApiServer
from ktui.apiserver.kubeconfig import write_kubeconfig
from ktui.model.kinds import KINDS
from ktui.sources.base import SyncState
from tests.hostile.tlsproxy import TLSProxy, make_cert
from tests.sources.conftest import Live
from tests.sources.objects import pod, seed


@pytest.fixture
def proxy(server: ApiServer, tmp_path: Path) -> Iterator[TLSProxy]:
    trusted, untrusted = make_cert(tmp_path, "trusted"), make_cert(tmp_path, "untrusted")
    p = TLSProxy((server.host, server.port), trusted, untrusted).start()
    p.ca = trusted.cert  # type: ignore[attr-defined]
    try:
        yield p
    finally:
        p.stop()


@pytest.fixture
def tls_live(server: ApiServer, proxy: TLSProxy, tmp_path: Path) -> Iterator[Live]:
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", proxy.url, user=server.api.user,
                                  ca_file=str(proxy.ca))  # type: ignore[attr-defined]
    live = Live(server, str(kubeconfig)).start()
    try:
        yield live
    finally:
        live.source.stop()


def _equal(live: Live, timeout: float = 10.0) -> None:
    """The store equals the server, for every kind the server serves (absent ones hold nothing)."""
    live.wait(lambda: len(live.status) == len(KINDS), "a status for every kind")
    live.wait_equal({k for k, s in live.status.items() if s.state is SyncState.ABSENT}, timeout)


def _reasons(live: Live, words: tuple[str, ...]) -> list[str]:
    return [s.message for s in live.history if s.state is SyncState.RECONNECTING
            and any(w in s.message for w in words)]


@pytest.fixture
def thread_deaths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every exception that ends a thread during the test (none may: a dead source thread is a
    kind that never updates again)."""
    deaths: list[str] = []
    monkeypatch.setattr(threading, "excepthook",
                        lambda args: deaths.append(f"{args.thread.name if args.thread else '?'}: {args.exc_value!r}"))
    return deaths


def test_tls_cut_and_untrusted_for_a_while_then_everything_catches_up(
        thread_deaths: list[str], server: ApiServer, proxy: TLSProxy, tls_live: Live) -> None:
    live = tls_live
    seed(server)
    _equal(live)

    proxy.set_mode("cut")  # every open watch is cut, every new handshake too
    server.apply(pod("during-cut", "shop", ip="10.244.1.201"))
    live.wait(lambda: _reasons(live, ("TLS", "handshake", "EOF", "reset")), "a TLS reason in a status")

    proxy.set_mode("untrusted")
    server.apply(pod("during-untrusted", "shop", ip="10.244.1.202"))
    live.wait(lambda: _reasons(live, ("certificate verify failed",)), "the untrusted certificate as the reason")
    live.wait(lambda: proxy.handshakes["untrusted"] >= 3, "retries against the untrusted certificate")

    proxy.set_mode("ok")
    _equal(live, timeout=30)
    assert live.state.get("Pod", "shop", "during-untrusted") is not None
    alive = set(live.source.alive_threads())
    assert "ktui-discovery" in alive
    assert {f"ktui-reflector:{k.kind}" for k in KINDS} <= alive | {
        f"ktui-reflector:{k}" for k, s in live.status.items() if s.state is SyncState.ABSENT}
    server.apply(pod("after", "shop", ip="10.244.1.203"))  # and it stays live
    _equal(live)
    assert thread_deaths == []
