"""A TLS-terminating proxy on loopback in front of the embedded (plain HTTP) API server, to fail
TLS the ways a load balancer or an apiserver restart does.

Modes: "ok" serves the trusted certificate; "cut" accepts TCP and closes during the handshake;
"untrusted" serves a certificate the client does not trust. Changing the mode cuts every open
connection, as a restart would. Certificates are made at test time with the `openssl` CLI (the
`cryptography` package is not a dependency of ktui).
"""

from __future__ import annotations

import contextlib
import select
import shutil
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Cert:
    cert: Path
    key: Path


def make_cert(directory: Path, name: str) -> Cert:
    """A self-signed certificate for 127.0.0.1 (it is its own CA)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the TLS tests need the openssl command")
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return Cert(cert, key)


def _context(cert: Cert) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert.cert), str(cert.key))
    return ctx


class TLSProxy:
    def __init__(self, upstream: tuple[str, int], trusted: Cert, untrusted: Cert) -> None:
        self.upstream = upstream
        self._contexts = {"ok": _context(trusted), "untrusted": _context(untrusted)}
        self.mode = "ok"
        self.handshakes = {"ok": 0, "cut": 0, "untrusted": 0}
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._stopped = False
        self._thread = threading.Thread(target=self._accept, daemon=True, name="tlsproxy")

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> TLSProxy:
        self._thread.start()
        return self

    def set_mode(self, mode: str) -> None:
        """Switch and cut every connection open now."""
        assert mode in self.handshakes
        with self._lock:
            self.mode = mode
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self._stopped = True
        self.set_mode(self.mode)
        with contextlib.suppress(OSError):
            self._sock.close()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True, name="tlsproxy-conn").start()

    def _track(self, sock: socket.socket, add: bool) -> None:
        with self._lock:
            (self._open.add if add else self._open.discard)(sock)

    def _serve(self, conn: socket.socket) -> None:
        mode = self.mode
        self.handshakes[mode] += 1
        self._track(conn, True)
        upstream: socket.socket | None = None
        try:
            conn.settimeout(5)
            if mode == "cut":  # read the ClientHello, then hang up mid-handshake
                with contextlib.suppress(OSError):
                    conn.recv(512)
                return
            tls = self._contexts[mode].wrap_socket(conn, server_side=True)
            self._track(tls, True)
            upstream = socket.create_connection(self.upstream, timeout=5)
            self._track(upstream, True)
            tls.settimeout(None)
            upstream.settimeout(None)
            self._pump(tls, upstream)
        except (OSError, ssl.SSLError):
            pass
        finally:
            for sock in (conn, upstream):
                if sock is not None:
                    self._track(sock, False)
                    with contextlib.suppress(OSError):
                        sock.close()

    @staticmethod
    def _pump(tls: ssl.SSLSocket, upstream: socket.socket) -> None:
        """Both directions in one thread (an SSLSocket is not read and written from two threads)."""
        while True:
            ready = [tls] if tls.pending() else select.select([tls, upstream], [], [], 1.0)[0]
            for sock in ready:
                try:
                    data = sock.recv(65536)
                except ssl.SSLWantReadError:
                    continue
                if not data:
                    return
                (upstream if sock is tls else tls).sendall(data)
