"""One object from the store: `y` its YAML, `d` a describe view (what it is, where it came from,
what ktui says about it). The YAML is what ktui holds (the slim model: the fields it reads), not
the API server's copy. Secrets are never shown: ktui holds their metadata only, and shows none."""

from __future__ import annotations

from typing import ClassVar

import msgspec
import yaml
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ktui.analysis.core.owners import owning_workload
from ktui.analysis.core.subjects import WorkloadId
from ktui.model.meta import controller_of
from ktui.render.safe import SafeText, clean, safe_text
from ktui.render.words import describe_policy_direction
from ktui.tui.data import shown_path
from ktui.tui.screens.base import KScreen, ObjectRef

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def object_yaml(obj: object) -> str:
    data = msgspec.to_builtins(obj)
    return str(yaml.dump(data, Dumper=_DUMPER, sort_keys=False, default_flow_style=False, allow_unicode=True))


class ObjectScreen(KScreen):
    AUTO_FOCUS = "#object-body"
    HAS_OBJECTS = True
    HAS_COPY = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll(1)", "Down", show=False),
        Binding("k", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, kind: str, namespace: str, name: str, mode: str = "yaml") -> None:
        super().__init__()
        self.ref: ObjectRef = (kind, namespace, name)
        self.mode = mode

    def compose(self) -> ComposeResult:
        yield from self.compose_status()
        yield Static(id="object-header")
        with VerticalScroll(id="object-body"):
            yield Static(id="object-text")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.fill()

    def selected_object(self) -> ObjectRef | None:
        return self.ref

    def copy_payload(self) -> tuple[SafeText, str] | None:
        kind, ns, name = self.ref
        return safe_text(f"{ns}/{name}" if ns else name), kind

    def action_yaml(self) -> None:
        self.mode = "yaml"
        self.fill()

    def action_describe(self) -> None:
        self.mode = "describe"
        self.fill()

    def action_scroll(self, step: int) -> None:
        self.query_one("#object-body", VerticalScroll).scroll_relative(y=step, animate=False)

    def fill(self) -> None:
        kind, ns, name = self.ref
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(f" {'yaml' if self.mode == 'yaml' else 'describe'} ", style="reverse")
        head.append(f" {clean(kind)} {clean(ns) + '/' if ns else ''}{clean(name)} ", style="bold")
        head.append(" y YAML · d describe · C copies the name", style=self.palette.muted)
        self.query_one("#object-header", Static).update(head, layout=False)
        self.query_one("#object-text", Static).update(self.body())

    def body(self) -> Text:
        kind, ns, name = self.ref
        p = self.palette
        if kind == "Secret":
            return Text("Secrets are never shown: ktui reads their metadata only, to check that a TLS "
                        "Secret exists and which hosts cert-manager says it covers.", style=p.muted)
        obj = self.bridge.state.get(kind, ns, name)
        if obj is None:
            return Text(f"{clean(kind)} {clean(ns)}/{clean(name)} is not in the store (gone, or a kind ktui "
                        "does not hold)", style=p.warn)
        if self.mode == "yaml":
            return Text(clean_lines(object_yaml(obj)))
        return self.describe(obj)

    def describe(self, obj: object) -> Text:
        kind, ns, name = self.ref
        p = self.palette
        meta = getattr(obj, "metadata", None)
        t = Text()

        def row(label: str, value: str, style: str = "") -> None:
            t.append(f"{label:<14}", style="bold")
            t.append(clean(value) + "\n", style=style)

        row("Kind", kind)
        row("Name", name)
        if ns:
            row("Namespace", ns)
        origin = self.bridge.state.origins.get(self.ref)
        if origin is not None:
            row("From", shown_path(f"{origin.path}:{origin.line}" if origin.line else origin.path), p.muted)
        labels = getattr(meta, "labels", {}) or {}
        row("Labels", ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) or "none")
        owner = controller_of(meta) if meta is not None else None
        if owner is not None:
            top = owning_workload(self.bridge.state, WorkloadId(ns, owner.name, owner.kind), dict(labels))
            via = f" (of {top.kind} {top.name})" if (top.kind, top.name) != (owner.kind, owner.name) else ""
            row("Controlled by", f"{owner.kind} {owner.name}{via}")
        if kind == "Pod":
            np = self.bridge.namespace(ns)
            pod = next((x for x in np.pods if x.subject.name == name), None) if np is not None else None
            if pod is not None:
                row("Ingress", "isolated by " + ", ".join(pod.ingress_policies) if pod.ingress_isolated else "open")
                row("Egress", f"{pod.egress.cls.value}" + (f" (by {', '.join(pod.egress.policies)})"
                                                           if pod.egress.policies else ""))
                row("DNS", "ok" if pod.egress.dns else "blocked", p.ok if pod.egress.dns else p.fail)
        if kind == "NetworkPolicy":
            cp = next((c for c in self.bridge.engine.policies_in(ns) if c.name == name), None)
            np = self.bridge.namespace(ns)
            if cp is not None:
                refs = {cp.ref, f"NetworkPolicy {cp.ref}"}
                selected = [x.subject.name for x in (np.pods if np is not None else ())
                            if refs & {*x.ingress_policies, *x.egress.policies}]
                row("Selects", f"{len(selected)} pod{'' if len(selected) == 1 else 's'}: {', '.join(selected[:8])}"
                    + (f" +{len(selected) - 8}" if len(selected) > 8 else ""))
                for direction in ("ingress", "egress"):
                    if cp.applies(direction):
                        t.append(f"\n{direction.capitalize()}\n", style="bold underline")
                        for line in describe_policy_direction(cp, direction):
                            t.append(f"  {line}\n", style=p.fail if line.startswith("no ") else "")
        found = [f for f in (self.bridge.found or ()) if (f.object.kind, f.object.namespace, f.object.name) == self.ref]
        t.append("\nFindings\n", style="bold underline")
        if not found:
            t.append("  none\n" if self.bridge.findings is not None else "  computing…\n", style=p.muted)
        for f in found:
            t.append(f"  {f.severity.value} {f.code} ", style="bold")
            t.append(clean(f.message) + "\n")
            t.append(f"    fix: {clean(f.fix)}\n", style=p.muted)
        return t


def clean_lines(text: str) -> str:
    return "\n".join(clean(line) for line in text.split("\n"))
