"""Ingress (networking.k8s.io/v1) to exposed entries, with its class resolved as controllers do.

Class: spec.ingressClassName; else the legacy kubernetes.io/ingress.class annotation; else the
IngressClass annotated ingressclass.kubernetes.io/is-default-class=true. Several defaults is its own
problem: the API server then refuses to default new Ingresses and controllers disagree on who owns
class-less ones. TLS: a tls entry covers the hosts it lists (wildcards one label deep), or every
host when it lists none.
"""

from __future__ import annotations

from ktui.analysis.exposure.backends import Backend, BackendResolver
from ktui.analysis.exposure.entries import ClassInfo, Exposure
from ktui.analysis.exposure.hostnames import ANY_HOST, normalize_host, single_label_matches
from ktui.analysis.exposure.refgrants import CertCheck
from ktui.model.networking import INGRESS_CLASS_ANNOTATION, Ingress, IngressBackend, IngressClass
from ktui.store import ClusterState

NGINX_CONTROLLER = "k8s.io/ingress-nginx"
# ingress-nginx reads paths as regexes with these (other controllers ignore them)
NGINX_REGEX_ANNOTATIONS = ("nginx.ingress.kubernetes.io/use-regex", "nginx.ingress.kubernetes.io/rewrite-target")


def resolve_ingress_class(state: ClusterState, ing: Ingress) -> ClassInfo:
    """Which IngressClass an Ingress belongs to, how that was decided, and the class's controller."""
    name = ing.spec.ingress_class_name or ""
    how = "spec.ingressClassName"
    problem = ""
    if not name:
        legacy = ing.metadata.annotations.get(INGRESS_CLASS_ANNOTATION, "")
        if legacy:
            name, how = legacy, f"annotation {INGRESS_CLASS_ANNOTATION} (deprecated)"
        else:
            defaults = sorted(c.metadata.name for c in state.objects("IngressClass") if c.is_default())
            if len(defaults) == 1:
                name, how = defaults[0], "default IngressClass"
            elif defaults:
                return ClassInfo("IngressClass", "", how="default IngressClass", problem=(
                    f"several default IngressClasses ({', '.join(defaults)}): none applies; set spec.ingressClassName"
                ))
            else:
                return ClassInfo("IngressClass", "", how="none", problem=(
                    "no ingressClassName, no class annotation and no default IngressClass: only a "
                    "controller that watches Ingresses without a class will serve it"
                ))
    cls: IngressClass | None = state.get("IngressClass", "", name)
    if cls is None:
        if how.startswith("annotation"):
            problem = f"no IngressClass {name}: the controller that claims class {name!r} is unknown"
        else:
            problem = f"IngressClass {name} not found"
        return ClassInfo("IngressClass", name, "", False, how, problem)
    if not cls.spec.controller:
        problem = f"IngressClass {name} names no controller"
    return ClassInfo("IngressClass", name, cls.spec.controller, True, how, problem)


def _tls_for(state: ClusterState, ing: Ingress, host: str) -> tuple[bool, tuple[CertCheck, ...]]:
    ns = ing.metadata.namespace
    certs: list[CertCheck] = []
    covered = False
    for i, t in enumerate(ing.spec.tls):
        hosts = [normalize_host(h) for h in t.hosts]
        if hosts and (host == ANY_HOST or not any(single_label_matches(h, host) for h in hosts)):
            continue
        covered = True
        where = f"spec.tls[{i}]"
        if not t.secret_name:
            certs.append(CertCheck(ns, "", "", f"{where}: no secretName: the controller's default certificate"))
        elif state.get("Secret", ns, t.secret_name) is None:
            certs.append(CertCheck(ns, t.secret_name, "InvalidCertificateRef",
                                   f"{where}: Secret {ns}/{t.secret_name} not found"))
        else:
            certs.append(CertCheck(ns, t.secret_name, ""))
    return covered, tuple(certs)


def _backend(state: ClusterState, resolver: BackendResolver, ns: str, b: IngressBackend) -> Backend:
    if b.service is not None:
        port: int | str | None = b.service.port.number or b.service.port.name or None
        return resolver.resolve(ns, b.service.name, port)
    if b.resource is not None:
        r = b.resource
        return Backend(ns, r.name, "", kind=r.kind, group=r.api_group or "", exists=False,
                       problem=f"resource backend {r.kind} {r.name}: served by the controller, not a Service")
    return Backend(ns, "", "", problem="backend names neither a service nor a resource")


def ingress_exposures(state: ClusterState, ing: Ingress, resolver: BackendResolver) -> list[Exposure]:
    meta, spec = ing.metadata, ing.spec
    ns = meta.namespace
    src = f"Ingress {ns}/{meta.name}"
    klass = resolve_ingress_class(state, ing)
    lb = ing.status.load_balancer.ingress
    addrs = tuple(i.ip or i.hostname for i in lb if i.ip or i.hostname)
    nginx = not (klass.exists and klass.controller and klass.controller != NGINX_CONTROLLER)
    regex = nginx and any(
        a in meta.annotations and (a.endswith("rewrite-target") or meta.annotations[a].lower() == "true")
        for a in NGINX_REGEX_ANNOTATIONS
    )
    notes = tuple(f"{k}={v}" for k, v in sorted(meta.annotations.items()) if k.endswith(("/canary", "/canary-weight")))

    def entry(host: str, path: str, path_type: str, rule: str, backend: Backend, default: bool = False) -> Exposure:
        tls, certs = _tls_for(state, ing, host)
        return Exposure(
            ns, src, host, 443 if tls else 80, "HTTPS" if tls else "HTTP", path, path_type, tls,
            "Terminate" if tls else "", certs, addrs, "status" if addrs else "", klass, rule,
            backends=(backend,), regex=regex and not default and path_type != "Exact",
            default_backend=default, notes=notes,
        )

    out: list[Exposure] = []
    for i, rule in enumerate(spec.rules):
        host = normalize_host(rule.host) if rule.host else ANY_HOST
        if rule.http is None:
            continue  # a host with no paths: the default backend answers it, listed below
        for j, p in enumerate(rule.http.paths):
            out.append(entry(host, p.path or "/", p.path_type, f"spec.rules[{i}].http.paths[{j}]",
                             _backend(state, resolver, ns, p.backend)))
    if spec.default_backend is not None:
        out.append(entry(ANY_HOST, "/", "Prefix", "spec.defaultBackend",
                         _backend(state, resolver, ns, spec.default_backend), default=True))
    return out
