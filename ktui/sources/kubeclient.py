"""The HTTP side of the live source: kubeconfig / in-cluster config and raw GETs.

The `kubernetes` client does kubeconfig, auth (tokens, exec plugins, client certs), TLS and the
connection pool; its model classes are never used (DESIGN.md, Decoding and watching). Only GET is
ever sent from here, so ktui cannot change a cluster through this module.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import socket
import threading
import warnings
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
import urllib3
import yaml
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException
from kubernetes.config.kube_config import KubeConfigMerger

DEMO_HINT = "to try ktui without a cluster, run `ktui demo`"
JSON = "application/json"


class ClusterError(Exception):
    """A user-facing, one-line reason why the cluster cannot be used (CLI: exit code 2)."""

    code = 2


class StatusError(Exception):
    """The server answered with an error status (or a watch ERROR event)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}" if message else str(code))
        self.code = code
        self.message = message


class TransportError(Exception):
    """No answer: connection refused or reset, timeout, TLS failure, a stream cut short."""


class _Status(msgspec.Struct):
    code: int = 0
    message: str = ""
    reason: str = ""


def status_message(body: bytes) -> str:
    try:
        st = msgspec.json.decode(body, type=_Status)
        return st.message or st.reason
    except (msgspec.DecodeError, msgspec.ValidationError):
        return body[:200].decode("utf-8", "replace").strip()


@dataclass
class Connection:
    api: k8s.ApiClient
    context: str
    server: str
    notes: list[str] = field(default_factory=list)
    """One-line warnings about the connection (TLS verification off), shown once as problems."""


def _kubeconfig_paths(kubeconfig: str | None) -> tuple[str, list[str]]:
    """The kubeconfig setting as the client reads it (a path list), and the files that exist."""
    setting = kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
    files = [os.path.expanduser(p) for p in setting.split(os.pathsep) if p]
    return setting, [f for f in files if os.path.isfile(f)]


def _configuration(pool: int) -> k8s.Configuration:
    cfg = k8s.Configuration()
    cfg.retries = False  # the reflectors own retries and backoff; errors must surface at once
    cfg.connection_pool_maxsize = pool
    return cfg


def connect(kubeconfig: str | None = None, context: str | None = None, pool: int = 40) -> Connection:
    """An ApiClient for the context (or in-cluster config); ClusterError naming what is wrong."""
    setting, files = _kubeconfig_paths(kubeconfig)
    cfg = _configuration(pool)
    if kubeconfig and not files:
        raise ClusterError(f"kubeconfig {kubeconfig} not found; {DEMO_HINT}")
    if not files:
        if os.environ.get("KUBERNETES_SERVICE_HOST") and context is None:
            try:
                k8s_config.load_incluster_config(client_configuration=cfg)
            except ConfigException as exc:
                raise ClusterError(f"in-cluster config: {exc}; {DEMO_HINT}") from None
            _proxy_settled(cfg)
            return Connection(k8s.ApiClient(cfg), "in-cluster", cfg.host)
        raise ClusterError(
            f"no kubeconfig found (looked at {setting}; set KUBECONFIG or pass --kubeconfig); {DEMO_HINT}"
        )
    path = os.pathsep.join(files)
    try:  # read the names ourselves: the client's loader fails on a broken *current* context
        merged = KubeConfigMerger(path).config
        value = merged.value if merged is not None else {}
    except (ConfigException, OSError, ValueError, yaml.YAMLError) as exc:
        raise ClusterError(f"cannot read kubeconfig {setting}: {_one_line(exc)}; {DEMO_HINT}") from None
    entries = [getattr(c, "value", c) for c in value.get("contexts") or []]  # ConfigNode or dict
    names = [str(c.get("name")) for c in entries if isinstance(c, Mapping)]
    if context is not None and context not in names:
        known = ", ".join(names) or "none"
        raise ClusterError(f'context "{context}" not found in {setting} (contexts: {known}); {DEMO_HINT}')
    name = context or value.get("current-context")
    if not name:
        raise ClusterError(f"{setting} has no current context; pass --context; {DEMO_HINT}")
    with _client_log() as logged:
        try:
            k8s_config.load_kube_config(path, name, client_configuration=cfg, persist_config=False)
        except (ConfigException, OSError, ValueError) as exc:
            raise ClusterError(f'cannot use context "{name}": {_one_line(exc)}; {DEMO_HINT}') from None
    if logged:  # the client logs a failing exec plugin and goes on without credentials: stop here
        uses_exec = _uses_exec(value, str(name)) or any("exec" in m for m in logged)
        what = "the credential plugin (users[].user.exec)" if uses_exec else "loading its credentials"
        raise ClusterError(f'context "{name}": {what} failed: {_one_line(logged[0])[:300]}; {DEMO_HINT}')
    _proxy_settled(cfg)
    return Connection(k8s.ApiClient(cfg), str(name), cfg.host, _insecure(cfg, str(name)))


def _proxy_settled(cfg: k8s.Configuration) -> None:
    """Keep the proxy the kubeconfig's host resolved to when loaded (the pool is made with it).

    The client reads the proxy variables again whenever its host is set, and its credential
    refresh hook sets the host before every request: a walk of os.environ holding the GIL (about
    2 ms a request, a sixth of the client's time listing 10,000 pods in pages)."""
    if getattr(cfg, "_proxy_from_env", False):
        cfg._proxy_from_env = False


def _uses_exec(config: Any, context: str) -> bool:
    """Whether the context's user gets its credentials from an exec plugin."""
    def entries(key: str) -> list[Any]:
        return [getattr(e, "value", e) for e in config.get(key) or []]

    ctx = next((c for c in entries("contexts") if isinstance(c, Mapping) and c.get("name") == context), None)
    user_name = (ctx.get("context") or {}).get("user") if isinstance(ctx, Mapping) else None
    user = next((u for u in entries("users") if isinstance(u, Mapping) and u.get("name") == user_name), None)
    return isinstance(user, Mapping) and isinstance(user.get("user"), Mapping) and "exec" in user["user"]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _client_log() -> Iterator[list[str]]:
    """The kubernetes client reports kubeconfig failures (an exec plugin that exits non-zero)
    with logging.error on the root logger and carries on: collect them instead of printing."""
    handler = _Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.messages
    finally:
        root.removeHandler(handler)


def _insecure(cfg: k8s.Configuration, context: str) -> list[str]:
    """insecure-skip-tls-verify: one line, instead of urllib3's warning on every request."""
    if cfg.verify_ssl or not str(cfg.host).startswith("https"):
        return []
    warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
    return [f'context "{context}" skips TLS verification (insecure-skip-tls-verify): the identity of '
            f"{cfg.host} is not checked"]


def _one_line(exc: object) -> str:
    return " ".join(str(exc).split())


def _track_connections(api: k8s.ApiClient) -> weakref.WeakSet[Any]:
    """Record every connection the client's pool opens, so they can be cut from another thread,
    even while a request still waits for its response headers."""
    sockets: weakref.WeakSet[Any] = weakref.WeakSet()
    manager = api.rest_client.pool_manager
    if type(manager) is not urllib3.PoolManager:  # proxies: keep the defaults
        return sockets
    classes = {}
    for scheme, pool_cls in manager.pool_classes_by_scheme.items():
        base: Any = getattr(pool_cls, "ConnectionCls")  # noqa: B009 - not in urllib3's type stubs

        def connect(self: Any, _base: Any = base) -> None:
            _base.connect(self)
            sockets.add(self)

        conn_cls = type(f"Tracked{base.__name__}", (base,), {"connect": connect})
        classes[scheme] = type(f"Tracked{pool_cls.__name__}", (pool_cls,), {"ConnectionCls": conn_cls})
    manager.pool_classes_by_scheme = classes
    return sockets


class KubeClient:
    """GETs through the client's pool; responses stay streaming so watches can be read line by line.

    Every response and connection is tracked so `abort_all` can cut them from another thread: that
    is how `stop()` ends blocked reads promptly (a read timeout would either be too short for quiet
    watches or too long to stop).
    """

    def __init__(self, conn: Connection, connect_timeout: float = 10.0, read_timeout: float = 60.0) -> None:
        self.conn = conn
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._lock = threading.Lock()
        self._open: set[urllib3.BaseHTTPResponse] = set()
        self._connections = _track_connections(conn.api)
        self.closed = False

    def get(self, path: str, query: Mapping[str, Any] | None = None, accept: str = JSON,
            read_timeout: float | None = None, gzip: bool = False) -> urllib3.BaseHTTPResponse:
        """Send a GET; a 2xx response (body unread) or StatusError / TransportError."""
        if self.closed:
            raise TransportError("client closed")
        api = self.conn.api
        headers = {"Accept": accept}
        if gzip:
            headers["Accept-Encoding"] = "gzip"
        params = [(k, str(v)) for k, v in (query or {}).items() if v is not None and v != ""]
        method, url, hdrs, _, _ = api.param_serialize(
            "GET", path, query_params=params, header_params=headers, auth_settings=["BearerToken"]
        )
        timeout = (self.connect_timeout, read_timeout or self.read_timeout)
        try:
            resp: urllib3.BaseHTTPResponse = api.call_api(method, url, hdrs, _request_timeout=timeout).response
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise TransportError(_reason(exc)) from None
        except ApiException as exc:  # the client turns urllib3's SSLError into ApiException(status=0)
            if exc.status:
                raise StatusError(int(exc.status), _one_line(str(exc.reason or exc))) from None
            raise TransportError(_api_reason(exc, self.conn.server)) from None
        if not 200 <= resp.status <= 299:
            try:
                body = resp.data
            except (urllib3.exceptions.HTTPError, OSError):
                body = b""
            finally:
                resp.release_conn()
            raise StatusError(resp.status, status_message(body))
        with self._lock:
            self._open.add(resp)
        return resp

    def read(self, resp: urllib3.BaseHTTPResponse) -> bytes:
        """The whole body of a response from `get`, which is then released."""
        try:
            return resp.data
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise TransportError(_reason(exc)) from None
        finally:
            self.done(resp)

    def get_bytes(self, path: str, query: Mapping[str, Any] | None = None, accept: str = JSON) -> bytes:
        return self.read(self.get(path, query, accept))

    def done(self, resp: urllib3.BaseHTTPResponse) -> None:
        with self._lock:
            self._open.discard(resp)
        resp.release_conn()

    def abort(self, resp: urllib3.BaseHTTPResponse) -> None:
        """Cut one response from another thread: its reader gets an error at once."""
        try:
            resp.shutdown()
        except (AttributeError, ValueError, RuntimeError, OSError):
            conn = getattr(resp, "connection", None)
            sock = getattr(conn, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def abort_all(self) -> None:
        with self._lock:
            open_ = list(self._open)
        for resp in open_:
            self.abort(resp)
        for connection in list(self._connections):
            sock = getattr(connection, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.closed = True
        self.abort_all()
        self.conn.api.close()


def tls_reason(text: str) -> str | None:
    """`[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)`
    -> `certificate verify failed: self-signed certificate`; None when the text is not about TLS."""
    match = re.search(r"\[SSL: [A-Z_]+\] ([^(\n]+?)\s*(?:\(_ssl\.c:\d+\))?(?:'|\)|$|\n)", text)
    if match:
        return match.group(1).strip().rstrip("')")
    if "SSLError" in text or "SSLEOFError" in text or "EOF occurred in violation of protocol" in text:
        return "the TLS handshake was cut"
    return None


def _api_reason(exc: ApiException, server: str) -> str:
    text = str(exc.reason or exc)
    tls = tls_reason(text)
    if tls is None:
        return _one_line(text)[:300]
    if "verify failed" in tls or "hostname" in tls.lower():
        return f"TLS: the server's certificate was not accepted ({tls})"
    return f"TLS failed ({tls})"


def _reason(exc: BaseException) -> str:
    """urllib3 wraps the interesting part (connection refused, ...) a level or two down."""
    inner: BaseException | None = getattr(exc, "reason", None)
    while isinstance(inner, urllib3.exceptions.HTTPError) and getattr(inner, "reason", None):
        inner = inner.reason  # type: ignore[attr-defined]
    text = str(inner or exc)
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    if "Connection reset" in text or "Errno 104" in text:
        return "connection reset by the server (or a proxy in front of it)"
    tls = tls_reason(text)
    if tls is not None:
        return f"TLS: {tls}"
    return _one_line(exc if inner is None else inner)[:300]
