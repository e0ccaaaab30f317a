"""Connecting: kubeconfig and context errors in one clear line, unreachable clusters, and the
one-shot snapshot the CLI uses."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
import yaml

from ktui.apiserver import ApiServer
from ktui.sources.base import SyncState
from ktui.sources.cluster import ClusterError, ClusterSource, snapshot
from tests.sources.conftest import GW, differences, expected_objects, store_objects
from tests.sources.objects import seed


def _one_line(exc: pytest.ExceptionInfo[ClusterError]) -> str:
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    assert "ktui demo" in text
    return text


def test_unknown_context_names_it_and_the_known_ones(kubeconfig: str) -> None:
    with pytest.raises(ClusterError) as exc:
        ClusterSource(kubeconfig, context="prod-eu")
    text = _one_line(exc)
    assert 'context "prod-eu" not found' in text and "ktui-demo" in text


def test_no_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "nothing-here"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(ClusterError) as exc:
        ClusterSource()
    assert "no kubeconfig found" in _one_line(exc)
    with pytest.raises(ClusterError) as exc:
        snapshot(kubeconfig=str(tmp_path / "missing.yaml"))
    assert "missing.yaml not found" in _one_line(exc)


def test_kubeconfig_from_the_environment_and_its_current_context(
        server: ApiServer, kubeconfig: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", f"/nonexistent/config:{kubeconfig}")  # a path list, like kubectl
    source = ClusterSource()
    assert source.context == "ktui-demo" and source.server == server.url
    source.client.close()


def test_unreachable_cluster(server: ApiServer, kubeconfig: str) -> None:
    server.stop()
    source = ClusterSource(kubeconfig, connect_timeout=2)
    with pytest.raises(ClusterError) as exc:
        source.start()
    text = _one_line(exc)
    assert 'context "ktui-demo"' in text and server.url in text and "connection refused" in text
    with pytest.raises(ClusterError):
        snapshot(kubeconfig)


def test_a_broken_context_is_named_and_does_not_spoil_the_others(kubeconfig: str, tmp_path: Path) -> None:
    config = yaml.safe_load(Path(kubeconfig).read_text())
    config["contexts"].append({"name": "broken", "context": {"cluster": "gone", "user": "nobody"}})
    config["current-context"] = "broken"
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(ClusterError) as exc:
        ClusterSource(str(path))
    assert 'cannot use context "broken"' in _one_line(exc)
    source = ClusterSource(str(path), context="ktui-demo")
    source.start()
    source.stop()
    assert source.context == "ktui-demo"


def test_snapshot_lists_everything_with_forbidden_and_absent_kinds_as_statuses(
        server: ApiServer, kubeconfig: str) -> None:
    seed(server)
    server.access.forbid("ingresses", "networking.k8s.io")
    server.set_group_enabled(GW, False)
    loaded = snapshot(kubeconfig)
    assert gc.isenabled()  # paused while listing, never left off
    assert loaded.origin == "ktui-demo"
    hidden = {"Ingress"}
    assert not differences(expected_objects(server, hidden=hidden), store_objects(loaded.state))
    assert loaded.statuses["Ingress"].state is SyncState.FORBIDDEN
    assert loaded.statuses["HTTPRoute"].state is SyncState.ABSENT
    assert loaded.statuses["Pod"].state is SyncState.LIVE
    lines = [str(p) for p in loaded.problems]
    assert any(line.startswith("Ingress: forbidden") for line in lines)
    assert any(line.startswith(f"{GW}: not served") and "HTTPRoute" in line for line in lines)
    assert all(r.method == "GET" for r in server.request_log)


def test_snapshot_in_one_namespace(server: ApiServer, kubeconfig: str) -> None:
    seed(server)
    loaded = snapshot(kubeconfig, namespace="other")
    assert not differences(expected_objects(server, "other"), store_objects(loaded.state))
    assert {p.metadata.namespace for p in loaded.state.pods()} == {"other"}


def test_in_cluster_config_when_there_is_no_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kubernetes.config import incluster_config

    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    token, cert = tmp_path / "token", tmp_path / "ca.crt"
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(token))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(cert))
    with pytest.raises(ClusterError) as exc:  # not (yet) a service account: say so
        ClusterSource()
    assert "in-cluster config" in _one_line(exc)
    token.write_text("service-account-token")
    cert.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    source = ClusterSource()
    assert source.context == "in-cluster" and source.server == "https://10.96.0.1:443"
    source.client.close()


def test_the_proxy_is_read_from_the_environment_once_not_before_every_request(
        server: ApiServer, kubeconfig: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import kubernetes.client.configuration as client_configuration

    from ktui.sources.kubeclient import KubeClient, connect

    real = client_configuration.getproxies
    reads: list[int] = []
    monkeypatch.setattr(client_configuration, "getproxies", lambda: reads.append(1) or real())
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # the test server is reached directly
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    conn = connect(kubeconfig)
    assert conn.api.configuration.proxy == "http://proxy.invalid:3128"  # the environment's, as kubectl
    assert conn.api.configuration.no_proxy == "127.0.0.1,localhost"
    loaded = len(reads)
    client = KubeClient(conn)
    try:
        for _ in range(5):
            assert b'"kind":"NamespaceList"' in client.get_bytes("/api/v1/namespaces").replace(b" ", b"")
    finally:
        client.close()
    assert len(reads) == loaded  # the credential refresh before each request reads it no more
    assert conn.api.configuration.proxy == "http://proxy.invalid:3128"
