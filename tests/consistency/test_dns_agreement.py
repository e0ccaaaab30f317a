"""DNS: `ktui posture` (the policy package's DNS answer) and KTUI-NP003 (`ktui check`) agree on the
usual ways manifests let pods reach cluster DNS when no DNS pod is in view.

Without a DNS pod in the state the policy package asks a kube-dns stand-in; NP003 judges the
rules' shapes. They must say the same thing: a pod the overview shows "DNS blocked" is one
`ktui check` flags, and the other way round.
"""

from __future__ import annotations

from typing import Any

import pytest

from ktui.analysis.analysis import Analysis
from ktui.render.posture_text import posture_json
from tests.check.kit import deployment, netpol
from tests.conftest import state_from

PORTS_53 = [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]
RULES: dict[str, dict[str, Any]] = {
    "kube-system by metadata.name + k8s-app=kube-dns": {"to": [{
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}], "ports": PORTS_53},
    "kube-system by the legacy name label": {"to": [{"namespaceSelector": {"matchLabels": {"name": "kube-system"}}}],
                                             "ports": PORTS_53},
    "coredns in any namespace": {"to": [{"namespaceSelector": {},
                                         "podSelector": {"matchLabels": {"k8s-app": "coredns"}}}], "ports": PORTS_53},
    "node-local DNS address": {"to": [{"ipBlock": {"cidr": "169.254.20.10/32"}}], "ports": PORTS_53},
    "the whole internet, every port": {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]},
    "port 53 anywhere": {"ports": PORTS_53},
    "only the database": {"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]},
}


@pytest.mark.parametrize("name", sorted(RULES))
def test_posture_dns_and_np003_agree(name: str) -> None:
    a = Analysis(state_from([deployment("web"), netpol("e", types=["Egress"], egress=[RULES[name]])]))
    (row,) = posture_json(a.posture)["namespaces"]
    blocked = row["dns"]["blocked"] == 1
    np003 = any(f.code == "KTUI-NP003" for f in a.findings)
    assert blocked == np003, f"posture says DNS {'blocked' if blocked else 'ok'}, check {'flags' if np003 else 'not'}"
