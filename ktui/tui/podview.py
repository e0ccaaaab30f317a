"""The pod screen's text: policies per direction with each rule in plain words, the DNS answer
with its deciding rules, who can reach the pod and what it can reach. Words come from
ktui.render (shared with `ktui explain`); this module only arranges and colours them."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from ktui.analysis.policy import EgressPath
from ktui.analysis.policy.egress import EgressClass
from ktui.analysis.policy.engine import Verdict
from ktui.analysis.policy.explain import DirectionExplanation, Explanation
from ktui.analysis.posture import PodPosture
from ktui.render.netpol_text import direction_items, verdict_lines
from ktui.render.safe import clean
from ktui.render.words import DENY, policy_rule_items
from ktui.tui import fmt
from ktui.tui.queries import DnsCheck
from ktui.tui.summaries import EntryHealth
from ktui.tui.themes import Palette

MAX_LIST = 200


def heading(t: Text, title: str, style: str = "bold") -> None:
    if t:
        t.append("\n")
    t.append(title + "\n", style=f"{style} underline")


def labels(p: Palette, posture: PodPosture) -> Text:
    """The labels policies select on, shown literally."""
    t = Text()
    heading(t, "Labels")
    items = sorted(posture.subject.labels.items())
    t.append("  " + (", ".join(f"{clean(k)}={clean(v)}" for k, v in items) or "none") + "\n",
             style="" if items else p.muted)
    return t


def _egress_class(t: Text, p: Palette, posture: PodPosture) -> None:
    eg = posture.egress
    t.append("  class ")
    t.append_text(fmt.egress_class(p, eg.cls))
    if eg.cls is EgressClass.INTERNET:
        t.append(f" (to the whole internet on {eg.internet_ports.describe()})", style=p.internet)
    t.append("\n")


def _egress_paths(t: Text, p: Palette, paths: Sequence[EgressPath]) -> None:
    """How the pod's traffic leaves the cluster (Analysis.egress_path): what a firewall allowlist
    at the edge sees as its source. Nothing when the cluster declares no path."""
    for path in paths:
        t.append("  path  ")
        t.append(clean(path.describe()) + "\n", style=p.muted if path.how == "pod-ip" else "")


def _tiers(p: Palette, d: DirectionExplanation, posture: PodPosture | None,
           paths: Sequence[EgressPath] = ()) -> Text:
    """Admin, baseline (or Calico, Cilium) policies select the pod: the tiers in evaluation order, as `ktui explain`
    words them (render.netpol_text), with denies in the fail colour."""
    t = Text()
    title, *lines = direction_items(d)
    tiers = "admin tier, NetworkPolicy, baseline tier" if d.admin or d.baseline else \
        ", ".join(clean(tier.tier) for tier in d.tiers)
    heading(t, title.text.rstrip(":") + ": " + tiers)
    if d.direction == "egress" and posture is not None:
        _egress_class(t, p, posture)
        _egress_paths(t, p, paths)
    for line in lines:
        t.append(line.text + "\n", style=p.fail if line.denies else "")  # the rule's action, not its words
    return t


def direction(p: Palette, d: DirectionExplanation, posture: PodPosture | None,
              paths: Sequence[EgressPath] = ()) -> Text:
    """`paths`: the egress path (egress direction only), shown under the class."""
    if d.admin or d.baseline or any(tier.tier != "NetworkPolicy" for tier in d.tiers):  # Calico, Cilium...
        return _tiers(p, d, posture, paths)
    t = Text()
    title = d.direction.capitalize()
    if not d.isolated:
        heading(t, f"{title}: not isolated")
        t.append("  no policy selects this pod for " + d.direction + ": all traffic is allowed\n", style=p.open)
        if d.direction == "egress":
            _egress_paths(t, p, paths)
        return t
    n = len(d.policies)
    heading(t, f"{title}: isolated by {n} polic{'y' if n == 1 else 'ies'}")
    if d.direction == "egress" and posture is not None:
        _egress_class(t, p, posture)
        _egress_paths(t, p, paths)
    for info in (info for tier in d.tiers if tier.tier == "NetworkPolicy" for info in tier.policies):
        t.append(f"  {clean(info.ref)}\n", style="bold")
        for line, action in policy_rule_items(info, d.direction):
            t.append(f"    {line}\n", style=p.fail if action == DENY else "")
    return t


def verdict(p: Palette, v: Verdict) -> Text:
    lines = verdict_lines(v)
    t = Text()
    t.append(("✔ " if v.allowed else "✘ ") + lines[0] + "\n", style=f"bold {p.ok if v.allowed else p.fail}")
    for line in lines[1:]:
        t.append(line + "\n", style=p.fail if "DENIED" in line else "")
    return t


def dns(p: Palette, check: DnsCheck) -> Text:
    t = Text()
    heading(t, "DNS")
    if not check.verdicts:
        t.append("  no cluster DNS pods in view (k8s-app=kube-dns); judged by port 53 rules: ")
        t.append("reachable\n" if check.ok else "blocked\n", style=p.ok if check.ok else p.fail)
        return t
    if check.ok:
        t.append(f"  ✔ can reach cluster DNS ({check.dns_pods} DNS pods)\n", style=p.ok)
        shown = next(v for v in check.verdicts if v.allowed)
    else:
        t.append("  ✘ cannot reach cluster DNS: name lookups fail. The deciding rules:\n", style=f"bold {p.fail}")
        shown = check.verdicts[0]
    for line in verdict(p, shown).split("\n"):
        if line.plain:
            t.append("  ")
            t.append_text(line)
            t.append("\n")
    return t


def reachability(p: Palette, e: Explanation | None) -> Text:
    t = Text()
    if e is None:
        heading(t, "Reachability")
        t.append("  computing…\n", style=f"italic {p.muted}")
        return t
    for title, conns, pick in (("Can be reached from", e.inbound, "src"), ("Can reach", e.outbound, "dst")):
        heading(t, f"{title} ({len(conns)})")
        if not conns:
            t.append("  nothing\n", style=p.muted)
        for c in conns[:MAX_LIST]:
            t.append(f"  {clean(getattr(c, pick))}", style="bold" if "[External]" not in getattr(c, pick) else "")
            t.append(f" : {c.conns.describe()}\n", style=p.muted)
        if len(conns) > MAX_LIST:
            t.append(f"  … {len(conns) - MAX_LIST} more (ktui explain shows them all)\n", style=p.muted)
    return t


def header(p: Palette, namespace: str, name: str, posture: PodPosture | None, workload: str = "") -> Text:
    """`workload`: what users call its owner (`Deployment web`, not its ReplicaSet)."""
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(" pod ", style="reverse")
    t.append(f" {clean(namespace)}/{clean(name)} ", style="bold")
    if posture is None:
        t.append(" gone: no such pod in the source now", style=p.fail)
        return t
    s = posture.subject
    if s.workload.kind != "Pod":
        t.append(f"({clean(workload or f'{s.workload.kind} {s.workload.name}')}) ", style=p.muted)
    t.append(" ingress ")
    t.append("isolated" if posture.ingress_isolated else "open",
             style=p.ok if posture.ingress_isolated else p.open)
    t.append(" · egress ")
    t.append_text(fmt.egress_class(p, posture.egress.cls))
    t.append(" · DNS ")
    t.append("ok" if posture.egress.dns else "✘ blocked", style=p.ok if posture.egress.dns else f"bold {p.fail}")
    return t


def exposure(p: Palette, entries: list[EntryHealth] | None) -> Text:
    t = Text()
    heading(t, "Exposure paths ending here")
    if entries is None:
        t.append("  computing…\n", style=f"italic {p.muted}")
        return t
    if not entries:
        t.append("  none: no Ingress, Gateway route or exposed Service reaches this pod\n", style=p.muted)
    for h in entries:
        e = h.entry
        t.append("  ")
        t.append_text(fmt.status(p, h.status, ""))
        t.append(f"{clean(e.host)}:{e.port or '-'}{clean(e.path)}", style="bold")
        t.append(f"  via {clean(e.source)}" + (f" {clean(e.route)}" if e.route else ""), style=p.muted)
        if h.reason:
            t.append(f"  {clean(h.reason)}", style=p.level(h.status))
        t.append("\n")
    return t
