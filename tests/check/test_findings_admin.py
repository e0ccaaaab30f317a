"""AP001: admin network policies of one tier sharing a priority."""

from __future__ import annotations

from typing import Any

from tests.check.kit import codes, deployment, of, run


def anp(name: str, priority: int) -> dict[str, Any]:
    return {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy",
            "metadata": {"name": name},
            "spec": {"priority": priority, "subject": {"namespaces": {}},
                     "ingress": [{"name": "deny", "action": "Deny",
                                  "from": [{"namespaces": {"matchLabels": {"team": "x"}}}]}]}}


def test_ap001_equal_priorities_are_flagged_once_per_tie() -> None:
    found = of(run([deployment("web"), anp("a", 10), anp("b", 10), anp("c", 20)]), "KTUI-AP001")
    assert len(found) == 1
    assert "priority 10" in found[0].message and "AdminNetworkPolicy/a" in found[0].message
    assert "AdminNetworkPolicy/b" in found[0].message and "AdminNetworkPolicy/c" not in found[0].message


def test_ap001_not_for_distinct_priorities() -> None:
    assert "KTUI-AP001" not in codes(run([deployment("web"), anp("a", 10), anp("b", 11)]))
