"""A kubeconfig pointing at the embedded server, so clients connect the way they would to a cluster.

Plain http with a dummy bearer token: the `kubernetes` client accepts both, and the server
ignores the token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DUMMY_TOKEN = "ktui-demo-token"


def kubeconfig(server_url: str, context: str = "ktui-demo", namespace: str = "default",
               user: str = "ktui-demo") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": context, "cluster": {"server": server_url}}],
        "users": [{"name": user, "user": {"token": DUMMY_TOKEN}}],
        "contexts": [{"name": context,
                      "context": {"cluster": context, "user": user, "namespace": namespace}}],
        "current-context": context,
    }


def write_kubeconfig(path: str | Path, server_url: str, context: str = "ktui-demo",
                     namespace: str = "default", user: str = "ktui-demo") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(kubeconfig(server_url, context, namespace, user),
                                   sort_keys=False))
    return path
