"""The demo cluster's own little controllers, so its YAML stays what people write.

The YAML in demo_data/ holds what users apply (Deployments, Services, policies, routes...). Here,
like kube-controller-manager, the scheduler and the kubelet would: Deployments get ReplicaSets,
workloads get Pods (names, node, IP, Ready conditions), Services get a ClusterIP and
EndpointSlices that agree with the Pods. Everything is deterministic, so the demo looks the same
on every run, and `objects()` can be recomputed after a change and diffed (the churn).
"""

from __future__ import annotations

import copy
import hashlib
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
Key = tuple[str, str, str]  # (kind, namespace, name)

NODES = (("demo-worker-1", "172.18.0.2", "10.244.1.0/24"),
         ("demo-worker-2", "172.18.0.3", "10.244.2.0/24"),
         ("demo-worker-3", "172.18.0.4", "10.244.3.0/24"))
READY_ANNOTATION = "demo.ktui.dev/ready"
CREATED = "2025-01-06T09:00:00Z"
_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # what the apiserver uses for generated suffixes


def key_of(obj: Obj) -> Key:
    meta = obj["metadata"]
    return obj["kind"], meta.get("namespace", ""), meta["name"]


def _suffix(seed: str, n: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:n])


def _uid(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _owner(obj: Obj) -> Obj:
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def _condition(type_: str, ok: bool, reason: str = "") -> Obj:
    cond: Obj = {"type": type_, "status": "True" if ok else "False", "lastTransitionTime": CREATED}
    if reason:
        cond["reason"] = reason
    return cond


@dataclass
class World:
    """Desired objects in, the full cluster out. `unready` marks single pods not Ready (churn)."""

    desired: list[Obj]
    unready: set[tuple[str, str]] = field(default_factory=set)
    _next_ip: dict[str, int] = field(default_factory=dict)
    _ips: dict[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)

    def objects(self) -> list[Obj]:
        out: list[Obj] = []
        pods: list[Obj] = []
        cluster_ips = iter(ipaddress.ip_network("10.96.100.0/22").hosts())
        for doc in self.desired:
            obj = copy.deepcopy(doc)
            meta = obj.setdefault("metadata", {})
            meta.setdefault("uid", _uid("/".join(key_of(obj))))
            meta.setdefault("creationTimestamp", CREATED)
            kind = obj["kind"]
            if kind == "Service" and "clusterIP" not in obj["spec"] and obj["spec"].get("type") != "ExternalName":
                obj["spec"]["clusterIP"] = str(next(cluster_ips))
            out.append(obj)
            if kind == "Deployment":
                rs = self._replicaset(obj)
                out.append(rs)
                pods.extend(self._pods(rs, obj, self._replica_names(rs)))
            elif kind == "StatefulSet":
                names = [f"{meta['name']}-{i}" for i in range(obj["spec"].get("replicas", 1))]
                pods.extend(self._pods(obj, obj, names))
            elif kind == "DaemonSet":
                names = [f"{meta['name']}-{_suffix(meta['name'] + node[0], 5)}" for node in NODES]
                pods.extend(self._pods(obj, obj, names, per_node=True))
        out.extend(pods)
        for svc in [o for o in out if o["kind"] == "Service" and o["spec"].get("selector")]:
            out.append(self._slice(svc, pods))
        self._workload_status(out, pods)
        return out

    # ------------------------------------------------------------ workloads and pods

    def _replicaset(self, dep: Obj) -> Obj:
        template = copy.deepcopy(dep["spec"]["template"])
        pth = _suffix(repr(sorted(template.items(), key=str)), 10)
        labels = {**template["metadata"].get("labels", {}), "pod-template-hash": pth}
        template["metadata"]["labels"] = labels
        name = f"{dep['metadata']['name']}-{pth}"
        ns = dep["metadata"]["namespace"]
        selector = copy.deepcopy(dep["spec"]["selector"])
        selector.setdefault("matchLabels", {})["pod-template-hash"] = pth
        return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": name, "namespace": ns, "labels": dict(labels),
                             "annotations": {"deployment.kubernetes.io/revision": "1"},
                             "uid": _uid(f"rs/{ns}/{name}"), "creationTimestamp": CREATED,
                             "ownerReferences": [_owner(dep)]},
                "spec": {"replicas": dep["spec"].get("replicas", 1), "selector": selector,
                         "template": template}}

    @staticmethod
    def _replica_names(rs: Obj) -> list[str]:
        name = rs["metadata"]["name"]
        return [f"{name}-{_suffix(f'{name}/{i}', 5)}" for i in range(rs["spec"]["replicas"])]

    def _place(self, ns: str, name: str, index: int, per_node: bool) -> tuple[str, str, str]:
        """Node name, host IP and pod IP; stable for a pod once given."""
        if (ns, name) not in self._ips:
            node, host_ip, cidr = NODES[index % len(NODES)]
            if per_node:
                self._ips[(ns, name)] = (node, host_ip, host_ip)
            else:
                n = self._next_ip.get(node, 10)
                self._next_ip[node] = n + 1
                self._ips[(ns, name)] = (node, host_ip, str(ipaddress.ip_network(cidr)[n]))
        return self._ips[(ns, name)]

    def _pods(self, owner: Obj, workload: Obj, names: list[str], per_node: bool = False) -> list[Obj]:
        ns = owner["metadata"]["namespace"]
        template = owner["spec"]["template"]
        healthy = workload["metadata"].get("annotations", {}).get(READY_ANNOTATION) != "false"
        pods = []
        for i, name in enumerate(names):
            node, host_ip, ip = self._place(ns, name, i, per_node or template["spec"].get("hostNetwork", False))
            ready = healthy and (ns, name) not in self.unready
            spec = copy.deepcopy(template["spec"])
            spec.update(nodeName=node, restartPolicy="Always", dnsPolicy="ClusterFirst",
                        schedulerName="default-scheduler", terminationGracePeriodSeconds=30)
            spec.setdefault("serviceAccountName", "default")
            statuses = [self._container_status(c, ready, healthy) for c in spec["containers"]]
            pods.append({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": ns, "labels": dict(template["metadata"].get("labels", {})),
                             "uid": _uid(f"pod/{ns}/{name}"), "creationTimestamp": CREATED,
                             "ownerReferences": [_owner(owner)]},
                "spec": spec,
                "status": {
                    "phase": "Running", "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
                    "podIP": ip, "podIPs": [{"ip": ip}], "startTime": CREATED, "qosClass": "Burstable",
                    "conditions": [_condition("PodReadyToStartContainers", True), _condition("Initialized", True),
                                   _condition("Ready", ready, "" if ready else "ContainersNotReady"),
                                   _condition("ContainersReady", ready, "" if ready else "ContainersNotReady"),
                                   _condition("PodScheduled", True)],
                    "containerStatuses": statuses,
                },
            })
        return pods

    @staticmethod
    def _container_status(container: Obj, ready: bool, healthy: bool) -> Obj:
        status: Obj = {"name": container["name"], "image": container.get("image", ""), "ready": ready,
                       "started": healthy, "restartCount": 0 if healthy else 17}
        if healthy:
            status["state"] = {"running": {"startedAt": CREATED}}
        else:
            status["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                           "message": "back-off 5m0s restarting failed container"}}
            status["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error"}}
        return status

    @staticmethod
    def _workload_status(out: list[Obj], pods: list[Obj]) -> None:
        """replicas / readyReplicas, counted from the pods each workload ends up owning."""
        ready_by_owner: dict[str, list[bool]] = {}
        for pod in pods:
            ok = any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"]["conditions"])
            ready_by_owner.setdefault(pod["metadata"]["ownerReferences"][0]["uid"], []).append(ok)
        rs_by_dep = {o["metadata"]["ownerReferences"][0]["uid"]: o["metadata"]["uid"]
                     for o in out if o["kind"] == "ReplicaSet"}
        for obj in out:
            uid = obj["metadata"]["uid"]
            if obj["kind"] not in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
                continue
            states = ready_by_owner.get(rs_by_dep.get(uid, uid), [])
            n, ready = len(states), sum(states)
            if obj["kind"] == "DaemonSet":
                obj["status"] = {"desiredNumberScheduled": n, "currentNumberScheduled": n,
                                 "numberReady": ready, "numberAvailable": ready, "observedGeneration": 1}
            else:
                obj["status"] = {"replicas": n, "readyReplicas": ready, "availableReplicas": ready,
                                 "updatedReplicas": n, "observedGeneration": 1}

    # ------------------------------------------------------------ endpoints

    @staticmethod
    def _target_port(port: Obj, pod: Obj) -> int | None:
        target = port.get("targetPort", port["port"])
        if isinstance(target, int):
            return target
        for c in pod["spec"]["containers"]:
            for p in c.get("ports", []):
                if p.get("name") == target and p.get("protocol", "TCP") == port.get("protocol", "TCP"):
                    return int(p["containerPort"])
        return None

    def _slice(self, svc: Obj, pods: list[Obj]) -> Obj:
        ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        selector = svc["spec"]["selector"]
        members = [p for p in pods if p["metadata"]["namespace"] == ns
                   and all(p["metadata"]["labels"].get(k) == v for k, v in selector.items())]
        endpoints = []
        for pod in members:
            ready = any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"]["conditions"])
            endpoints.append({"addresses": [pod["status"]["podIP"]],
                              "conditions": {"ready": ready, "serving": ready, "terminating": False},
                              "nodeName": pod["spec"]["nodeName"],
                              "targetRef": {"kind": "Pod", "namespace": ns, "name": pod["metadata"]["name"],
                                            "uid": pod["metadata"]["uid"]}})
        ports = []
        for port in svc["spec"].get("ports", []):
            number = self._target_port(port, members[0]) if members else None
            entry: Obj = {"name": port.get("name", ""), "protocol": port.get("protocol", "TCP")}
            if number is not None:
                entry["port"] = number
            ports.append(entry)
        slice_name = f"{name}-{_suffix('slice/' + ns + '/' + name, 5)}"
        return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": slice_name, "namespace": ns, "generateName": f"{name}-",
                             "labels": {"kubernetes.io/service-name": name,
                                        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
                             "uid": _uid(f"slice/{ns}/{slice_name}"), "creationTimestamp": CREATED,
                             "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": name,
                                                  "uid": svc["metadata"]["uid"], "controller": True,
                                                  "blockOwnerDeletion": True}]},
                "addressType": "IPv4", "endpoints": endpoints, "ports": ports}


def diff(old: dict[Key, Obj], new: list[Obj]) -> tuple[list[Obj], list[Key]]:
    """What to apply (new or changed, in order) and what to delete, to go from old to new."""
    new_by_key = {key_of(o): o for o in new}
    changed = [o for k, o in new_by_key.items() if old.get(k) != o]
    gone = [k for k in old if k not in new_by_key]
    return changed, gone


def iter_kinds(objs: list[Obj], kind: str) -> Iterator[Obj]:
    return (o for o in objs if o["kind"] == kind)
