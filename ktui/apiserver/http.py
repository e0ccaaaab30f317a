"""HTTP/1.1 on loopback: one thread per connection, chunked watch streams, faults applied first.

Open connections are tracked so a restart can cut them all at once, the way clients see an
apiserver go away.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import msgspec

from ktui.apiserver.api import Api
from ktui.apiserver.errors import ApiError, status_body
from ktui.apiserver.faults import Fault
from ktui.apiserver.listing import check_watch_options
from ktui.apiserver.requestlog import RequestRecord
from ktui.apiserver.routing import RequestInfo, parse_request
from ktui.apiserver.watching import Dropped, WatchStream, error_line

_FAULT_MESSAGES = {
    403: "forbidden (injected fault)",
    404: "the server could not find the requested resource",
    410: "too old resource version (injected fault)",
    500: "Internal error occurred: injected fault",
}


FLOWSCHEMA_UID = str(uuid.uuid5(uuid.NAMESPACE_URL, "ktui-apiserver/flowschema/exempt"))
PRIORITYLEVEL_UID = str(uuid.uuid5(uuid.NAMESPACE_URL, "ktui-apiserver/prioritylevel/exempt"))


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a client opens a watch per kind at once; 5 drops SYNs

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up is normal (watches, restarts): stay quiet about it."""
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, TimeoutError,
                                          ssl.SSLError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)

    def __init__(self, address: tuple[str, int], api: Api,
                 tls: ssl.SSLContext | None = None) -> None:
        self.api = api
        self.tls = tls
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, Handler)

    def track(self, conn: socket.socket, open_: bool) -> None:
        with self._conns_lock:
            if open_:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def cut_connections(self) -> None:
        """Shut every open connection down, mid-response or idle: the client sees a reset."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: Listener

    def setup(self) -> None:
        if self.server.tls is not None:  # the handshake in this connection's thread, not accept's
            self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is the record."""

    def do_GET(self) -> None:
        self._handle()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _handle(self) -> None:
        api = self.server.api
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        info = parse_request(self.command, self.path, api.table)
        info.caller = api.callers.find(self.headers.get("Authorization"))
        accept = self.headers.get("Accept", "")
        self._record = api.log.add(RequestRecord(
            self.command, info.verb, info.path, info.query, accept, info.group, info.resource,
            info.namespace, info.name, info.subresource))
        self._streaming = False
        try:
            if info.caller is None:
                raise ApiError(401, "Unauthorized", "Unauthorized")
            fault = api.faults.take(info.verb, info.group, info.resource, info.namespace,
                                    info.path)
            if fault is not None and self._apply_fault(fault, info):
                return
            if fault is not None and fault.ignore_accept:
                accept = "application/json"
            if info.watch:
                api.resolve(info)
                check_watch_options(info.query)
                drop_after = fault.drop_after_events if fault is not None else None
                WatchStream(api.store, info, api.view(info, accept), self,
                            api.bookmark_interval, drop_after).run()
                return
            resp = api.handle(info, body, self.headers.get("Content-Type", ""), accept)
            self._send(resp.status, resp.body, resp.content_type)
        except ApiError as err:
            self._send(err.code, msgspec.json.encode(err.body))
        except Dropped:
            self.drop()
        except OSError:
            self.close_connection = True
        except Exception as exc:  # a bug here must not look like a hung server
            self._send(500, msgspec.json.encode(status_body(500, f"internal error: {exc!r}")))

    def _apply_fault(self, fault: Fault, info: RequestInfo) -> bool:
        """Delay, then fail or drop; True when the fault answered the request itself."""
        if fault.delay:
            time.sleep(fault.delay)
        if fault.status is not None:
            message = fault.message or _FAULT_MESSAGES.get(fault.status, "injected fault")
            err = ApiError(fault.status, message)
            if info.watch and fault.status == 410:
                self.start()
                self.write(error_line(err))
                self.end()
            else:
                self._send(err.code, msgspec.json.encode(err.body))
            return True
        if fault.drop_after_events is not None and not info.watch:
            self.drop()
            return True
        return False

    def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        if self._streaming:  # too late for a status line: all we can do is cut the stream
            self.drop()
            return
        self._record.status = status
        self.send_response(status)
        self._common_headers()
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    # StreamSink, for WatchStream

    def start(self) -> None:
        self._streaming = True
        self._record.status = 200
        self.send_response(200)
        self._common_headers()
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _common_headers(self) -> None:
        """What kube-apiserver sends on every response: an audit id, no caching, and the
        API Priority and Fairness flow schema / priority level that classified the request."""
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("X-Kubernetes-Pf-Flowschema-Uid", FLOWSCHEMA_UID)
        self.send_header("X-Kubernetes-Pf-Prioritylevel-Uid", PRIORITYLEVEL_UID)

    def send_response(self, code: int, message: str | None = None) -> None:
        """The status line and Date; no Server header (kube-apiserver sends none)."""
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def write(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def end(self) -> None:
        self.wfile.write(b"0\r\n\r\n")

    def drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def client_gone(self) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            # peek the TCP bytes (an SSLSocket refuses flags): b"" only once the peer closed
            return bool(readable) and socket.socket.recv(self.connection, 1, socket.MSG_PEEK) == b""
        except OSError:
            return True
