"""A pod whose labels change is judged by its new labels on a long-lived engine (the TUI's): the
Calico tier outlives pod events, so nothing it caches per pod may survive a label change."""

from __future__ import annotations

from ktui.analysis.policy import EgressClass
from tests.analysis.test_incremental_posture import Cluster
from tests.check.kit import namespace, pod

CALICO_EGRESS = {
    "apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
    "metadata": {"name": "to-partner", "namespace": "web"},
    "spec": {"selector": "app == 'client'", "types": ["Egress"], "egress": [
        {"action": "Deny", "protocol": "TCP", "destination": {"nets": ["192.0.2.128/25"]}},
        {"action": "Allow", "protocol": "TCP", "destination": {"nets": ["192.0.2.0/24"], "ports": [8443]}}]},
}


def test_label_change_out_of_and_back_into_a_calico_selector() -> None:
    c = Cluster([namespace("web"), pod("client-0", "web", {"app": "client"}, ip="10.0.0.7"), CALICO_EGRESS])
    assert c.egress("web", "client-0") is EgressClass.EXTERNAL
    c.event("MODIFIED", pod("client-0", "web", {"app": "other"}, ip="10.0.0.7"))
    assert c.egress("web", "client-0") is EgressClass.OPEN
    assert c.index.by_namespace == c.fresh()
    c.event("MODIFIED", pod("client-0", "web", {"app": "client"}, ip="10.0.0.7"))
    assert c.egress("web", "client-0") is EgressClass.EXTERNAL
    assert c.index.by_namespace == c.fresh()
