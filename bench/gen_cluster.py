"""Large synthetic clusters as API objects (dicts), for the sync and analysis benchmarks.

`generate(pods=10000, policies=1000, services=2000, ingresses=300, routes=300, seed=0)` returns
what a real cluster of that size holds: namespaces; per app a Deployment -> ReplicaSet -> Pods
(realistically sized, about 4 KB of JSON each, with status, IPs and Ready conditions), a Service
and an EndpointSlice agreeing with the pods; NetworkPolicies (default deny + DNS per namespace,
then per-app allows mixing pod, namespace and ipBlock peers); Ingresses with TLS Secrets; one
Gateway with HTTPRoutes; CoreDNS in kube-system. Deterministic for a given seed.

    .venv/bin/python bench/gen_cluster.py --out /tmp/big   # writes one YAML file per kind
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
from typing import Any

Obj = dict[str, Any]
T0 = "2025-01-06T09:00:00Z"
GW = "gateway.networking.k8s.io"


def _uid(seed: str) -> str:
    h = hashlib.md5(seed.encode()).hexdigest()  # an identifier, not security
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _ip(n: int) -> str:
    return f"10.{64 + (n >> 16 & 63)}.{n >> 8 & 255}.{n & 255}"


def _meta(name: str, ns: str, labels: Obj | None = None, **extra: Any) -> Obj:
    meta: Obj = {"name": name, "namespace": ns, "uid": _uid(f"{ns}/{name}/{extra.get('kind', '')}"),
                 "creationTimestamp": T0}
    if labels:
        meta["labels"] = labels
    meta.update({k: v for k, v in extra.items() if k != "kind"})
    return meta


def _owner(kind: str, api_version: str, name: str, ns: str) -> list[Obj]:
    return [{"apiVersion": api_version, "kind": kind, "name": name, "uid": _uid(f"{ns}/{name}/{kind}"),
             "controller": True, "blockOwnerDeletion": True}]


def _containers(app: str, rnd: random.Random) -> list[Obj]:
    return [
        {"name": app, "image": f"registry.example.com/team/{app}:1.{rnd.randint(0, 40)}.{rnd.randint(0, 9)}",
         "imagePullPolicy": "IfNotPresent",
         "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                   {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}],
         "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "PORT", "value": "8080"},
                 {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                 {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                 {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel-collector.observability:4317"}],
         "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
         "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 10},
         "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 20},
         "volumeMounts": [{"name": "config", "mountPath": "/etc/app"},
                          {"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                           "readOnly": True}],
         "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"},
        {"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.23.2",
         "ports": [{"name": "http-envoy-prom", "containerPort": 15090, "protocol": "TCP"}],
         "resources": {"requests": {"cpu": "10m", "memory": "40Mi"}}},
    ]


def _pod(name: str, ns: str, labels: Obj, rs: str, n: int, spec: Obj, rnd: random.Random) -> Obj:
    ready = rnd.random() > 0.02
    node = f"node-{n % 97:03d}"
    cond = [{"type": t, "status": "True" if ok else "False", "lastProbeTime": None, "lastTransitionTime": T0}
            for t, ok in (("PodReadyToStartContainers", True), ("Initialized", True), ("Ready", ready),
                          ("ContainersReady", ready), ("PodScheduled", True))]
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": _meta(name, ns, labels, kind="Pod", generateName=f"{rs}-", ownerReferences=_owner(
            "ReplicaSet", "apps/v1", rs, ns), annotations={
            "kubectl.kubernetes.io/restartedAt": T0, "prometheus.io/scrape": "true",
            "prometheus.io/port": "9090", "checksum/config": hashlib.sha256(rs.encode()).hexdigest()}),
        "spec": {**spec, "nodeName": node},
        "status": {"phase": "Running", "conditions": cond, "hostIP": f"172.20.{n % 97 // 256}.{n % 97}",
                   "podIP": _ip(n), "podIPs": [{"ip": _ip(n)}], "startTime": T0, "qosClass": "Burstable",
                   "containerStatuses": [{"name": c["name"], "ready": ready, "restartCount": 0, "started": True,
                                          "image": c["image"], "imageID": f"{c['image']}@sha256:{'0' * 64}",
                                          "containerID": f"containerd://{hashlib.sha1(name.encode()).hexdigest()}",
                                          "state": {"running": {"startedAt": T0}}}
                                         for c in spec["containers"]]},
    }


def _policies(namespaces: list[str], apps: list[tuple[str, str]], count: int, rnd: random.Random) -> list[Obj]:
    docs: list[Obj] = []
    for ns in namespaces:
        if len(docs) + 2 > count:
            break
        docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": _meta("default-deny", ns, kind="NetworkPolicy"),
                     "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}})
        docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": _meta("allow-dns", ns, kind="NetworkPolicy"),
                     "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{
                         "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                 "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                         "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]}})
    i = 0
    while len(docs) < count and apps:
        ns, app = apps[i % len(apps)]
        i += 1
        peers: list[Obj] = []
        for cns, capp in rnd.sample(apps, min(3, len(apps))):
            sel = {"podSelector": {"matchLabels": {"app": capp}}}
            if cns != ns:
                sel["namespaceSelector"] = {"matchLabels": {"kubernetes.io/metadata.name": cns}}
            peers.append(sel)
        egress: list[Obj] = [{"to": [{"podSelector": {"matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["api", "db"]}]}}], "ports": [{"port": 8080}]}]
        if rnd.random() < 0.15:
            egress.append({"to": [{"ipBlock": {"cidr": f"{rnd.randint(11, 200)}.{rnd.randint(0, 255)}.0.0/16"}}],
                           "ports": [{"port": 443}]})
        docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": _meta(f"allow-{app}-{i}", ns, kind="NetworkPolicy"),
                     "spec": {"podSelector": {"matchLabels": {"app": app}}, "policyTypes": ["Ingress", "Egress"],
                              "ingress": [{"from": peers, "ports": [{"port": "http"}, {"port": 9090}]}],
                              "egress": egress}})
    return docs


def generate(pods: int = 10000, policies: int = 1000, services: int = 2000, ingresses: int = 300,
             routes: int = 300, seed: int = 0, namespaces: int | None = None) -> list[Obj]:
    """API objects (as the API server returns them) for a cluster of the given size."""
    rnd = random.Random(seed)
    n_ns = namespaces or max(1, pods // 200)
    ns_names = [f"team-{i:03d}" for i in range(n_ns)]
    docs: list[Obj] = [{"apiVersion": "v1", "kind": "Namespace",
                        "metadata": {"name": ns, "uid": _uid(ns), "creationTimestamp": T0,
                                     "labels": {"kubernetes.io/metadata.name": ns, "team": ns,
                                                "env": "prod" if i % 3 else "dev"}}}
                       for i, ns in enumerate(["kube-system", "gateway-system", *ns_names])]
    docs += _kube_dns()
    app_pods = max(0, pods - 2)
    n_apps = max(1, services)
    apps: list[tuple[str, str]] = []
    n = 0
    for a in range(n_apps):
        ns, app = ns_names[a % n_ns], f"app-{a:05d}"
        apps.append((ns, app))
        tier = ("web", "api", "db")[a % 3]
        replicas = app_pods // n_apps + (1 if a < app_pods % n_apps else 0)
        pth = hashlib.sha1(app.encode()).hexdigest()[:10]
        rs = f"{app}-{pth}"
        labels = {"app": app, "tier": tier, "team": ns, "version": "v1", "pod-template-hash": pth,
                  "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": ns}
        spec = {"containers": _containers(app, rnd), "serviceAccountName": app, "restartPolicy": "Always",
                "dnsPolicy": "ClusterFirst", "terminationGracePeriodSeconds": 30, "schedulerName": "default-scheduler",
                "volumes": [{"name": "config", "configMap": {"name": f"{app}-config"}}],
                "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                 "effect": "NoExecute", "tolerationSeconds": 300}]}
        template = {"metadata": {"labels": {k: v for k, v in labels.items() if k != "pod-template-hash"}},
                    "spec": {k: v for k, v in spec.items() if k != "nodeName"}}
        docs.append({"apiVersion": "apps/v1", "kind": "Deployment",
                     "metadata": _meta(app, ns, {"app": app}, kind="Deployment"),
                     "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": app}}, "template": template},
                     "status": {"replicas": replicas, "readyReplicas": replicas}})
        docs.append({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                     "metadata": _meta(rs, ns, {"app": app, "pod-template-hash": pth}, kind="ReplicaSet",
                                       ownerReferences=_owner("Deployment", "apps/v1", app, ns)),
                     "spec": {"replicas": replicas,
                              "selector": {"matchLabels": {"app": app, "pod-template-hash": pth}},
                              "template": template}})
        endpoints = []
        for r in range(replicas):
            pod = _pod(f"{rs}-{hashlib.sha1(f'{rs}{r}'.encode()).hexdigest()[:5]}", ns, labels, rs, n, spec, rnd)
            docs.append(pod)
            ready = pod["status"]["conditions"][2]["status"] == "True"
            endpoints.append({"addresses": [_ip(n)], "conditions": {"ready": ready, "serving": ready},
                              "nodeName": pod["spec"]["nodeName"],
                              "targetRef": {"kind": "Pod", "namespace": ns, "name": pod["metadata"]["name"]}})
            n += 1
        docs.append({"apiVersion": "v1", "kind": "Service", "metadata": _meta(app, ns, {"app": app}, kind="Service"),
                     "spec": {"selector": {"app": app}, "clusterIP": f"10.96.{a >> 8 & 255}.{a & 255}",
                              "type": "ClusterIP", "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}})
        docs.append({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                     "metadata": _meta(f"{app}-{pth[:5]}", ns, {"kubernetes.io/service-name": app}, kind="ES"),
                     "addressType": "IPv4", "endpoints": endpoints,
                     "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]})
    docs += _policies(ns_names, apps, policies, rnd)
    docs += _exposure(apps, ingresses, routes)
    return docs


def _kube_dns() -> list[Obj]:
    labels = {"k8s-app": "kube-dns"}
    docs: list[Obj] = [{"apiVersion": "v1", "kind": "Service", "metadata": _meta("kube-dns", "kube-system", labels),
                        "spec": {"selector": labels, "clusterIP": "10.96.0.10",
                                 "ports": [{"name": "dns", "port": 53, "protocol": "UDP"},
                                           {"name": "dns-tcp", "port": 53, "protocol": "TCP"}]}}]
    for i in range(2):
        docs.append({"apiVersion": "v1", "kind": "Pod", "metadata": _meta(f"coredns-{i}", "kube-system", labels),
                     "spec": {"containers": [{"name": "coredns", "ports": [
                         {"name": "dns", "containerPort": 53, "protocol": "UDP"},
                         {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}]}]},
                     "status": {"phase": "Running", "podIP": f"10.64.255.{i + 2}",
                                "conditions": [{"type": "Ready", "status": "True"}]}})
    return docs


def _exposure(apps: list[tuple[str, str]], ingresses: int, routes: int) -> list[Obj]:
    docs: list[Obj] = [
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
         "metadata": {"name": "nginx", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
         "spec": {"controller": "k8s.io/ingress-nginx"}},
        {"apiVersion": f"{GW}/v1", "kind": "GatewayClass", "metadata": {"name": "envoy"},
         "spec": {"controllerName": "gateway.envoyproxy.io/gatewayclass-controller"}},
        {"apiVersion": f"{GW}/v1", "kind": "Gateway", "metadata": _meta("public", "gateway-system"),
         "spec": {"gatewayClassName": "envoy", "listeners": [
             {"name": "https", "port": 443, "protocol": "HTTPS", "hostname": "*.example.com",
              "tls": {"certificateRefs": [{"name": "wildcard"}]}, "allowedRoutes": {"namespaces": {"from": "All"}}}]}},
    ]
    for i in range(ingresses):
        ns, app = apps[i % len(apps)]
        host = f"{app}.{ns}.example.com"
        docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": _meta(app, ns, kind="Ing"),
                     "spec": {"ingressClassName": "nginx", "tls": [{"hosts": [host], "secretName": f"{app}-tls"}],
                              "rules": [{"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix",
                                         "backend": {"service": {"name": app, "port": {"number": 80}}}}]}}]}})
        docs.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                     "metadata": _meta(f"{app}-tls", ns, annotations={"cert-manager.io/alt-names": host}),
                     "data": {"tls.crt": "ZGVtbw==", "tls.key": "ZGVtbw=="}})
    for i in range(routes):
        ns, app = apps[-1 - i % len(apps)]
        docs.append({"apiVersion": f"{GW}/v1", "kind": "HTTPRoute", "metadata": _meta(app, ns, kind="HTTPRoute"),
                     "spec": {"parentRefs": [{"name": "public", "namespace": "gateway-system"}],
                              "hostnames": [f"{app}.routes.example.com"],
                              "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                                         "backendRefs": [{"name": app, "port": 80}]}]}})
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory for one YAML file per kind")
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import yaml

    os.makedirs(args.out, exist_ok=True)
    by_kind: dict[str, list[Obj]] = {}
    for doc in generate(pods=args.pods, seed=args.seed):
        by_kind.setdefault(doc["kind"], []).append(doc)
    for kind, docs in by_kind.items():
        with open(os.path.join(args.out, f"{kind.lower()}.yaml"), "w") as fh:
            yaml.safe_dump_all(docs, fh, sort_keys=False)
    print(json.dumps({k: len(v) for k, v in by_kind.items()}))


if __name__ == "__main__":
    main()
