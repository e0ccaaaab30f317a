"""Generated clusters: every view agrees on every count and status, whatever the objects."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings

from tests.consistency.strategies import full_clusters
from tests.consistency.views import assert_agree, views_of


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(full_clusters())
def test_generated_clusters_agree(docs: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory(prefix="ktui-consistency-") as tmp:
        path = Path(tmp) / "cluster.yaml"
        path.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
        assert_agree(views_of([str(path)]))
