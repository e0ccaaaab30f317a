"""Fixtures: a started ApiServer per test (always stopped) and `kubernetes` clients for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kubernetes import client

from ktui.apiserver import ApiServer


@pytest.fixture
def api_client(server: ApiServer) -> Iterator[client.ApiClient]:
    api = server.api_client()
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
def core(api_client: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(api_client)

