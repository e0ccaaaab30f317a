"""The embedded server over https: the kubeconfig names its certificate as the CA, and ktui's
live source reads through it as from any TLS apiserver."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ktui.apiserver import ApiServer
from ktui.sources.cluster import snapshot
from tests.sources.conftest import FAST


@pytest.fixture
def cert(tmp_path: Path) -> tuple[str, str]:
    assert shutil.which("openssl") is not None, "the TLS tests need the openssl command (Debian: openssl)"
    key, crt = tmp_path / "tls.key", tmp_path / "tls.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(crt)], check=True, capture_output=True)
    return str(crt), str(key)


def test_snapshot_over_tls(cert: tuple[str, str], tmp_path: Path) -> None:
    crt, key = cert
    with ApiServer(certfile=crt, keyfile=key) as server:
        assert server.url.startswith("https://")
        server.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
        loaded = snapshot(str(server.write_kubeconfig(tmp_path / "kc")), settings=FAST)
        assert [ns.metadata.name for ns in loaded.state.objects("Namespace")] == ["shop"]
        assert server.request_log and all(r.status == 200 for r in server.request_log if r.verb == "list")
