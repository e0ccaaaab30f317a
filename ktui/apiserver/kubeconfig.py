"""A kubeconfig pointing at the embedded server, so clients connect the way they would to a cluster.

Plain http (or https with the server's own certificate as the CA) and a bearer token: the
default token gets the server's default access rules, others those given to `add_token`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DUMMY_TOKEN = "ktui-demo-token"


def kubeconfig(server_url: str, context: str = "ktui-demo", namespace: str = "default",
               user: str = "ktui-demo", token: str = DUMMY_TOKEN,
               ca_file: str | None = None) -> dict[str, Any]:
    cluster: dict[str, Any] = {"server": server_url}
    if ca_file is not None:
        cluster["certificate-authority"] = ca_file
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": context, "cluster": cluster}],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": context,
                      "context": {"cluster": context, "user": user, "namespace": namespace}}],
        "current-context": context,
    }


def write_kubeconfig(path: str | Path, server_url: str, context: str = "ktui-demo",
                     namespace: str = "default", user: str = "ktui-demo", token: str = DUMMY_TOKEN,
                     ca_file: str | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(kubeconfig(server_url, context, namespace, user, token, ca_file),
                                   sort_keys=False))
    return path
