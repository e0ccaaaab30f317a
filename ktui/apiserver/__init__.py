"""A small Kubernetes-API-compatible HTTP server on loopback, for `ktui demo`, tests and benchmarks.

Never on a real user's cluster path. Start with `ApiServer().start()` or `with ApiServer() as s`.
"""

from ktui.apiserver.access import AccessRule
from ktui.apiserver.faults import Fault
from ktui.apiserver.requestlog import RequestRecord
from ktui.apiserver.resources import RESOURCES, ResourceType
from ktui.apiserver.server import ApiServer

__all__ = ["RESOURCES", "AccessRule", "ApiServer", "Fault", "RequestRecord", "ResourceType"]
