"""Every tier on the TUI's screens, from structured answers: the namespace Egress view lists a
Calico policy's destinations (CIDRs, ports, the opening rule) through the policy package's
egress_destinations, and the pod screen colours a rule by its action (a Calico or admin Deny
rule reads "Deny ...", never "(Deny)")."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text

from ktui.analysis.analysis import Analysis
from ktui.model.decode import decode_document
from ktui.render.netpol_text import direction_items, direction_lines
from ktui.store import Event
from ktui.tui import podview
from ktui.tui.bridge import Bridge
from ktui.tui.egress_view import egress_destinations, namespace_egress
from ktui.tui.screens.egress import rule_object
from ktui.tui.themes import Palette

from .conftest import StillSource

CALICO = """
apiVersion: v1
kind: Namespace
metadata: {name: web}
---
apiVersion: v1
kind: Pod
metadata: {name: client-0, namespace: web, labels: {app: client}}
spec: {containers: [{name: c, image: x}]}
status: {phase: Running, podIP: 10.0.0.7, podIPs: [{ip: 10.0.0.7}]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: to-partner, namespace: web}
spec:
  selector: app == 'client'
  types: [Egress]
  egress:
  - action: Deny
    protocol: TCP
    destination: {nets: [192.0.2.128/25]}
  - action: Allow
    protocol: TCP
    destination: {nets: [192.0.2.0/24], ports: [8443]}
"""


NETPOL = CALICO.split("---\napiVersion: projectcalico.org/v3")[0] + """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: to-partner, namespace: web}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 192.0.2.0/24}}], ports: [{port: 8443}]}]
"""


def _bridge(tmp_path: Path, manifest: str = CALICO) -> Bridge:
    (tmp_path / "calico.yaml").write_text(manifest)
    bridge = Bridge(StillSource([str(tmp_path / "calico.yaml")]))
    bridge.start()
    bridge.poll()
    return bridge


def test_egress_view_lists_a_calico_policys_destinations(tmp_path: Path) -> None:
    bridge = _bridge(tmp_path)
    (dest,) = egress_destinations(bridge, "web")
    assert (dest.kind, dest.target, dest.port_text(), dest.copy) == ("cidr", "192.0.2.0/25", "TCP 8443", "192.0.2.0/25")
    assert dest.workloads == {"Pod client-0"}
    (rule,) = dest.rules
    assert "to-partner" in rule and rule.endswith("egress[1]")
    ref = dest.first_rule()
    assert ref is not None and ref.action == "Allow"
    assert rule_object(ref) == (ref.kind, "web", "to-partner") and ref.kind != "NetworkPolicy"


def test_pod_screen_colours_denies_by_the_rules_action(tmp_path: Path) -> None:
    bridge = _bridge(tmp_path)
    a = bridge.analysis
    subject = a.subject("web/client-0")
    assert subject is not None
    egress = a.explain(subject, with_reachability=False).egress
    items = direction_items(egress)
    assert [i.text for i in items] == direction_lines(egress)  # the CLI's text is unchanged
    deny = next(i for i in items if i.denies)
    assert deny.text.strip().startswith("rule 0: Deny")
    palette = Palette()
    text: Text = podview.direction(palette, egress, bridge.namespace("web").pods[0])  # type: ignore[union-attr]
    styles = {text.plain[s.start:s.end].strip(): s.style for s in text.spans}
    assert styles[deny.text.strip()] == palette.fail
    allow = next(i for i in items if i.action == "Allow")
    assert styles.get(allow.text.strip(), "") != palette.fail


def _put_pod(bridge: Bridge, labels: dict[str, str], ready: str) -> None:
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client-0", "namespace": "web", "labels": labels},
           "spec": {"containers": [{"name": "c", "image": "x"}]},
           "status": {"phase": "Running", "podIP": "10.0.0.7", "podIPs": [{"ip": "10.0.0.7"}],
                      "conditions": [{"type": "Ready", "status": ready}]}}
    info, obj = decode_document(doc, "default")
    assert info is not None
    bridge.source.queue.put(Event("MODIFIED", "Pod", obj))
    assert bridge.poll() is not None


def test_egress_answers_kept_across_readiness_flips_dropped_on_a_label_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real = Analysis.egress_destinations
    monkeypatch.setattr(Analysis, "egress_destinations", lambda self, s: (asked.append(str(s)), real(self, s))[1])
    bridge = _bridge(tmp_path, NETPOL)
    first = namespace_egress(bridge, "web")
    assert (first.judged, first.sets, first.partial, asked) == (1, 1, False, ["web/client-0"])
    stamp = bridge.policy_stamp
    _put_pod(bridge, {"app": "client"}, "False")  # readiness only: no answer about egress moves
    assert bridge.policy_stamp == stamp
    assert namespace_egress(bridge, "web").destinations == first.destinations and len(asked) == 1
    _put_pod(bridge, {"app": "other"}, "False")  # no longer selected: open
    assert bridge.policy_stamp != stamp
    (dest,) = namespace_egress(bridge, "web").destinations
    assert dest.kind == "open" and dest.port_text() == "all ports"
    assert namespace_egress(bridge, "web", limit=0).judged == 1  # open pods need no asking
