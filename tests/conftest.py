"""Shared test helpers: where the shared corpus is, and building a state from dicts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ktui.apiserver import ApiServer
from ktui.model.decode import decode_document
from ktui.store import Change, ClusterState, Event

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


def apply_doc(state: ClusterState, verb: str, doc: dict[str, Any], default_ns: str = "default") -> Change:
    """One document applied to the store as a watch event would be; the change it made."""
    info, obj = decode_document(doc, default_ns)
    assert info is not None, doc
    change = state.apply(Event(verb, info.kind, obj))  # type: ignore[arg-type]
    assert change is not None, doc
    return change


def state_from(docs: list[dict[str, Any]], default_ns: str = "default") -> ClusterState:
    """A ClusterState holding the decoded documents, as a source would fill it."""
    state = ClusterState()
    for doc in docs:
        info, obj = decode_document(doc, default_ns)
        assert info is not None, doc
        state.apply(Event("ADDED", info.kind, obj))
    return state


@pytest.fixture
def server() -> Iterator[ApiServer]:
    """An embedded API server on loopback, always stopped after the test."""
    srv = ApiServer(bookmark_interval=0.2, history_size=1000)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def corpus() -> Path:
    assert CORPUS.is_dir(), f"the shared corpus is expected at {CORPUS}"
    return CORPUS
