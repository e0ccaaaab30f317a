"""Over the realistic corpus, one file set at a time, and the demo cluster: `ktui posture`,
`hosts`, `check`, `explain` and the TUI's data agree on every count and status."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ktui.sources.demo import load_documents
from ktui.sources.demo_world import World
from tests.conftest import CORPUS
from tests.consistency.views import assert_agree, views_of

REALISTIC = CORPUS / "realistic"
BOUTIQUE = REALISTIC / "online-boutique"
GW = REALISTIC / "gateway-api-examples"

# the sets that only make sense together (a Gateway and its routes, an app and its policies)
SETS: dict[str, list[Path]] = {
    "boutique": [BOUTIQUE / "app.yaml"],
    "boutique+policies": [BOUTIQUE / "app.yaml", BOUTIQUE / "network-policies.yaml"],
    "boutique+gateway": [BOUTIQUE / "app.yaml", BOUTIQUE / "gateway-istio.yaml"],
    "boutique+ingress": [BOUTIQUE / "app.yaml", BOUTIQUE / "ingress-gke-https-frontend-domain.yaml"],
    "cross-namespace": sorted(GW.glob("standard__cross-namespace-routing__*.yaml")),
    "http-routing": sorted(GW.glob("standard__http-routing__*.yaml")),
    "simple-http-https": sorted(GW.glob("standard__simple-http-https__*.yaml")),
    "multicluster": sorted(GW.glob("standard__multicluster__*.yaml")),
    "route-attachment": sorted(GW.glob("standard__http-route-attachment__*.yaml")),
}
SINGLE = sorted(p for p in REALISTIC.rglob("*.yaml") if p.parent.name != "online-boutique")


@pytest.mark.parametrize("name", sorted(SETS))
def test_file_sets_agree(name: str) -> None:
    assert_agree(views_of([str(p) for p in SETS[name]]))


@pytest.mark.parametrize("path", SINGLE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_file_agrees(path: Path) -> None:
    assert_agree(views_of([str(path)]))


def test_the_demo_cluster_agrees(tmp_path: Path) -> None:
    """The demo's whole cluster (pods with IPs, EndpointSlices, statuses) as one manifest file."""
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump_all(World(load_documents()).objects()), encoding="utf-8")
    v = views_of([str(path)])
    assert v.posture["summary"]["pods"] > 20 and v.posture["summary"]["hostCounts"]["entries"] > 3
    assert_agree(v)
