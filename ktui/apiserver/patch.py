"""PATCH bodies: JSON merge patch (RFC 7386, also used for strategic merge) and JSON patch."""

from __future__ import annotations

import copy
from typing import Any

from ktui.apiserver.errors import ApiError

MERGE_TYPES = ("application/merge-patch+json", "application/strategic-merge-patch+json")
JSON_PATCH = "application/json-patch+json"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, null deletes, anything else replaces.

    Strategic merge patch is treated the same way, so lists are replaced, never merged by key.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _parent(doc: Any, path: str) -> tuple[Any, str]:
    if not path.startswith("/"):
        raise ApiError(422, f"invalid JSON patch path {path!r}")
    tokens = [_unescape(t) for t in path[1:].split("/")]
    cur = doc
    for token in tokens[:-1]:
        try:
            cur = cur[int(token)] if isinstance(cur, list) else cur[token]
        except (KeyError, IndexError, ValueError, TypeError):
            raise ApiError(422, f"JSON patch path not found: {path!r}") from None
    return cur, tokens[-1]


def json_patch(doc: dict[str, Any], ops: list[Any]) -> dict[str, Any]:
    """RFC 6902 add / remove / replace / test; enough for what clients send to this server."""
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or "path" not in op:
            raise ApiError(422, "invalid JSON patch operation")
        parent, key = _parent(doc, op["path"])
        kind = op.get("op")
        try:
            if kind == "add":
                if isinstance(parent, list):
                    parent.insert(len(parent) if key == "-" else int(key), op.get("value"))
                else:
                    parent[key] = op.get("value")
            elif kind == "replace":
                if isinstance(parent, list):
                    parent[int(key)] = op.get("value")
                else:
                    if key not in parent:
                        raise KeyError(key)
                    parent[key] = op.get("value")
            elif kind == "remove":
                del parent[int(key) if isinstance(parent, list) else key]
            elif kind == "test":
                current = parent[int(key)] if isinstance(parent, list) else parent[key]
                if current != op.get("value"):
                    raise ApiError(422, f"JSON patch test failed at {op['path']!r}")
            else:
                raise ApiError(422, f"unsupported JSON patch op {kind!r}")
        except (KeyError, IndexError, ValueError, TypeError):
            raise ApiError(422, f"JSON patch cannot apply at {op['path']!r}") from None
    return doc
