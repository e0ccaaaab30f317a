"""The small live cluster the `ktui check` and `ktui posture` CLI tests run against (the embedded
API server over loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ktui.apiserver import ApiServer
from tests.check.kit import daemonset, namespace, netpol, pod


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[str]:
    """A kubeconfig (context test-ctx) for a cluster with flannel (no policy enforcement), one pod
    and an egress deny-all in shop."""
    srv = ApiServer()
    srv.start()
    try:
        srv.apply_all([
            namespace("kube-system"), namespace("shop"),
            daemonset("kube-flannel-ds", containers=["kube-flannel"]),
            pod("web", ip="10.0.0.5"),
            netpol("deny-egress", types=["Egress"]),
        ])
        yield str(srv.write_kubeconfig(tmp_path / "kubeconfig", context="test-ctx"))
    finally:
        srv.stop()
