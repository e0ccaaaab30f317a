"""The bundled demo cluster: demo_data/*.yaml served by the embedded API server.

`ktui demo` connects to it with the ordinary `ClusterSource`, through a kubeconfig written to a
temporary directory, so the demo runs exactly the live code path a real cluster does. The demo
writes only to its own embedded server, never to a real cluster. With `churn=True` a thread
changes a few objects every few seconds (readiness, scaling, a policy, a label) so the live
updates show.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from ktui.apiserver import ApiServer
from ktui.sources.demo_world import Key, Obj, World, diff, key_of

CONTEXT = "ktui-demo"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SANDBOX_POLICY: Obj = {
    "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
    "metadata": {"name": "scratchpad-same-namespace", "namespace": "sandbox"},
    "spec": {"podSelector": {"matchLabels": {"app": "scratchpad"}}, "policyTypes": ["Ingress"],
             "ingress": [{"from": [{"podSelector": {}}]}]},
}


def load_documents() -> list[Obj]:
    """The demo's objects as written in demo_data/, in file order."""
    docs: list[Obj] = []
    folder = resources.files("ktui.sources").joinpath("demo_data")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            docs.extend(d for d in yaml.load_all(entry.read_text(encoding="utf-8"), Loader=_Loader) if d)
    return docs


class DemoCluster:
    """Start it, then connect a ClusterSource with `connect_args()` (or use `source()`)."""

    context = CONTEXT

    def __init__(self, *, churn: bool = False, churn_interval: float = 3.0,
                 bookmark_interval: float = 1.0) -> None:
        self.churn = churn
        self.churn_interval = churn_interval
        self.server = ApiServer(bookmark_interval=bookmark_interval)
        self.world = World(load_documents())
        self.kubeconfig = ""
        self._applied: dict[Key, Obj] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._step = 0

    # ------------------------------------------------------------ lifecycle

    def start(self) -> DemoCluster:
        self.server.start()
        self._tmp = tempfile.TemporaryDirectory(prefix="ktui-demo-")
        path = Path(self._tmp.name) / "kubeconfig"
        self.kubeconfig = str(self.server.write_kubeconfig(path, context=self.context))
        self.sync()
        if self.churn:
            self._thread = threading.Thread(target=self._churn_loop, name="ktui-demo-churn", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.server.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> DemoCluster:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def connect_args(self) -> dict[str, Any]:
        """What ClusterSource / snapshot need: ClusterSource(**demo.connect_args())."""
        return {"kubeconfig": self.kubeconfig, "context": self.context}

    def source(self, **kwargs: Any) -> Any:
        from ktui.sources.cluster import ClusterSource

        return ClusterSource(**self.connect_args(), **kwargs)

    # ------------------------------------------------------------ writing

    def sync(self) -> int:
        """Recompute the cluster from the desired objects; write only what changed. Returns the
        number of writes (through the server's Python API: watchers see normal events)."""
        with self._lock:
            objs = self.world.objects()
            changed, gone = diff(self._applied, objs)
            for obj in changed:
                self.server.apply(obj)
            for kind, ns, name in gone:
                with contextlib.suppress(KeyError):  # already gone (a namespace took it along)
                    self.server.delete_object(kind, ns or None, name)
            self._applied = {key_of(o): o for o in objs}
            return len(changed) + len(gone)

    def _desired(self, kind: str, namespace: str, name: str) -> Obj:
        for doc in self.world.desired:
            if key_of(doc) == (kind, namespace, name):
                return doc
        raise KeyError((kind, namespace, name))

    # ------------------------------------------------------------ churn

    def churn_step(self) -> str:
        """One change, in a fixed rotation; returns what it did (for logs and tests)."""
        step, self._step = self._step, self._step + 1
        action = step % 4
        if action == 0:
            web = sorted(n for k, ns, n in self._applied if k == "Pod" and ns == "shop" and n.startswith("web-"))
            pod = ("shop", web[0])
            if pod in self.world.unready:
                self.world.unready.discard(pod)
                what = f"pod shop/{web[0]} is Ready again"
            else:
                self.world.unready.add(pod)
                what = f"pod shop/{web[0]} fails its readiness probe"
        elif action == 1:
            api = self._desired("Deployment", "shop", "api")
            api["spec"]["replicas"] = 3 if api["spec"]["replicas"] == 2 else 2
            what = f"deployment shop/api scaled to {api['spec']['replicas']}"
        elif action == 2:
            docs = self.world.desired
            if any(key_of(d) == key_of(SANDBOX_POLICY) for d in docs):
                self.world.desired = [d for d in docs if key_of(d) != key_of(SANDBOX_POLICY)]
                what = "networkpolicy sandbox/scratchpad-same-namespace removed"
            else:
                docs.append(dict(SANDBOX_POLICY))
                what = "networkpolicy sandbox/scratchpad-same-namespace added"
        else:
            ns = self._desired("Namespace", "", "sandbox")
            labels = ns["metadata"].setdefault("labels", {})
            if labels.pop("experiment", None) is None:
                labels["experiment"] = "canary"
            what = f"namespace sandbox labels: {labels}"
        self.sync()
        return what

    def _churn_loop(self) -> None:
        while not self._stop.wait(self.churn_interval):
            try:
                self.churn_step()
            except Exception:  # the demo keeps running; a failed change is just skipped
                continue
