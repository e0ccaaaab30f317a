"""Analysis results as Rich Text cells, coloured from the palette, cluster strings kept literal.

Every string that came from a cluster or a file passes through ktui.render.safe here, and cells
are Text objects (a plain str in a DataTable or Static would be parsed as markup).
"""

from __future__ import annotations

from rich.text import Text

from ktui.analysis.policy.egress import EgressClass
from ktui.analysis.posture import NamespacePosture, PodPosture, level
from ktui.render.safe import clean
from ktui.tui.bridge import FeedEntry
from ktui.tui.themes import Palette

MAX_NAME = 48
MARK = {"ok": "✔", "warn": "!", "fail": "✘"}


def literal(value: object, style: str = "", limit: int = 0) -> Text:
    """A cluster string as inert Text, shortened to `limit` cells with an ellipsis if set."""
    s = clean(value)
    if limit and len(s) > limit:
        s = s[: limit - 1] + "…"
    return Text(s, style=style, no_wrap=True)


def same(a: object, b: object) -> bool:
    """Text equality including the base style (Rich's == ignores it)."""
    if isinstance(a, Text) and isinstance(b, Text):
        return a.plain == b.plain and a.style == b.style and a.spans == b.spans
    return a == b


def egress_class(p: Palette, cls: EgressClass | None, count: int | None = None, total: int | None = None) -> Text:
    if cls is None:
        return Text("no pods", style=p.muted)
    label = cls.value if count is None else f"{cls.value} {count}/{total}"
    return Text(label, style=f"bold {p.egress(cls.value)}" if cls is EgressClass.OPEN else p.egress(cls.value))


def isolation(p: Palette, isolated: int, total: int) -> Text:
    """isolated/total pods: the denominator is the namespace's pod count."""
    lvl = level(isolated, total)
    if total == 0:
        return Text("-", style=p.muted)
    colour = {"none": p.open, "some": p.warn, "all": p.ok}[lvl]
    return Text(f"{isolated}/{total}", style=colour)


def dns(p: Palette, blocked: int, total: int) -> Text:
    if total == 0:
        return Text("-", style=p.muted)
    if blocked == 0:
        return Text("ok", style=p.ok)
    return Text(f"✘ {blocked} blocked", style=f"bold {p.fail}")


def status(p: Palette, lvl: str, label: str | None = None) -> Text:
    """ok / warn / fail with a symbol, so it never relies on colour alone ("" : the symbol only)."""
    return Text(f"{MARK.get(lvl, '?')} {lvl if label is None else label}", style=p.level(lvl))


def unavailable(p: Palette, what: str = "n/a") -> Text:
    return Text(what, style=f"italic {p.muted}")


def count(p: Palette, n: int, lvl: str = "") -> Text:
    if n == 0:
        return Text("0", style=p.muted)
    return Text(str(n), style=f"bold {p.level(lvl)}" if lvl else "")


def namespace_cells(p: Palette, np: NamespacePosture, hosts: Text, findings: Text) -> list[Text]:
    total = len(np.pods)
    most = np.most_open_egress
    return [
        literal(np.namespace, "bold", MAX_NAME),
        isolation(p, np.ingress_isolated, total),
        isolation(p, np.egress_isolated, total),
        egress_class(p, most, np.egress_counts.get(most, 0) if most else None, total),
        dns(p, np.dns_blocked, total),
        hosts,
        findings,
    ]


def flashed(p: Palette, cells: list[Text]) -> list[Text]:
    out = []
    for cell in cells:
        cell = cell.copy()
        cell.stylize(f"on {p.flash}")
        out.append(cell)
    return out


def pod_cells(p: Palette, pod: PodPosture) -> list[Text]:
    s = pod.subject
    eg = pod.egress
    return [
        literal(s.name, "bold", MAX_NAME),
        literal(s.workload.kind if s.workload.kind != "Pod" else "-", p.muted),
        Text("isolated", style=p.ok) if pod.ingress_isolated else Text("open", style=p.open),
        Text("isolated", style=p.ok) if pod.egress_isolated else Text("open", style=p.open),
        egress_class(p, eg.cls),
        Text("ok", style=p.ok) if eg.dns else Text("✘ blocked", style=f"bold {p.fail}"),
        literal(", ".join(sorted({r.split("/", 1)[-1] for r in pod.ingress_policies + eg.policies})) or "-",
                p.muted, 60),
    ]


def feed_line(p: Palette, e: FeedEntry) -> Text:
    line = Text(e.stamp + " ", style=p.muted)
    if e.problem:
        line.append("problem: ", style=p.warn)
        line.append(clean(e.problem))
        return line
    line.append(clean(e.namespace), style="bold")
    line.append(": ")
    for i, (what, before, after) in enumerate(e.facts):
        if i:
            line.append("; ")
        line.append(f"{what} ")
        if what == "egress":
            line.append(before, style=p.egress(before))
            line.append(" -> ")
            line.append(after, style=p.egress(after))
        else:
            line.append(f"{before} -> {after}")
    if e.causes:
        shown = e.causes[:2]
        words = ", ".join(f"{_kind_word(c.kind)} {clean(c.name)} {c.verb}" for c in shown)
        more = f" (+{len(e.causes) - 2} more)" if len(e.causes) > 2 else ""
        line.append(f"  ({words}{more})", style=p.muted)
    return line


def _kind_word(kind: str) -> str:
    return {"NetworkPolicy": "policy", "Namespace": "namespace", "Pod": "pod"}.get(kind, kind)
