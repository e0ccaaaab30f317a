"""TUI test helpers: an app over fixed manifests with a fixed clock, so pictures are stable."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from ktui.sources.manifests import ManifestSource
from ktui.tui.app import KtuiApp
from ktui.tui.bridge import Bridge

FIXTURES = Path(__file__).parent / "fixtures"
CLUSTER = FIXTURES / "cluster.yaml"
NOW = 1_700_000_000.0


class StillSource(ManifestSource):
    """The manifests, loaded once and never watched: nothing changes unless a test says so."""

    name = "manifests"

    def start(self) -> None:
        self.load_now()


def make_app(paths: Sequence[str | Path] = (CLUSTER,), *, live_reload: bool = False, background: bool = False,
             theme: str | None = "dark", clock: float | None = NOW) -> KtuiApp:
    """`clock=None` uses real time (for tests that wait on live updates)."""
    src_cls = ManifestSource if live_reload else StillSource
    source = src_cls([str(p) for p in paths])
    kwargs = {} if clock is None else {"clock": lambda: clock, "stamp": lambda _t: "12:00:00"}
    bridge = Bridge(source, context="test-context", **kwargs)  # type: ignore[arg-type]
    return KtuiApp(bridge, theme=theme, watch_themes=False, background=background)


@pytest.fixture
def app() -> KtuiApp:
    return make_app()


@pytest.fixture
def collector() -> Iterator[None]:
    """A background bridge freezes what the first list kept and paces the collector: undone after."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def running_pod(name: str, ns: str, app: str, ip: str, ports: str = "") -> str:
    """A running pod with one container and one IP, as a manifest document (the YAML worlds of
    the screen tests)."""
    extra = f", ports: [{ports}]" if ports else ""
    return (f"apiVersion: v1\nkind: Pod\n"
            f"metadata: {{name: {name}, namespace: {ns}, labels: {{app: {app}}}}}\n"
            f"spec: {{containers: [{{name: c, image: x{extra}}}]}}\n"
            f"status: {{phase: Running, podIP: {ip}, podIPs: [{{ip: {ip}}}]}}\n")
