"""Fuzzed manifests never crash the loader or the engine: every problem is a named message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktui.analysis.policy.connectivity import connectivity
from ktui.sources.manifests import load_paths

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.text(max_size=8),
                    st.sampled_from(["TCP", "UDP", "In", "Exists", "10.0.0.0/8", "::/0", "http", "x/y"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from([
        "podSelector", "namespaceSelector", "matchLabels", "matchExpressions", "key", "operator", "values",
        "ipBlock", "cidr", "except", "ports", "port", "endPort", "protocol", "from", "to", "ingress",
        "egress", "policyTypes", "containers", "name", "containerPort", "labels", "template", "spec",
        "metadata", "status", "podIP", "rules", "host", "http", "paths", "backend", "service",
    ]), inner, max_size=4)), max_leaves=20)

KINDS = [("v1", "Pod"), ("networking.k8s.io/v1", "NetworkPolicy"), ("apps/v1", "Deployment"),
         ("v1", "Service"), ("networking.k8s.io/v1", "Ingress"), ("v1", "Namespace"),
         ("gateway.networking.k8s.io/v1", "HTTPRoute"), ("gateway.networking.k8s.io/v1", "Gateway")]


@st.composite
def documents(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(values)
    api, kind = draw(st.sampled_from(KINDS))
    doc: dict[str, Any] = {"apiVersion": api, "kind": kind,
                           "metadata": draw(st.one_of(values, st.fixed_dictionaries(
                               {"name": st.sampled_from(["a", "b"])},
                               optional={"namespace": st.sampled_from(["x", "y"]), "labels": values})))}
    doc["spec"] = draw(values)
    return doc


NIGHTLY = 25  # the nightly marker multiplies every budget (pytest -m nightly; CI deselects it)


def _documents_never_crash(tmp_path: Path, docs: list[Any]) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    state, report = load_paths([str(path)])
    for problem in report.problems:
        assert problem.where.startswith(str(path)) and problem.message
    connectivity(state)


def _text_never_crashes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "text.yaml"
    path.write_text(text)
    load_paths([str(path)])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(documents(), max_size=6))
def test_random_documents_never_crash(tmp_path: Path, docs: list[Any]) -> None:
    _documents_never_crash(tmp_path, docs)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_random_text_never_crashes(tmp_path: Path, text: str) -> None:
    _text_never_crashes(tmp_path, text)


@pytest.mark.nightly
@settings(max_examples=200 * NIGHTLY, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(documents(), max_size=6))
def test_random_documents_never_crash_nightly(tmp_path: Path, docs: list[Any]) -> None:
    _documents_never_crash(tmp_path, docs)


@pytest.mark.nightly
@settings(max_examples=100 * NIGHTLY, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=2000))
def test_random_text_never_crashes_nightly(tmp_path: Path, text: str) -> None:
    _text_never_crashes(tmp_path, text)
