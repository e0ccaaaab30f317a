"""Every request the server saw, in order, for tests that check what a client actually asked."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class RequestRecord:
    method: str
    verb: str
    """As Kubernetes names it: get, list, watch, create, update, patch, delete, deletecollection."""
    path: str
    query: dict[str, str]
    accept: str
    group: str | None = None
    resource: str | None = None
    namespace: str | None = None
    name: str | None = None
    subresource: str = ""
    status: int | None = None
    """HTTP status sent, filled in once known (a watch: when its headers went out); None for a
    request dropped by a fault before any response."""
    time: float = field(default_factory=time.monotonic)


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> RequestRecord:
        with self._lock:
            self._records.append(record)
        return record

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
