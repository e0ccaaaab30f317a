"""Exposure: how traffic gets in (Services, Ingresses, Gateway API routes), their backends and
hosts. Other packages import these names from here (the triage modules, which read the policy
engine, by module)."""

from ktui.analysis.exposure.backends import find_service_port
from ktui.analysis.exposure.refgrants import check_certificate_refs
from ktui.analysis.exposure.routecheck import backend_ref_checks, route_backend_refs
from ktui.analysis.exposure.routes import ParentKey, all_routes, route_statuses

__all__ = ["ParentKey", "all_routes", "backend_ref_checks", "check_certificate_refs", "find_service_port",
           "route_backend_refs", "route_statuses"]
