"""Where a command or a key takes the user: namespaces, pods (by name or workload), triage,
objects, egress, findings; names are looked up as typed or in their cleaned form, and a name
that is not there gets "did you mean" as a list to pick from. Mixed into KtuiApp."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ktui.render.safe import SafeText, clean, safe_text
from ktui.tui import extras
from ktui.tui.safe_ui import did_you_mean, lookup
from ktui.tui.screens.feed import FeedScreen
from ktui.tui.screens.namespace import NamespaceScreen
from ktui.tui.screens.picker import Picker
from ktui.tui.screens.pod import PodScreen
from ktui.tui.screens.triage import TriageScreen

if TYPE_CHECKING:
    from ktui.tui.bridge import Bridge


class Navigation:
    bridge: Bridge
    _reusable: dict[str, NamespaceScreen | PodScreen]
    screen: Any
    screen_stack: Any
    push_screen: Any
    install_screen: Any
    notify: Any

    def go_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()

    def namespace_names(self) -> list[str]:
        return sorted(self.bridge.posture.by_namespace)

    def _not_found(self, what: str, typed: str, names: list[str], then: Callable[[str], None]) -> None:
        """Say so, and offer the close matches ("did you mean") as a list to pick from."""
        close = did_you_mean(names, typed)
        if not close:
            self.notify(safe_text(f"no {what} {typed!r}"), severity="warning")
            return
        real = {clean(n): n for n in names}
        self.pick(safe_text(f"no {what} {typed!r}: did you mean"), [(c, real[c]) for c in close], then)

    def pick(self, title: SafeText, choices: list[tuple[SafeText, str]], then: Callable[[str], None]) -> None:
        def done(value: str | None) -> None:
            if value is not None:
                then(value)

        self.push_screen(Picker(title, choices), done)

    def open_namespace(self, name: str, tab: str | None = None) -> None:
        names = self.namespace_names()
        if not name:
            self.pick(safe_text("namespaces"), [(safe_text(n), n) for n in names], self.open_namespace)
            return
        real = lookup(names, name)
        if real is None:
            self._not_found("namespace", name, names, self.open_namespace)
            return
        if tab is None:
            tab = "exposure" if extras.namespace_extras(self.bridge, real).hosts_failing else "pods"
        self._push_reused("namespace", NamespaceScreen, real, tab)

    def pod_choices(self, namespace: str | None) -> list[tuple[SafeText, str]]:
        out = []
        for ns in [namespace] if namespace else self.namespace_names():
            np = self.bridge.namespace(ns)
            for p in np.pods if np is not None else ():
                ref = f"{ns}/{p.subject.name}"
                out.append((safe_text(ref), ref))
        return out

    def open_pod(self, namespace: str, name: str) -> None:
        """A pod by name; a workload's name (Deployment, ReplicaSet ...) opens its pod, or lists
        its pods when it has several; anything else gets "did you mean"."""
        real_ns = lookup(self.namespace_names(), namespace)
        np = self.bridge.namespace(real_ns) if real_ns is not None else None
        if np is None:
            self._not_found("namespace", namespace, self.namespace_names(), lambda ns: self.open_pod(ns, name))
            return
        pods = [p.subject.name for p in np.pods]
        real = lookup(pods, name)
        if real is not None:
            self._push_reused("pod", PodScreen, np.namespace, real)
            return
        from ktui.analysis.core.owners import display_workload

        members = [p.subject.name for p in np.pods
                   if name in (p.subject.workload.name, display_workload(self.bridge.state, p.subject).name)]
        if len(members) == 1:
            self._push_reused("pod", PodScreen, np.namespace, members[0])
        elif members:
            self.pick(safe_text(f"pods of {np.namespace}/{name}"),
                      [(safe_text(m), f"{np.namespace}/{m}") for m in members],
                      lambda ref: self.open_pod(*ref.split("/", 1)))
        else:
            workloads = {p.subject.workload.name for p in np.pods}
            self._not_found(f"pod or workload in {np.namespace}:", name, sorted(set(pods) | workloads),
                            lambda n: self.open_pod(np.namespace, n))

    def _push_reused(self, slot: str, cls: type[NamespaceScreen] | type[PodScreen], a: str, b: str) -> None:
        """Namespace and pod screens are composed once and retargeted after that: building a
        tabbed screen costs far more than refilling it, and enter must draw within 100 ms."""
        screen = self._reusable.get(slot)
        if screen is None or screen in self.screen_stack:
            if screen is None:
                screen = cls(a, b)
                self._reusable[slot] = screen
                self.install_screen(screen, name=f"ktui-{slot}")
            else:  # already on the stack (ns -> pod -> :ns other): a fresh, throwaway one
                self.push_screen(cls(a, b))
                return
        else:
            screen.retarget(a, b)
        self.push_screen(screen)

    def open_triage(self, target: str) -> None:
        """The chain; a host no entry names exactly also gets the close ones ("did you mean")."""
        host = target.split("://", 1)[-1].split("/", 1)[0].lower()
        hosts = sorted({h.split("/", 1)[0] for h in extras.host_names(self.bridge)})
        close = [] if host in hosts else did_you_mean(hosts, host)
        self.push_screen(TriageScreen(target, close))

    def open_feed(self) -> None:
        self.push_screen(FeedScreen())

    def open_object(self, kind: str, namespace: str, name: str, mode: str = "yaml") -> None:
        from ktui.tui.screens.object import ObjectScreen

        self.push_screen(ObjectScreen(kind, namespace, name, mode))

    def open_egress(self, namespace: str) -> None:
        from ktui.tui.screens.egress import EgressScreen

        names = self.namespace_names()
        if not namespace:
            here = getattr(self.screen, "namespace", "")
            if here in names:
                namespace = here
            else:
                self.pick(safe_text("egress of namespace"), [(safe_text(n), n) for n in names], self.open_egress)
                return
        real = lookup(names, namespace)
        if real is None:
            self._not_found("namespace", namespace, names, self.open_egress)
            return
        self.push_screen(EgressScreen(real))

    def open_findings(self) -> None:
        from ktui.tui.screens.findings import FindingsScreen

        self.push_screen(FindingsScreen(""))

    def _split_pod_ref(self, ref: str) -> tuple[str, str]:
        """NS/NAME; the split that names an existing pod wins (manifest names may hold a '/'),
        and a bare NAME is looked up in the namespace on screen."""
        names = self.namespace_names()
        for i, ch in enumerate(ref):
            if ch == "/":
                ns = lookup(names, ref[:i])
                np = self.bridge.namespace(ns) if ns is not None else None
                if np is not None and lookup([p.subject.name for p in np.pods], ref[i + 1:]) is not None:
                    return np.namespace, ref[i + 1:]
        ns, slash, name = ref.partition("/")
        if not slash:
            here = self.screen.namespace if isinstance(self.screen, NamespaceScreen | PodScreen) else "default"
            return here, ref
        return ns, name

