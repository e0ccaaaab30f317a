"""The compactor shares repeated values without changing any, and the GC pause always ends."""

from __future__ import annotations

import gc
from collections.abc import Callable

import msgspec

from ktui.apiserver import ApiServer
from ktui.model.decode import decode_list
from ktui.model.kinds import BY_KIND
from ktui.sources.compact import Compactor
from tests.sources.conftest import Live
from tests.sources.objects import endpointslice, pod, seed


def _decode(kind: str, docs: list[dict[str, object]]) -> list[object]:
    data = msgspec.json.encode({"items": docs, "metadata": {"resourceVersion": "7"}})
    return decode_list(BY_KIND[kind], data)[0]


def test_compaction_keeps_values_and_shares_what_repeats() -> None:
    docs = [pod(f"web-{i}", "shop", ip=f"10.244.1.{i}", app="web", tier="frontend") for i in range(50)]
    pods = Compactor().all(_decode("Pod", docs))
    assert pods == _decode("Pod", docs)
    a, b = pods[0], pods[1]
    assert a.status.conditions[0] is b.status.conditions[0]  # one shared Condition
    assert a.spec.containers[0].ports[0] is b.spec.containers[0].ports[0]
    tier_a = next(v for k, v in a.metadata.labels.items() if k == "tier")
    tier_b = next(v for k, v in b.metadata.labels.items() if k == "tier")
    assert tier_a is tier_b  # interned label values
    assert a.metadata.name is not b.metadata.name and a.metadata.uid == b.metadata.uid == ""


def test_sharing_stops_for_values_that_never_repeat() -> None:
    compactor = Compactor(kinds=frozenset({"EndpointSlice"}))
    slices = [endpointslice(f"svc-{i}", "shop", (f"10.1.{i // 250}.{i % 250}",)) for i in range(2500)]
    for doc in slices:  # every endpoint has its own targetRef-less address; conditions repeat
        compactor(_decode("EndpointSlice", [doc])[0])
    sharers = {cls.__name__: s for cls, s in compactor._sharers.items()}
    assert sharers["EndpointConditions"].on and len(sharers["EndpointConditions"].table) == 1
    assert all(s.on or not s.table for s in sharers.values())


def test_the_gc_pause_ends_with_the_sync_and_with_stop(server: ApiServer, live_factory: Callable[..., Live]) -> None:
    assert gc.isenabled()
    seed(server)
    live = live_factory()
    live.wait_equal()
    live.wait(gc.isenabled, "the cyclic GC to be enabled again after the initial sync")
    server.faults.add("list", "pods", delay=5.0, times=1)  # a sync that is still going...
    other = live_factory()
    assert not gc.isenabled()
    other.source.stop()  # ...when the source is stopped: even the request still waiting is cut
    assert gc.isenabled()
    assert other.source.alive_threads() == []
    server.apply(pod("after", "shop", ip="10.244.1.200"))
    live.wait_equal()


def _owned(name: str, ns: str, owner: str, **labels: str) -> dict[str, object]:
    doc = pod(name, ns, **labels)
    doc["metadata"]["ownerReferences"] = [  # type: ignore[index]
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": owner, "uid": f"uid-{owner}", "controller": True}]
    return doc


def test_a_workloads_pods_share_one_labels_dict_and_one_label_set() -> None:
    from ktui.analysis.core.subjects import pod_subject

    docs = [_owned(f"web-{i}", "shop", "web-7f", app="web", tier="frontend") for i in range(3)]
    docs.append(_owned("web-3", "shop", "web-7f", app="web", tier="canary"))  # relabelled by hand
    docs.append(_owned("api-0", "shop", "api-5c", app="web", tier="frontend"))
    docs.append(_owned("web-0", "other", "web-7f", app="web", tier="frontend"))  # same owner object
    compactor = Compactor()
    pods = [compactor(p) for p in _decode("Pod", docs)]
    assert pods == _decode("Pod", docs)  # every value as decoded
    labels = [p.metadata.labels for p in pods]
    assert labels[0] is labels[1] is labels[2]
    assert labels[3] is not labels[0] and labels[3] == {"app": "web", "tier": "canary"}
    assert pods[5].metadata.owner_references[0] is pods[0].metadata.owner_references[0]
    subjects = [pod_subject(p) for p in pods[:3]]
    assert str(pod_subject(pods[5]).workload) == "other/web-7f[ReplicaSet]"  # right after web-2's
    subjects += [pod_subject(p) for p in pods[3:]]
    for s, p in zip(subjects, pods, strict=True):
        assert s.label_set == frozenset(p.metadata.labels.items())
        assert s.workload.namespace == p.metadata.namespace and s.namespace == p.metadata.namespace
    assert subjects[0].label_set is subjects[1].label_set
    assert subjects[0].workload is subjects[1].workload  # one WorkloadId for a controller's pods
    assert str(subjects[4].workload) == "shop/api-5c[ReplicaSet]"
    assert str(subjects[5].workload) == "other/web-7f[ReplicaSet]"
