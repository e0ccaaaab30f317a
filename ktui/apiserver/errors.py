"""API errors as the real server words them: an exception carrying a metav1.Status body."""

from __future__ import annotations

from typing import Any

_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "AlreadyExists",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


def status_body(code: int, message: str, reason: str | None = None,
                details: dict[str, Any] | None = None) -> dict[str, Any]:
    """A metav1.Status object for an error response or a watch ERROR event."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason or _REASONS.get(code, "Unknown"),
        "code": code,
    }
    if details:  # empty fields are omitted, as Go's omitempty does (a core group is not "")
        body["details"] = {k: v for k, v in details.items() if v not in ("", None)}
    return body


class ApiError(Exception):
    """Raised anywhere below the HTTP handler; the handler turns it into a Status response."""

    def __init__(self, code: int, message: str, reason: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.body = status_body(code, message, reason, details)

    @classmethod
    def not_found(cls, resource: str, name: str, group: str = "") -> ApiError:
        what = f"{resource}.{group}" if group else resource
        return cls(404, f'{what} "{name}" not found', "NotFound",
                   {"name": name, "group": group, "kind": resource})

    @classmethod
    def no_route(cls) -> ApiError:
        return cls(404, "the server could not find the requested resource", "NotFound")

    @classmethod
    def already_exists(cls, resource: str, name: str, group: str = "") -> ApiError:
        what = f"{resource}.{group}" if group else resource
        return cls(409, f'{what} "{name}" already exists', "AlreadyExists",
                   {"name": name, "group": group, "kind": resource})

    @classmethod
    def conflict(cls, resource: str, name: str, group: str = "") -> ApiError:
        what = f"{resource}.{group}" if group else resource
        msg = (f'Operation cannot be fulfilled on {what} "{name}": the object has been modified; '
               "please apply your changes to the latest version and try again")
        return cls(409, msg, "Conflict", {"name": name, "group": group, "kind": resource})

    @classmethod
    def gone(cls, requested: int, oldest: int) -> ApiError:
        return cls(410, f"too old resource version: {requested} ({oldest})", "Expired")

    @classmethod
    def bad_request(cls, message: str) -> ApiError:
        return cls(400, message, "BadRequest")
