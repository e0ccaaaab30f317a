"""The manifests loader: formats, lists, namespaces, and bad input that names the file and line."""

from __future__ import annotations

import json
from pathlib import Path

from ktui.model.core import NS_NAME_LABEL
from ktui.sources.manifests import load_paths
from tests.conftest import CORPUS

POD = """apiVersion: v1
kind: Pod
metadata: {name: %s, labels: {app: web}}
spec: {containers: [{name: c, ports: [{containerPort: 80, name: http}]}]}
"""


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_multi_document_yaml_and_recursive_directories(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", POD % "one" + "---\n" + POD % "two")
    write(tmp_path, "sub/deeper/b.yml", POD % "three")
    write(tmp_path, "sub/notes.txt", "not a manifest")
    state, report = load_paths([str(tmp_path)])
    assert sorted(p.metadata.name for p in state.pods()) == ["one", "three", "two"]
    assert report.files == 2 and report.objects == 3 and not report.problems


def test_objects_without_namespace_go_to_default_or_dash_n(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", POD % "one")
    state, _ = load_paths([str(tmp_path)])
    assert state.get("Pod", "default", "one") is not None
    state, _ = load_paths([str(tmp_path)], default_ns="shop")
    assert state.get("Pod", "shop", "one") is not None


def test_referenced_namespaces_are_synthesized_with_the_name_label(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", POD % "one" + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n")
    state, _ = load_paths([str(tmp_path)])
    default = state.get("Namespace", "", "default")
    other = state.get("Namespace", "", "other")
    assert default is not None and default.metadata.labels == {NS_NAME_LABEL: "default"}
    assert other is not None and other.metadata.labels[NS_NAME_LABEL] == "other"


def test_kind_list_typed_lists_and_json(tmp_path: Path) -> None:
    write(tmp_path, "list.yaml", "apiVersion: v1\nkind: List\nitems:\n- " + (POD % "a").replace("\n", "\n  "))
    write(tmp_path, "pods.json", json.dumps({
        "apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "7"},
        "items": [{"metadata": {"name": "b", "namespace": "x"}, "spec": {}}]}))
    state, report = load_paths([str(tmp_path)])
    assert state.get("Pod", "default", "a") is not None
    assert state.get("Pod", "x", "b") is not None, report.problems


def test_kubectl_dump_with_managed_fields_and_status(tmp_path: Path) -> None:
    dump = {"apiVersion": "v1", "kind": "List", "items": [{
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "namespace": "n", "uid": "u1", "resourceVersion": "42",
                     "managedFields": [{"manager": "kubectl"}], "annotations": {"a": "b"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs",
                                          "uid": "u0", "controller": True}]},
        "spec": {"containers": [{"name": "c", "image": "nginx"}], "nodeName": "node-1"},
        "status": {"phase": "Running", "podIP": "10.0.0.5", "podIPs": [{"ip": "10.0.0.5"}, {"ip": "fd00::5"}],
                   "conditions": [{"type": "Ready", "status": "True"}]}}]}
    write(tmp_path, "dump.yaml", json.dumps(dump))
    state, report = load_paths([str(tmp_path)])
    pod = state.get("Pod", "n", "p")
    assert pod is not None and not report.problems
    assert pod.ips() == ["10.0.0.5", "fd00::5"] and pod.is_ready()
    assert pod.metadata.owner_references[0].controller


def test_unknown_kinds_are_counted_and_skipped(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\n" + POD % "p")
    state, report = load_paths([str(tmp_path)])
    assert report.skipped_kinds == {"example.com/v1/Widget": 1}
    assert state.get("Pod", "default", "p") is not None


def test_invalid_yaml_names_file_and_line_and_the_rest_loads(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n")
    write(tmp_path, "good.yaml", POD % "fine")
    state, report = load_paths([str(tmp_path)])
    assert state.get("Pod", "default", "fine") is not None
    (problem,) = report.problems
    assert problem.where.startswith(f"{bad}:") and "invalid YAML" in problem.message


def test_objects_without_kind_or_name_and_bad_fields_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "\n".join([
        "apiVersion: v1", "metadata: {name: nokind}", "---",
        "apiVersion: v1", "kind: Pod", "metadata: {labels: {a: b}}", "---",
        "apiVersion: v1", "kind: Pod", "metadata: {name: p}",
        "spec: {containers: [{name: c, ports: [{containerPort: eighty}]}]}", "---",
        "- just", "- a list", "",
    ]))
    _, report = load_paths([str(path)])
    messages = [str(p) for p in report.problems]
    assert any(f"{path}:1" in m and "no kind" in m for m in messages)
    assert any(f"{path}:4" in m and "metadata.name is required" in m for m in messages)
    assert any(f"{path}:8" in m and "spec.containers[0].ports[0].containerPort" in m for m in messages)
    assert any("not a mapping" in m for m in messages)


def test_malformed_selectors_and_cidrs_reject_the_policy_with_a_clear_message(tmp_path: Path) -> None:
    path = write(tmp_path, "np.yaml", """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad-op, namespace: shop}
spec:
  podSelector: {matchExpressions: [{key: app, operator: Equals, values: [x]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad-cidr, namespace: shop}
spec:
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: 10.0.0.300/8}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad-except, namespace: shop}
spec:
  podSelector: {}
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [192.168.0.0/24]}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ok, namespace: shop}
spec: {podSelector: {}}
""")
    state, report = load_paths([str(path)])
    messages = [str(p) for p in report.problems]
    assert [p.metadata.name for p in state.policies("shop")] == ["ok"]
    assert any("NetworkPolicy shop/bad-op" in m and "operator 'Equals'" in m for m in messages)
    assert any("NetworkPolicy shop/bad-cidr" in m and "ipBlock.cidr" in m for m in messages)
    assert any("NetworkPolicy shop/bad-except" in m and "not inside cidr" in m for m in messages)


def test_unreadable_and_missing_paths(tmp_path: Path) -> None:
    write(tmp_path, "bin.yaml", "").write_bytes(b"\xff\xfe\x00garbage")
    _, report = load_paths([str(tmp_path), str(tmp_path / "missing.yaml")])
    messages = [str(p) for p in report.problems]
    assert any("bin.yaml" in m for m in messages)
    assert any("missing.yaml: no such file or directory" in m for m in messages)


def test_duplicate_objects_are_reported_last_one_wins(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", POD % "p")
    write(tmp_path, "b.yaml", (POD % "p").replace("app: web", "app: api"))
    state, report = load_paths([str(tmp_path)])
    pod = state.get("Pod", "default", "p")
    assert pod is not None and pod.metadata.labels == {"app": "api"}
    assert any("also defined at" in str(p) for p in report.problems)


def test_legacy_v1beta1_ingress_is_upgraded() -> None:
    path = CORPUS / "realistic/ingress-examples/ingress-nginx__user-guide__basic-usage.legacy-v1beta1.yaml"
    state, report = load_paths([str(path)])
    assert not report.problems
    (first, *_rest) = sorted(state.objects("Ingress"), key=lambda i: i.metadata.name)
    backend = first.spec.rules[0].http.paths[0].backend.service
    assert backend is not None and backend.name and (backend.port.number or backend.port.name)


def test_null_fields_are_treated_as_absent() -> None:
    path = CORPUS / "realistic/ingress-examples/ingress-nginx__examples__canary.yaml"
    state, report = load_paths([str(path)])
    assert not report.problems
    assert len(state.objects("Ingress")) == 2


def test_every_realistic_corpus_file_loads_without_problems() -> None:
    for path in sorted((CORPUS / "realistic").rglob("*.yaml")):
        _, report = load_paths([str(path)])
        assert not report.problems, (path, report.problems)
        assert report.objects + sum(report.skipped_kinds.values()) > 0, path


def test_empty_peer_is_rejected_like_the_api_does(tmp_path: Path) -> None:
    path = write(tmp_path, "np.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                 "metadata: {name: p, namespace: n}\nspec: {podSelector: {}, ingress: [{from: [{}]}]}\n")
    state, report = load_paths([str(path)])
    assert not state.policies("n")
    assert "spec.ingress[0].from[0]: must specify podSelector, namespaceSelector or ipBlock" in str(report.problems[0])


def test_mirror_pods_owned_by_a_node_show_as_pods(tmp_path: Path) -> None:
    from ktui.analysis.core.subjects import pod_subject

    path = write(tmp_path, "p.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: etcd-n1, namespace: kube-system, "
                 "ownerReferences: [{apiVersion: v1, kind: Node, name: n1, controller: true}]}\n")
    state, _ = load_paths([str(path)])
    (pod,) = state.pods()
    assert str(pod_subject(pod).workload) == "kube-system/etcd-n1[Pod]"


def test_unquoted_gateway_class_placeholder_is_kept_as_text(tmp_path: Path) -> None:
    path = write(tmp_path, "gw.yaml", "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
                 "metadata: {name: g, namespace: n}\nspec:\n  gatewayClassName: {GATEWAY_CLASS_NAME}\n"
                 "  listeners: [{name: http, port: 80, protocol: HTTP}]\n")
    state, report = load_paths([str(path)])
    gw = state.get("Gateway", "n", "g")
    assert not report.problems and gw is not None
    assert gw.spec.gateway_class_name == "{GATEWAY_CLASS_NAME}"


def test_an_empty_object_where_a_list_belongs_reads_as_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                                 "spec": {"containers": [{"name": "c", "ports": {}}]}}))
    state, report = load_paths([str(path)])
    pod = state.get("Pod", "default", "p")
    assert not report.problems and pod is not None and pod.spec.containers[0].ports == []


def test_owner_reference_without_kind_shows_the_owner_as_pod(tmp_path: Path) -> None:
    from ktui.analysis.core.subjects import pod_subject

    path = write(tmp_path, "p.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n, "
                 "ownerReferences: [{name: x, controller: true}]}\n")
    state, _ = load_paths([str(path)])
    (pod,) = state.pods()
    assert str(pod_subject(pod).workload) == "n/x[Pod]"


def test_cluster_scoped_objects_drop_a_namespace(tmp_path: Path) -> None:
    path = write(tmp_path, "ic.yaml", "apiVersion: networking.k8s.io/v1\nkind: IngressClass\n"
                 "metadata: {name: nginx, namespace: web}\nspec: {controller: k8s.io/ingress-nginx}\n")
    state, _ = load_paths([str(path)])
    assert state.get("IngressClass", "", "nginx") is not None


def test_items_of_a_yaml_list_carry_their_own_line(tmp_path: Path) -> None:
    path = write(tmp_path, "list.yaml", "apiVersion: v1\nkind: List\nitems:\n"
                 "- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n"
                 "- apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n"
                 "- apiVersion: v1\n  kind: Pod\n  metadata: {labels: {x: y}}\n")
    state, report = load_paths([str(path)])
    assert state.origins[("Pod", "default", "b")].line == 7
    assert report.problems[0].where == f"{path}:10"


def test_a_fixed_file_clears_its_problem_and_only_changed_problems_are_queued_again(tmp_path: Path) -> None:
    from ktui.sources.base import ProblemLog, drain
    from ktui.sources.manifests import ManifestSource
    from ktui.store import ClusterState

    bad = write(tmp_path, "bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n")
    other = write(tmp_path, "other.yaml", "apiVersion: v1\nmetadata: {name: nokind}\n")
    source = ManifestSource([str(tmp_path)])
    state, status, log = ClusterState(), {}, ProblemLog()

    def reload() -> int:
        source.load_now()
        batch = drain(source.queue, state, status)
        log.apply(batch)
        return len(batch.problems)

    assert reload() == 2 and len(log) == 2
    assert reload() == 0 and len(log) == 2  # nothing changed: nothing new in the feed
    bad.write_text(POD % "fixed")
    assert reload() == 0
    assert [p.where for p in log] == [f"{other}:1"]
    assert state.get("Pod", "default", "fixed") is not None
    other.unlink()
    reload()
    assert not log
