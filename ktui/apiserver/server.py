"""ApiServer: the facade tests, the demo and the benchmarks use.

Start it, point a `kubernetes` client at `url` (or at the kubeconfig it writes), feed it objects
with apply(), and misbehave on purpose with faults, compact() and restart().
"""

from __future__ import annotations

import errno
import ssl
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ktui.apiserver import kubeconfig
from ktui.apiserver.access import Access, AccessRule
from ktui.apiserver.api import Api
from ktui.apiserver.faults import Faults
from ktui.apiserver.http import Listener
from ktui.apiserver.requestlog import RequestRecord
from ktui.apiserver.resources import RESOURCES, ResourceTable, ResourceType
from ktui.apiserver.store import DROP

if TYPE_CHECKING:
    from kubernetes.client import ApiClient


class ApiServer:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, history_size: int = 10_000,
                 bookmark_interval: float = 1.0, user: str = "ktui-demo",
                 resources: tuple[ResourceType, ...] = RESOURCES,
                 certfile: str | None = None, keyfile: str | None = None) -> None:
        """certfile/keyfile: serve https with that certificate (PEM; a self-signed one is
        written into the kubeconfig as the CA)."""
        self.api = Api(ResourceTable(resources), history_size=history_size,
                       bookmark_interval=bookmark_interval, user=user)
        self.host, self.port = host, port
        self.certfile = certfile
        self._tls: ssl.SSLContext | None = None
        if certfile is not None:
            self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._tls.load_cert_chain(certfile, keyfile)
        self._listener: Listener | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # lifecycle

    @property
    def url(self) -> str:
        return f"{'https' if self._tls else 'http'}://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._listener is not None

    def start(self) -> str:
        with self._lock:
            if self._listener is None:
                self._listen()
        return self.url

    def stop(self) -> None:
        """Stop listening and cut every open connection and watch. Idempotent."""
        with self._lock:
            self._shutdown()

    def restart(self, downtime: float = 0.0) -> None:
        """Like an apiserver restart backed by etcd: streams and connections are cut abruptly,
        the same port listens again (after `downtime` seconds of connection refused), and
        objects and the resourceVersion counter carry on."""
        with self._lock:
            self._shutdown()
            if downtime > 0:
                time.sleep(downtime)
            self._listen()

    def __enter__(self) -> ApiServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _listen(self) -> None:
        for attempt in range(50):  # the old socket may take a moment to let go of the port
            try:
                listener = Listener((self.host, self.port), self.api, self._tls)
                break
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE or attempt == 49:
                    raise
                time.sleep(0.02)
        self.port = listener.server_address[1]
        self.api.address = f"{self.host}:{self.port}"
        self._listener = listener
        self._thread = threading.Thread(target=listener.serve_forever, kwargs={
            "poll_interval": 0.01}, name=f"ktui-apiserver:{self.port}", daemon=True)
        self._thread.start()

    def _shutdown(self) -> None:
        listener = self._listener
        if listener is None:
            return
        listener.shutdown()
        listener.server_close()
        self._listener = None
        self.api.store.signal_watchers(DROP)
        listener.cut_connections()
        if self._thread is not None:
            self._thread.join(timeout=2)

    # objects

    def apply(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Create or replace one object (from apiVersion/kind); returns the stored copy."""
        return self.api.apply(obj)

    def apply_all(self, objs: Iterable[dict[str, Any]]) -> None:
        """apply() for many objects, without copying each result back."""
        for obj in objs:
            self.api.apply_entry(obj)

    def delete_object(self, kind_or_resource: str, namespace: str | None,
                      name: str) -> dict[str, Any]:
        """Delete as a client would (watchers get DELETED); KeyError when it does not exist."""
        return self.api.delete_object(kind_or_resource, namespace, name)

    def objects(self, resource: str, namespace: str | None = None) -> list[dict[str, Any]]:
        """Copies of the current objects of a resource ("pods", "Pod", "httproutes", ...)."""
        return self.api.objects(resource, namespace)

    def get_object(self, resource: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        """A copy of one object, or None."""
        return self.api.get_object(resource, namespace, name)

    @property
    def resource_version(self) -> int:
        """The current global resourceVersion (as an int; the API shows it as a string)."""
        with self.api.store.lock:
            return self.api.store.rv

    def compact(self) -> None:
        """Drop the event history: watches from any older resourceVersion now get 410 Gone."""
        self.api.store.compact()

    # behaviour

    @property
    def faults(self) -> Faults:
        return self.api.faults

    @property
    def access(self) -> Access:
        return self.api.access

    def set_group_enabled(self, group: str, enabled: bool) -> None:
        self.api.set_group_enabled(group, enabled)

    def group_enabled(self, group: str) -> bool:
        return self.api.group_enabled(group)

    @property
    def request_log(self) -> list[RequestRecord]:
        return self.api.log.records()

    def clear_request_log(self) -> None:
        self.api.log.clear()

    def watch_count(self) -> int:
        """Open watch streams (useful to wait until a client is watching)."""
        return self.api.store.watcher_count()

    # clients

    def add_token(self, token: str, user: str, rules: list[AccessRule] | None = None) -> Access:
        """Another bearer token with its own user name and access rules (default: none, so
        everything is forbidden until rules are given); returns its Access to change later."""
        return self.api.callers.add(token, user, rules if rules is not None else [])

    def write_kubeconfig(self, path: str | Path, context: str = "ktui-demo",
                         namespace: str = "default", token: str | None = None,
                         user: str | None = None) -> Path:
        """A kubeconfig for this server: the default token, or one given to add_token."""
        return kubeconfig.write_kubeconfig(path, self.url, context, namespace,
                                           user or self.api.user, token or kubeconfig.DUMMY_TOKEN,
                                           self.certfile)

    def api_client(self) -> ApiClient:
        """A `kubernetes` ApiClient for this server, without a kubeconfig."""
        from kubernetes.client import ApiClient, Configuration

        config = Configuration(host=self.url)
        if self.certfile is not None:
            config.ssl_ca_cert = self.certfile
        config.api_key = {"BearerToken": kubeconfig.DUMMY_TOKEN}
        config.api_key_prefix = {"BearerToken": "Bearer"}
        return ApiClient(config)
