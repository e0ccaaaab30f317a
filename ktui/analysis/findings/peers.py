"""Policies whose selectors, named ports or ipBlocks do not meet what is in the cluster.

A selector is only judged where everything it could match is in view: from manifests, a
namespace with no workloads (or one not in the manifests at all) may simply be deployed elsewhere,
so a peer pointing there is not called a typo. Live (complete) snapshots judge everything.
"""

from __future__ import annotations

import bisect
import difflib
import ipaddress

import msgspec

from ktui.analysis.core.subjects import Subject, WorkloadId
from ktui.analysis.findings.catalogue import Finding, finding
from ktui.analysis.findings.context import CheckContext, pinned_namespaces
from ktui.analysis.findings.label_index import PairIndex
from ktui.analysis.policy import DNS_LABELS, CompiledBlock, CompiledPeer, CompiledPolicy, CompiledRule
from ktui.model.core import NS_NAME_LABEL


def _hint(text: str | None) -> str:
    return f"; did you mean {text}?" if text else ""


def pair_index(ctx: CheckContext, namespace: str | None) -> PairIndex:
    """The label pairs of the pods of one namespace (or all), built once per run."""
    key = ("pair-index", namespace)
    index = ctx.memo.get(key)
    if index is None:
        subjects = ctx.subjects if namespace is None else ctx.by_ns.get(namespace, [])
        index = ctx.memo[key] = PairIndex(s.labels for s in subjects)
    assert isinstance(index, PairIndex)
    return index


def _namespace_pairs(ctx: CheckContext) -> PairIndex:
    index = ctx.memo.get("ns-pair-index")
    if index is None:
        index = ctx.memo["ns-pair-index"] = PairIndex(ctx.ns_labels.values())
    assert isinstance(index, PairIndex)
    return index


def selects_nothing_findings(ctx: CheckContext) -> list[Finding]:
    """NP004: a non-empty podSelector that matches no pod of a namespace that has some."""
    out: list[Finding] = []
    for cp in ctx.policies():
        if not ctx.by_ns.get(cp.namespace):
            stray = _stray_namespace(ctx, cp.namespace)
            if stray is not None:
                out.append(finding("KTUI-NP004", ctx.policy_ref(cp), stray, detail="metadata.namespace"))
            continue
        if cp.selector.is_empty() or ctx.selected(cp) or not ctx.known_namespace(cp.namespace):
            continue
        near = pair_index(ctx, cp.namespace).suggest(cp.selector)
        out.append(finding(
            "KTUI-NP004", ctx.policy_ref(cp),
            f"spec.podSelector {cp.selector.describe()} matches no pod in namespace {cp.namespace}: "
            f"the policy protects nothing{_hint(near)}",
            detail="spec.podSelector",
        ))
    return out


def _stray_namespace(ctx: CheckContext, ns: str) -> str | None:
    """From manifests: a policy's namespace that holds no workload and that no Namespace object
    declares, while the workloads are elsewhere in view, is most likely a typo."""
    state = ctx.state
    declared = ("Namespace", "", ns) in state.origins or (
        not state.origins and state.get("Namespace", "", ns) is not None)  # built in memory: no files
    if ctx.complete or not ctx.subjects or declared:
        return None
    homes = sorted(ctx.by_ns)
    near = difflib.get_close_matches(ns, homes, n=1, cutoff=0.6)
    hint = f"did you mean {near[0]}?" if near else f"workloads are in {', '.join(homes[:5])}"
    return (f"namespace {ns} has no workload in the manifests and no Namespace object declares it: "
            f"the policy selects no pod; {hint}")


def _rule_path(rule: CompiledRule) -> str:
    side = "from" if rule.direction == "ingress" else "to"
    return f"spec.{rule.direction}[{rule.index}].{side}"


def peer_subjects(ctx: CheckContext, cp: CompiledPolicy, peer: CompiledPeer) -> tuple[list[Subject], bool]:
    """(the pods a selector peer matches, whether that answer is complete enough to judge).

    Memoized per (namespace scope, selectors): big clusters repeat the same peers many times.
    """
    key = (
        cp.namespace if peer.namespace_selector is None else "",
        msgspec.json.encode(peer.namespace_selector),
        msgspec.json.encode(peer.pod_selector),
    )
    cached = ctx.memo.get(key)
    if cached is None:
        cached = ctx.memo[key] = _peer_subjects(ctx, cp, peer)
    return cached


def _peer_subjects(ctx: CheckContext, cp: CompiledPolicy, peer: CompiledPeer) -> tuple[list[Subject], bool]:
    if peer.namespace_selector is None:
        namespaces = [cp.namespace]
        judgeable = ctx.known_namespace(cp.namespace)
    else:
        namespaces = ctx.namespaces_matching(peer.namespace_selector)
        pinned = pinned_namespaces(peer.namespace_selector)
        judgeable = ctx.complete or (
            pinned is not None and bool(pinned) and all(ctx.known_namespace(ns) for ns in pinned)
        )
    sel = peer.pod_selector  # matched per label set of each namespace (context.LabelGroups)
    if sel is None:
        pods = [s for ns in namespaces for s in ctx.by_ns.get(ns, ())]
    else:
        pods = ctx.groups.matching_in(namespaces, sel)
    return pods, judgeable


def _namespace_typo(ctx: CheckContext, peer: CompiledPeer) -> tuple[bool, str | None]:
    """A namespaceSelector matching no namespace: judged live, or when its keys exist in view."""
    sel = peer.namespace_selector
    assert sel is not None
    if ctx.namespaces_matching(sel):
        return False, None
    labels = list(ctx.ns_labels.values())
    if ctx.complete:
        return True, _namespace_pairs(ctx).suggest(sel)
    pinned = pinned_namespaces(sel) or set()
    for name in sorted(pinned):
        near = difflib.get_close_matches(name, ctx.namespaces, n=1, cutoff=0.8)
        if near:  # `fronted` next to an existing `frontend`: a typo, not a namespace elsewhere
            return True, f"{NS_NAME_LABEL}={near[0]}"
    keys = set((sel.match_labels or {}).keys()) - {NS_NAME_LABEL}
    if not keys or not all(any(k in lab for lab in labels) for k in keys):
        return False, None
    return True, _namespace_pairs(ctx).suggest(sel)


def peer_findings(ctx: CheckContext) -> list[Finding]:
    """NP005: a peer's selectors match nothing (the rule's intended traffic stays blocked)."""
    out: list[Finding] = []
    for cp in ctx.policies():
        for direction in ("ingress", "egress"):
            for rule in cp.rules(direction):
                for peer in rule.peers or ():
                    if peer.block is not None:
                        continue
                    where = f"{_rule_path(rule)}[{peer.index}]"
                    message = _peer_problem(ctx, cp, peer)
                    if message is not None:
                        out.append(finding("KTUI-NP005", ctx.policy_ref(cp), f"{where}: {message}", detail=where))
    return out


def _peer_problem(ctx: CheckContext, cp: CompiledPolicy, peer: CompiledPeer) -> str | None:
    if peer.namespace_selector is not None:
        typo, near = _namespace_typo(ctx, peer)
        if typo:
            return (f"namespaceSelector {peer.namespace_selector.describe()} matches no namespace"
                    f"{_hint(near)}")
    if peer.pod_selector is None or peer.pod_selector.is_empty():
        return None
    pods, judgeable = peer_subjects(ctx, cp, peer)
    if pods or not judgeable:
        return None
    if peer.namespace_selector is None:
        scope = f"namespace {cp.namespace}"
        near = pair_index(ctx, cp.namespace).suggest(peer.pod_selector)
    else:
        scope = f"the namespaces selected by {peer.namespace_selector.describe()}"
        near = pair_index(ctx, None).suggest(peer.pod_selector)
    tail = _hint(near) if near or peer.namespace_selector is not None else _own_namespace_hint(ctx, cp, peer)
    return f"podSelector {peer.pod_selector.describe()} matches no pod in {scope}{tail}"


def _own_namespace_hint(ctx: CheckContext, cp: CompiledPolicy, peer: CompiledPeer) -> str:
    """A podSelector alone stays in the policy's namespace: say so when the pods meant are elsewhere."""
    sel = peer.pod_selector
    assert sel is not None
    elsewhere = sorted(ns for ns in ctx.groups.homes(sel) if ns != cp.namespace)
    where = f"it matches pods in {', '.join(elsewhere[:3])}"
    if not elsewhere and any(sel.matches(dict([kv])) for kv in DNS_LABELS):
        elsewhere, where = ["kube-system"], "cluster DNS runs in kube-system"
    if not elsewhere:
        return ""
    return (f" ({where}: a podSelector without a namespaceSelector "
            f"only selects pods of the policy's own namespace; add namespaceSelector "
            f"{NS_NAME_LABEL}={elsewhere[0]} in the same peer)")


def _declares(s: Subject, name: str, protocol: str) -> str | None:
    """'' when the pod declares name/protocol, the other protocol when only that matches, else None."""
    other = None
    for p in s.ports:
        if p.name == name:
            if (p.protocol or "TCP") == protocol:
                return ""
            other = p.protocol or "TCP"
    return other


def _named_port_destinations(ctx: CheckContext, cp: CompiledPolicy, rule: CompiledRule) -> list[Subject] | None:
    """Who a named port is resolved on; None when that is not fully in view."""
    if rule.direction == "ingress":
        return ctx.selected(cp)
    if rule.peers is None:
        return ctx.subjects if ctx.complete else None
    dests: list[Subject] = []
    for peer in rule.peers:
        if peer.block is not None:
            continue
        pods, judgeable = peer_subjects(ctx, cp, peer)
        if not judgeable:
            return None
        dests.extend(pods)
    return dests


def _declared(ctx: CheckContext, dests: list[Subject], name: str, protocol: str) -> tuple[bool, str | None]:
    """(some destination declares name/protocol, else the other protocol the first declaring the
    name uses). Asked of every pod of the cluster (an egress rule to anywhere), once per run."""
    key = ("named-port-everywhere", name, protocol)
    everyone = dests is ctx.subjects
    if everyone and key in ctx.memo:
        return ctx.memo[key]  # type: ignore[no-any-return]
    answers = [_declares(s, name, protocol) for s in dests]
    found = ("" in answers, next((a for a in answers if a), None))
    if everyone:
        ctx.memo[key] = found
    return found


def named_port_findings(ctx: CheckContext) -> list[Finding]:
    """NP006: a named port that none of the destination pods declares."""
    out: list[Finding] = []
    for cp in ctx.policies():
        for direction in ("ingress", "egress"):
            for rule in cp.rules(direction):
                named = [p for p in rule.ports or () if p.name is not None]
                if not named:
                    continue
                dests = _named_port_destinations(ctx, cp, rule)
                if not dests:
                    continue
                for port in named:
                    assert port.name is not None
                    declared, other = _declared(ctx, dests, port.name, port.protocol)
                    if declared:
                        continue
                    also = f" (declared only as {other})" if other else ""
                    who = "pod it selects" if direction == "ingress" else "destination pod"
                    where = f"spec.{direction}[{rule.index}].ports[{port.index}]"
                    out.append(finding(
                        "KTUI-NP006", ctx.policy_ref(cp),
                        f"{where}: named port {port.name}/{port.protocol}{also} is declared by no {who} "
                        f"({len(dests)} checked): the entry allows nothing",
                        detail=where,
                    ))
    return out


def _ip_index(subjects: list[Subject]) -> dict[int, tuple[list[int], list[Subject]]]:
    """Per IP version, the sorted addresses of pods and the pod at each: for bisecting blocks."""
    pairs: dict[int, list[tuple[int, int, Subject]]] = {}
    for n, s in enumerate(subjects):
        for ip in s.ips:
            pairs.setdefault(ip.version, []).append((int(ip), n, s))
    out = {}
    for version, items in pairs.items():
        items.sort(key=lambda t: (t[0], t[1]))
        out[version] = ([a for a, _, _ in items], [s for _, _, s in items])
    return out


def _covered(index: dict[int, tuple[list[int], list[Subject]]], block: CompiledBlock) -> list[Subject]:
    found: dict[int, Subject] = {}
    for version, lo, hi in block.intervals:
        addrs, subjects = index.get(version, ([], []))
        for i in range(bisect.bisect_left(addrs, lo), bisect.bisect_right(addrs, hi)):
            found.setdefault(id(subjects[i]), subjects[i])
    return list(found.values())


def _slice_pods(ctx: CheckContext, known: set[tuple[str, str]]) -> list[Subject]:
    """Pods known only from EndpointSlices (addresses with a Pod targetRef), as IP-only subjects."""
    out: list[Subject] = []
    for sl in ctx.state.objects("EndpointSlice"):
        for ep in sl.endpoints:
            ref = ep.target_ref
            if ref is None or ref.kind != "Pod" or (ref.namespace or sl.metadata.namespace, ref.name) in known:
                continue
            ns = ref.namespace or sl.metadata.namespace
            ips = []
            for text in ep.addresses:
                try:
                    ips.append(ipaddress.ip_address(text))
                except ValueError:
                    continue
            if ips:
                known.add((ns, ref.name))
                out.append(Subject(ns, ref.name, {}, (), tuple(ips), WorkloadId(ns, ref.name, "Pod")))
    return out


def _finished(ctx: CheckContext, s: Subject) -> bool:
    """A Succeeded/Failed pod has given its IP back: a block covering it says nothing."""
    pod = ctx.state.get("Pod", s.namespace, s.name)
    return pod is not None and pod.status.phase in ("Succeeded", "Failed")


def ipblock_pod_findings(ctx: CheckContext) -> list[Finding]:
    """NP007: an ipBlock (other than a whole address family) that contains known pod IPs (from
    pods, or from EndpointSlices pointing at pods)."""
    with_ips = [s for s in ctx.subjects if s.ips and not s.host_network and not _finished(ctx, s)]
    with_ips += _slice_pods(ctx, {(s.namespace, s.name) for s in ctx.subjects})
    index = _ip_index(with_ips)
    if not index:
        return []
    out: list[Finding] = []
    for cp in ctx.policies():
        for direction in ("ingress", "egress"):
            for rule in cp.rules(direction):
                for peer in rule.peers or ():
                    block = peer.block
                    if block is None or block.cidr.strip().endswith("/0"):
                        continue
                    covered = _covered(index, block)
                    if not covered:
                        continue
                    where = f"{_rule_path(rule)}[{peer.index}]"
                    names = ", ".join(str(s) for s in covered[:3]) + (" ..." if len(covered) > 3 else "")
                    out.append(finding(
                        "KTUI-NP007", ctx.policy_ref(cp),
                        f"{where}: ipBlock {block.cidr} covers the IPs of {len(covered)} pod(s) ({names}): "
                        "whether it matches pod traffic depends on the CNI",
                        detail=where,
                    ))
    return out
