"""Ingress and Service findings: backends, ports, endpoints, TLS Secrets, IngressClass, and the
retired community ingress-nginx controller.

Written against the model objects: the exposure module's entries did not exist when this was
written; the checks only need the references, not the resolved entries.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ktui.analysis.core.subjects import Subject, WorkloadId, pod_subject
from ktui.analysis.exposure import find_service_port
from ktui.analysis.findings.catalogue import Finding, Severity, finding, ref
from ktui.analysis.findings.context import CheckContext, group_by_workload
from ktui.analysis.findings.routes import backends_in_view, route_backends
from ktui.model.core import WORKLOAD_KINDS, Service
from ktui.model.networking import INGRESS_CLASS_ANNOTATION, Ingress, IngressBackend
from ktui.model.selectors import LabelSelector

RETIRED_CONTROLLER = "k8s.io/ingress-nginx"
CERT_MANAGER_ANNOTATIONS = ("cert-manager.io/issuer", "cert-manager.io/cluster-issuer")


def ingress_backends(ing: Ingress) -> Iterator[tuple[str, IngressBackend]]:
    """(where, backend) for the default backend and every rule path."""
    if ing.spec.default_backend is not None:
        yield "spec.defaultBackend", ing.spec.default_backend
    for i, rule in enumerate(ing.spec.rules):
        for j, path in enumerate(rule.http.paths if rule.http else ()):
            yield f"spec.rules[{i}].http.paths[{j}]", path.backend


def ingress_backend_findings(ctx: CheckContext) -> list[Finding]:
    """EX001/EX002 for Ingress backends, once per (Ingress, Service[, port])."""
    out: list[Finding] = []
    for ing in ctx.state.objects("Ingress"):
        ns, name = ing.metadata.namespace, ing.metadata.name
        obj = ref(ctx.state, "Ingress", ns, name)
        seen: set[str] = set()
        for where, backend in ingress_backends(ing):
            if backend.service is None:
                continue
            svc_name = backend.service.name
            port = backend.service.port
            svc = ctx.state.get("Service", ns, svc_name)
            if svc is None:
                if svc_name not in seen and backends_in_view(ctx, ns):
                    seen.add(svc_name)
                    out.append(finding(
                        "KTUI-EX001", obj, f"{where}: backend Service {ns}/{svc_name} does not exist",
                        detail=f"service {svc_name}",
                    ))
                continue
            port_text = port.name or str(port.number)
            key = f"service {svc_name} port {port_text}"
            if key in seen or find_service_port(svc, port.name or port.number or None) is not None:
                continue
            seen.add(key)
            have = ", ".join(p.name or str(p.port) for p in svc.spec.ports) or "none"
            out.append(finding(
                "KTUI-EX002", obj,
                f"{where}: Service {ns}/{svc_name} has no port {port_text} (it has: {have})",
                detail=key,
            ))
    return out


def target_port_findings(ctx: CheckContext) -> list[Finding]:
    """EX002 for a Service whose named targetPort none of its selected pods declares."""
    out: list[Finding] = []
    for svc in ctx.state.objects("Service"):
        ns, name = svc.metadata.namespace, svc.metadata.name
        if not svc.spec.selector:
            continue
        named = [(i, p) for i, p in enumerate(svc.spec.ports)
                 if isinstance(p.target_port, str) and not p.target_port.isdigit()]
        if not named:
            continue  # only a named targetPort is resolved on the pods
        pods = ctx.pods_matching(ns, LabelSelector(match_labels=dict(svc.spec.selector)))
        if not pods:
            continue  # EX003 says so
        for i, p in named:
            target = p.target_port
            proto = p.protocol or "TCP"
            if any(cp.name == target and (cp.protocol or "TCP") == proto for s in pods for cp in s.ports):
                continue
            out.append(finding(
                "KTUI-EX002", ref(ctx.state, "Service", ns, name),
                f"spec.ports[{i}]: targetPort {target}/{proto} is declared by none of the {len(pods)} pod(s)/"
                "workload(s) the Service selects: the port has no endpoints",
                detail=f"targetPort {target}",
            ))
    return out


def exposed_services(ctx: CheckContext) -> dict[tuple[str, str], list[str]]:
    """(ns, name) of Services reachable from outside -> what exposes each and for which host:
    "Ingress shop/shop (shop.example.com)", "HTTPRoute shop/api (api.example.com)", "type LoadBalancer"."""
    out: dict[tuple[str, str], list[str]] = {}

    def add(key: tuple[str, str], via: str) -> None:
        vias = out.setdefault(key, [])
        if via not in vias:
            vias.append(via)

    for svc in ctx.state.objects("Service"):
        meta = svc.metadata
        if svc.spec.type in ("LoadBalancer", "NodePort"):
            add((meta.namespace, meta.name), f"type {svc.spec.type}")
        if svc.spec.external_ips:
            add((meta.namespace, meta.name), "externalIPs " + ", ".join(svc.spec.external_ips))
    for ing in ctx.state.objects("Ingress"):
        ns, name = ing.metadata.namespace, ing.metadata.name
        if ing.spec.default_backend is not None and ing.spec.default_backend.service is not None:
            add((ns, ing.spec.default_backend.service.name), f"Ingress {ns}/{name} (default backend)")
        for rule in ing.spec.rules:
            for path in rule.http.paths if rule.http else ():
                if path.backend.service is not None:
                    add((ns, path.backend.service.name), f"Ingress {ns}/{name} ({rule.host or '*'})")
    for route, _, backend_ns, ref_ in route_backends(ctx):
        if not ref_.group and ref_.kind == "Service":
            hosts = ", ".join(getattr(route.spec, "hostnames", None) or ()) or "*"
            add((backend_ns, ref_.name), f"{route.kind} {route.metadata.namespace}/{route.metadata.name} ({hosts})")
    return out


def _ready_from_slices(ctx: CheckContext, svc: Service) -> bool | None:
    """None when the Service has no EndpointSlice at all: then the pods decide."""
    slices = ctx.state.endpoint_slices(svc.metadata.namespace, svc.metadata.name)
    if not slices:
        return None
    return any(ep.is_ready() for s in slices for ep in s.endpoints)


def _ready_from_pods(ctx: CheckContext, svc: Service) -> tuple[bool, int]:
    """(some backing pod would be ready, how many pods/templates match)."""
    ns = svc.metadata.namespace
    selector = LabelSelector(match_labels=dict(svc.spec.selector or {}))
    matched = ctx.pods_matching(ns, selector)
    for s in matched:
        pod = ctx.state.get("Pod", ns, s.name)
        if pod is not None:
            # A pod manifest has no status yet: it would start, so count it.
            if pod.is_ready() or (not ctx.complete and not pod.status.phase):
                return True, len(matched)
            continue
        workload = ctx.state.get(s.workload.kind, ns, s.workload.name)
        if workload is None or workload.spec.replicas != 0:
            return True, len(matched)
    return False, len(matched)


def endpoint_findings(ctx: CheckContext) -> list[Finding]:
    """EX003: Services no ready pod backs (high when exposed)."""
    out: list[Finding] = []
    exposed = exposed_services(ctx)
    use_slices = ctx.state.count("EndpointSlice") > 0 and "EndpointSlice" not in ctx.unseen
    for svc in ctx.state.objects("Service"):
        ns, name = svc.metadata.namespace, svc.metadata.name
        if svc.spec.type == "ExternalName":
            continue
        ready: bool | None = None
        why = ""
        if use_slices:
            ready = _ready_from_slices(ctx, svc)
            why = "its EndpointSlices list no ready endpoint"
        if ready is None:
            if not svc.spec.selector or not (ctx.complete or ctx.by_ns.get(ns)):
                continue
            ready, n = _ready_from_pods(ctx, svc)
            sel = ",".join(f"{k}={v}" for k, v in sorted(svc.spec.selector.items()))
            why = (f"its selector {sel} matches no pod" if n == 0
                   else f"the {n} pod(s)/workload(s) its selector {sel} matches are not ready (or scaled to 0)")
        if ready:
            continue
        vias = exposed.get((ns, name), [])
        through = ""
        if vias:
            more = f" and {len(vias) - 3} more" if len(vias) > 3 else ""
            through = f"; exposed through {', '.join(vias[:3])}{more}"
        out.append(finding(
            "KTUI-EX003", ref(ctx.state, "Service", ns, name),
            f"Service {ns}/{name}{' (exposed)' if vias else ''} has no ready endpoints: {why}{through}",
            severity=Severity.HIGH if vias else Severity.MEDIUM,
        ))
    return out


def tls_secret_findings(ctx: CheckContext) -> list[Finding]:
    """EX004 for Ingress spec.tls secretNames (Gateway certificateRefs are in findings_routes)."""
    if "Secret" in ctx.unseen:
        return []
    out: list[Finding] = []
    for ing in ctx.state.objects("Ingress"):
        ns, name = ing.metadata.namespace, ing.metadata.name
        ann = ing.metadata.annotations
        managed = any(a in ann for a in CERT_MANAGER_ANNOTATIONS) or ann.get("kubernetes.io/tls-acme") == "true"
        for i, tls in enumerate(ing.spec.tls):
            secret = tls.secret_name
            if not secret or ctx.state.get("Secret", ns, secret) is not None:
                continue
            if managed and not ctx.complete:
                continue  # cert-manager will create it
            hosts = ", ".join(tls.hosts) or "the default host"
            out.append(finding(
                "KTUI-EX004", ref(ctx.state, "Ingress", ns, name),
                f"spec.tls[{i}]: Secret {ns}/{secret} for {hosts} does not exist"
                + ("" if ctx.complete else " in the manifests"),
                detail=f"secret {secret}",
                severity=None if ctx.complete else Severity.MEDIUM,
            ))
    return out


def ingress_class_findings(ctx: CheckContext) -> list[Finding]:
    """EX005 (named class missing) and EX006 (no class, no single default)."""
    if "IngressClass" in ctx.unseen:
        return []
    classes = ctx.state.objects("IngressClass")
    defaults = sorted(c.metadata.name for c in classes if c.is_default())
    in_view = ctx.complete or bool(classes)
    sev = None if in_view else Severity.INFO
    out: list[Finding] = []
    for ing in ctx.state.objects("Ingress"):
        ns, name = ing.metadata.namespace, ing.metadata.name
        obj = ref(ctx.state, "Ingress", ns, name)
        wanted = ing.spec.ingress_class_name
        if wanted:
            if ctx.state.get("IngressClass", "", wanted) is None:
                have = ", ".join(sorted(c.metadata.name for c in classes))
                msg = (f"spec.ingressClassName {wanted}: no such IngressClass (classes: {have}); "
                       "no controller will serve this Ingress" if in_view else
                       f"spec.ingressClassName {wanted}: the IngressClass is not in the manifests; "
                       "make sure it is installed")
                out.append(finding("KTUI-EX005", obj, msg, detail=f"class {wanted}", severity=sev))
            continue
        if INGRESS_CLASS_ANNOTATION in ing.metadata.annotations or len(defaults) == 1:
            continue
        if defaults:
            msg = (f"no ingressClassName and {len(defaults)} IngressClasses are marked default "
                   f"({', '.join(defaults)}): the API server refuses such Ingresses")
            out.append(finding("KTUI-EX006", obj, msg, detail="several defaults"))
        else:
            msg = "no ingressClassName, no kubernetes.io/ingress.class annotation and no default IngressClass"
            msg += ": no controller will serve it" if in_view else " in the manifests: make sure one is installed"
            out.append(finding("KTUI-EX006", obj, msg, detail="no default", severity=sev))
    return out


def _nginx_workload(labels: Mapping[str, str], workload: str) -> bool:
    """The community chart's labels, or its controller Deployment/DaemonSet name."""
    if workload == "ingress-nginx-controller":
        return True
    name = labels.get("app.kubernetes.io/name") or labels.get("app")
    return name == "ingress-nginx" and labels.get("app.kubernetes.io/component", "controller") == "controller"


NGINX_IMAGE = "ingress-nginx/controller"


def _nginx_evidence(subjects: list[Subject], by_image: set[WorkloadId]) -> str:
    """What gave the controller away, in the words of the manifest."""
    if any(s.workload in by_image for s in subjects):
        return f"image {NGINX_IMAGE}"
    labels = subjects[0].labels
    for key in ("app.kubernetes.io/name", "app"):
        if labels.get(key) == "ingress-nginx":
            return f"label {key}=ingress-nginx"
    return "workload name ingress-nginx-controller"


def _nginx_by_image(ctx: CheckContext) -> set[WorkloadId]:
    """Workloads running the community controller image (registry.k8s.io/ingress-nginx/controller)."""
    found: set[WorkloadId] = set()
    for pod in ctx.state.pods():
        if any(NGINX_IMAGE in c.image for c in pod.spec.containers):
            found.add(pod_subject(pod).workload)
    for kind in WORKLOAD_KINDS:
        for w in ctx.state.objects(kind):
            template = w.pod_template()
            if template is not None and any(NGINX_IMAGE in c.image for c in template.spec.containers):
                found.add(WorkloadId(w.metadata.namespace, w.metadata.name, kind))
    return found


def retired_nginx_findings(ctx: CheckContext) -> list[Finding]:
    """EX009: an IngressClass with controller k8s.io/ingress-nginx, or the controller's workloads."""
    out: list[Finding] = []
    for cls in ctx.state.objects("IngressClass"):
        if cls.spec.controller == RETIRED_CONTROLLER:
            out.append(finding(
                "KTUI-EX009", ref(ctx.state, "IngressClass", "", cls.metadata.name),
                f"IngressClass {cls.metadata.name} uses controller {RETIRED_CONTROLLER}, the retired community "
                "ingress-nginx: it gets no more releases or security fixes",
            ))
    by_image = _nginx_by_image(ctx)
    controllers = [s for s in ctx.subjects if _nginx_workload(s.labels, s.workload.name) or s.workload in by_image]
    for obj, subjects in group_by_workload(ctx, controllers).items():
        out.append(finding(
            "KTUI-EX009", obj,
            f"{obj} runs the retired community ingress-nginx controller ({_nginx_evidence(subjects, by_image)}): "
            "it gets no more releases or security fixes",
        ))
    return out
