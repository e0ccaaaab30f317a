"""Kubeconfig edges: an untrusted server certificate, insecure-skip-tls-verify, a failing exec
credential plugin. Each is one clear line naming the context or the server."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3
import yaml

from ktui.apiserver import ApiServer
from ktui.apiserver.kubeconfig import DUMMY_TOKEN, kubeconfig
from ktui.model.kinds import BY_KIND
from ktui.sources.cluster import ClusterError, ClusterSource, snapshot
from ktui.sources.kubeclient import connect
from tests.hostile.tlsproxy import TLSProxy, make_cert


@pytest.fixture
def proxy(server: ApiServer, tmp_path: Path) -> Iterator[TLSProxy]:
    p = TLSProxy((server.host, server.port), make_cert(tmp_path, "trusted"), make_cert(tmp_path, "other")).start()
    try:
        yield p
    finally:
        p.stop()


def _write(tmp_path: Path, url: str, user: dict[str, object] | None = None, **cluster: object) -> str:
    config = kubeconfig(url, context="edge")
    config["clusters"][0]["cluster"].update(cluster)
    if user is not None:
        config["users"][0]["user"] = user
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def test_an_untrusted_certificate_names_the_server_and_what_failed(proxy: TLSProxy, tmp_path: Path) -> None:
    other = make_cert(tmp_path, "unrelated-ca")  # the kubeconfig trusts another CA
    path = _write(tmp_path, proxy.url, **{"certificate-authority": str(other.cert)})
    with pytest.raises(ClusterError) as info:
        ClusterSource(path).start()
    message = str(info.value)
    assert proxy.url in message and "certificate verify failed" in message
    assert "internal error" not in message and "\n" not in message


def test_insecure_skip_tls_verify_is_one_line_not_a_warning_per_request(proxy: TLSProxy, tmp_path: Path,
                                                                         server: ApiServer) -> None:
    path = _write(tmp_path, proxy.url, **{"insecure-skip-tls-verify": True})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = snapshot(kubeconfig=path, kinds=[BY_KIND["Pod"], BY_KIND["Service"], BY_KIND["Namespace"]])
    assert not [w for w in caught if issubclass(w.category, urllib3.exceptions.InsecureRequestWarning)]
    notes = [p for p in loaded.problems if "insecure-skip-tls-verify" in p.message]
    assert len(notes) == 1 and proxy.url in notes[0].message


def test_a_failing_exec_plugin_is_one_clear_error(server: ApiServer, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    exec_user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "sh",
                          "args": ["-c", "echo 'token expired, run login' >&2; exit 3"],
                          "interactiveMode": "Never"}}
    path = _write(tmp_path, server.url, user=exec_user)
    with pytest.raises(ClusterError) as info:
        connect(path)
    message = str(info.value)
    assert 'context "edge"' in message and "credential plugin" in message and "token expired" in message
    assert capsys.readouterr().err == ""  # no raw library log line


def test_a_working_token_still_connects(server: ApiServer, tmp_path: Path) -> None:
    path = _write(tmp_path, server.url, user={"token": DUMMY_TOKEN})
    assert connect(path).context == "edge"
