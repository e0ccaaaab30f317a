"""The links of the triage chain, each judged ok / warn / fail with its reason and an object.

Each function looks at one link of one exposed entry. Manifests have no status (addresses),
often no Secrets and no classes installed with the controller: there a missing one is a warning
("not in the manifests"), on a live cluster a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from ktui.analysis.core.subjects import ExternalRange, Subject
from ktui.analysis.exposure.backends import Backend, PodInfo
from ktui.analysis.exposure.controllers import ControllerPods, outside_pod
from ktui.analysis.exposure.entries import Exposure
from ktui.analysis.exposure.tls import NONE, UNKNOWN, tls_state
from ktui.analysis.policy import NetpolEngine, Verdict, named_ports
from ktui.store import ClusterState

P = TypeVar("P", Subject, ExternalRange, Subject | ExternalRange)
OK, WARN, FAIL = "ok", "warn", "fail"
EVERYWHERE = ExternalRange(4, 0, 2**32 - 1)
# One stand-in for every chain: the engine keeps a subject's tiers by identity, so they are
# selected once, not once per entry.
OUTSIDE = outside_pod()


@dataclass(frozen=True, slots=True)
class Link:
    """One link of a chain: what was checked, how it stands, why, and the object to look at."""

    name: str  # class, address, match, service, port, selector, endpoints, netpol, tls
    status: str  # ok | warn | fail
    reason: str
    obj: str = ""


def class_link(e: Exposure, live: bool, state: ClusterState) -> Link | None:
    k = e.klass
    if k is None:
        return None
    obj = f"{k.kind} {k.name}" if k.name else e.source
    if k.exists and not k.problem:
        return Link("class", OK, f"{k.kind} {k.name} (controller {k.controller}), from {k.how}", obj)
    if not k.exists and k.name and not live and state.count(k.kind) == 0:
        return Link("class", WARN, f"{k.problem} (no {k.kind} in the manifests; installed with the controller?)", obj)
    if not k.name or k.how.startswith("annotation"):
        return Link("class", WARN, k.problem, obj)
    return Link("class", FAIL, k.problem, obj)


def address_link(e: Exposure, live: bool) -> Link:
    obj = e.listener.rsplit(" listener ", 1)[0] if e.listener else e.source
    if e.address_source in ("status", "nodes", "spec.externalIPs"):
        return Link("address", OK, f"{', '.join(e.addresses)} (from {e.address_source})", obj)
    if e.addresses:
        where = f"{', '.join(e.addresses)} requested in {e.address_source}"
        return Link("address", WARN, f"{where}, not confirmed in status", obj)
    if e.host == "<every node>":
        return Link("address", WARN, "NodePort on every node; no Node objects to list their addresses", obj)
    if not live:
        return Link("address", WARN, "no address: manifests carry no status (assigned by the controller)", obj)
    return Link("address", FAIL, "no address assigned: the controller or load balancer has not admitted it", obj)


def match_link(e: Exposure, host: str, path: str) -> Link:
    if not e.attached:
        return Link("match", FAIL, e.problem, e.route or e.source)
    if e.route:
        what = f"{e.route} on {e.listener} ({e.rule})"
        obj = e.route
    else:
        what = f"{e.source} {e.rule}"
        obj = e.source
    if not e.path:
        return Link("match", OK, f"{what}: {e.protocol} {host} on port {e.port}", obj)
    kind = "regex" if e.regex else e.path_type
    note = ""
    if e.path_type == "ImplementationSpecific" and not e.regex:
        note = " (ImplementationSpecific read as Prefix)"
    if e.default_backend:
        return Link("match", OK, f"{what}: no rule matches {host}{path}, the default backend takes it", obj)
    return Link("match", OK, f"{what}: host {e.host}, path {e.path} ({kind}) matches {path}{note}", obj)


def service_link(b: Backend) -> Link:
    if b.ref_reason in ("InvalidKind", "RefNotPermitted"):
        obj = f"ReferenceGrant in namespace {b.namespace}" if b.ref_reason == "RefNotPermitted" else b.ref
        return Link("service", FAIL, f"{b.ref_reason}: {b.problem}", obj)
    if b.kind != "Service":
        return Link("service", WARN, b.problem, b.ref)
    if not b.exists:
        return Link("service", FAIL, b.problem or f"Service {b.namespace}/{b.name} not found", b.ref)
    if b.service_type == "ExternalName":
        return Link("service", WARN, b.problem, b.ref)
    return Link("service", OK, f"Service {b.namespace}/{b.name} ({b.service_type}) exists", b.ref)


def port_link(b: Backend) -> Link:
    sp = b.service_port
    if sp is None:
        return Link("port", FAIL, b.problem, b.ref)
    name = f" ({sp.name})" if sp.name else ""
    reason = f"port {sp.port}{name}/{sp.protocol} -> targetPort {b.target_port}"
    if isinstance(b.target_port, str) and not b.target_port.isdigit() and b.pods:
        missing = [p for p in b.pods if b.container_port(p) is None]
        if missing:
            return Link("port", FAIL, f"{reason}: no container port named {b.target_port} on {missing[0]}", b.ref)
    return Link("port", OK, reason, b.ref)


def selector_link(b: Backend) -> Link:
    if not b.selector:
        return Link("selector", WARN, "the Service has no selector: its endpoints are managed by hand", b.ref)
    sel = ",".join(f"{k}={v}" for k, v in sorted(b.selector.items()))
    if not b.pods:
        return Link("selector", FAIL, f"selector {sel} picks no pods (nor any workload template)", b.ref)
    if b.pods_from == "templates":
        names = ", ".join(str(p) for p in b.pods)
        return Link("selector", OK, f"selector {sel} picks the pods of {names} (from the template)", b.ref)
    ready = sum(1 for p in b.pods if p.ready)
    return Link("selector", OK, f"selector {sel} picks {len(b.pods)} pod(s), {ready} ready", b.ref)


def endpoints_link(b: Backend) -> Link:
    ep = b.endpoints
    obj = f"EndpointSlice {b.namespace}/{ep.slices[0]}" if ep.slices else f"EndpointSlices of {b.ref}"
    if not ep.known:
        return Link("endpoints", WARN, ep.note or "unknown", obj)
    if ep.ready:
        extra = f", {ep.not_ready} not ready" if ep.not_ready else ""
        return Link("endpoints", OK, f"{ep.ready} ready endpoint(s){extra}", obj)
    why = f"0 ready endpoints ({ep.not_ready} not ready)" if ep.not_ready else "0 ready endpoints"
    return Link("endpoints", FAIL, f"{why}{': ' + ep.note if ep.note else ''}", obj)


def _any_rule_admits(engine: NetpolEngine, pod: Subject, port: int, proto: str) -> bool:
    """Does some ingress rule selecting the pod allow the port from anyone at all?"""
    dst = named_ports(pod)
    return any(rule.port_set(dst).contains(port, proto)
               for cp in engine.selecting(pod, "ingress") for rule in cp.rules("ingress"))


def _denied_text(v: Verdict) -> str:
    side = v.egress if not v.egress.allowed else v.ingress
    return f"{v.src} -> {v.dst}:{v.port}/{v.protocol} denied ({side.direction}: {side.reason()})"


def source_classes(engine: NetpolEngine, sources: Sequence[Subject | ExternalRange]
                   ) -> list[tuple[Subject | ExternalRange, int]]:
    """The sources no tier tells apart (namespace, labels, service account, ports, host network,
    the address segment between the tiers' boundaries each IP falls in), each once, first member
    first, with how many it stands for: a controller run as a DaemonSet on hundreds of nodes is
    asked about once, not once per node, for every backend pod of every host."""
    return _alike(engine, sources)


def _alike(engine: NetpolEngine, members: Sequence[P]) -> list[tuple[P, int]]:
    """Each class of members no tier tells apart (engine.alike_key; address ranges are their own
    class), first member first, with how many it stands for."""
    if len(members) < 2:
        return [(m, 1) for m in members]
    order: dict[object, int] = {}
    out: list[tuple[P, int]] = []
    for m in members:
        key = engine.alike_key(m) if isinstance(m, Subject) else m
        if key in order:
            i = order[key]
            out[i] = (out[i][0], out[i][1] + 1)
        else:
            order[key] = len(out)
            out.append((m, 1))
    return out


def netpol_link(engine: NetpolEngine, e: Exposure, b: Backend, controllers: ControllerPods | None) -> Link | None:
    """Can the traffic's source reach every backend pod on the target port? None without pods."""
    pods: list[PodInfo] = list(b.pods)
    if not pods:
        return None
    proto = b.service_port.protocol if b.service_port is not None else "TCP"
    sources: tuple[Subject | ExternalRange, ...]
    if controllers is None:  # a Service exposed directly: clients come from outside the cluster
        sources, assumption = (EVERYWHERE,), "from any external address"
    elif controllers.found:
        sources, assumption = controllers.subjects, f"from the controller ({controllers.how})"
    else:
        sources = (OUTSIDE,)
        assumption = "from a pod outside the namespace (the controller's pods were not found; assumed)"
    pods = [p for p in pods if b.container_port(p) is not None]  # the others fail the port link
    if not pods:
        return None
    denied: list[Verdict] = []
    checked = 0
    classes = source_classes(engine, sources)
    # backend pods alike (their ports too) get the same verdicts: asked once, counted for each;
    # the first denied is still the first pod denied (a class's first member comes first)
    by_subject = {id(p.subject): p for p in pods}
    for dst, pods_alike in _alike(engine, [p.subject for p in pods]):
        pod = by_subject[id(dst)]
        port = b.container_port(pod) or 0
        for src, alike in classes:
            checked += alike * pods_alike
            v = engine.can_reach(src, pod.subject, port, proto)
            if not v.allowed:
                denied.extend([v] * (alike * pods_alike))
    if not denied:
        return Link("netpol", OK, f"allowed {assumption} to {len(pods)} pod(s)", b.ref)
    first = denied[0]
    side = first.egress if not first.egress.allowed else first.ingress
    obj = "NetworkPolicy " + ", ".join(side.policies) if side.policies else b.ref
    text = f"{len(denied)} of {checked} denied {assumption}: {_denied_text(first)}"
    if controllers is not None and not controllers.found:
        pod = pods[0]
        port = b.container_port(pod) or 0
        if _any_rule_admits(engine, pod.subject, port, proto):
            return Link("netpol", WARN, text + "; a rule naming the controller's pods may still allow it", obj)
    return Link("netpol", FAIL, text, obj)


def tls_link(state: ClusterState, e: Exposure, host: str, live: bool) -> Link | None:
    """The chain's tls link, from the one TLS verdict (exposure/tls.py); unknown reads as warn."""
    st = tls_state(state, e, host, live)
    if st.status == NONE:
        return None
    return Link("tls", WARN if st.status == UNKNOWN else st.status, st.reason, st.obj)
