"""KtuiApp: polls the bridge when the source queues something (at most once a frame; a 100 ms
timer as a fallback) and hands each drained batch to the screens (as a BatchApplied message
before they exist, and for a posture build's batch); owns navigation, `:` commands, the palette
provider and themes."""

from __future__ import annotations

import asyncio
import functools
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar, TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer

from ktui.render.safe import SafeText, clean, safe_text
from ktui.tui import commands
from ktui.tui.bridge import Bridge, Update
from ktui.tui.changes import ChangeTracker
from ktui.tui.messages import Arrived, BatchApplied, OverlayUpdated, merge_updates
from ktui.tui.navigation import Navigation
from ktui.tui.overlay import Overlay, OverlayResult
from ktui.tui.screens.base import KScreen
from ktui.tui.screens.help import HelpScreen
from ktui.tui.screens.namespace import NamespaceScreen
from ktui.tui.screens.overview import OverviewScreen
from ktui.tui.screens.pod import PodScreen
from ktui.tui.screens.prompt import CommandLine, ContextScreen
from ktui.tui.steady_gc import SteadyCollector
from ktui.tui.themes import LoadedTheme, Palette, ThemeError, ThemeWatcher, load_theme, resolve, theme_files

T = TypeVar("T")
MIN_POLL_GAP = 0.015  # seconds between two polls while events flow: about a frame (60 per second)
PACE = 2.0  # while events flow, the pause after a batch is this many times the batch's UI-thread time
MAX_POLL_GAP = 0.05  # ... but never longer: one slow batch (a policy change) must not delay the next event
# How long a thread that wants the GIL waits before the holder is asked to let go (CPython's default:
# 5 ms). The UI thread gives the GIL up at every turn of its event loop; with a busy thread beside it
# (an analysis worker, the source's decoding, the overlay's receiver) each turn paid up to 5 ms.
SWITCH_INTERVAL = 0.0005


class KtuiApp(Navigation, App[None]):
    CSS_PATH = Path(__file__).parent / "ktui.tcss"  # absolute: subclasses live elsewhere
    TITLE = "ktui"
    COMMANDS = App.COMMANDS | {commands.KtuiCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("colon", "command_line", "Command"),
        Binding("T", "next_theme", "Theme", show=False),
    ]

    def __init__(self, bridge: Bridge, *, theme: str | None = None, poll_interval: float = 0.1,
                 watch_themes: bool = True, start_source: bool = True, background: bool = True) -> None:
        super().__init__()
        self.background = background
        self.bridge = bridge
        bridge.background = background  # whole posture builds on a worker thread (tests: inline)
        self.poll_interval = poll_interval
        self.start_source = start_source
        self.loaded: LoadedTheme = load_theme(resolve(theme))
        self.palette: Palette = self.loaded.palette
        self._palettes: dict[str, Palette] = {}
        self._hold = 0
        self._monotonic = time.monotonic  # the pacing's clock (tests set it)
        self._next_poll = 0.0  # while events flow, the next poll waits until then
        self._batch_cost = 0.0  # the last batch's time on this thread (poll, then the screens' update)
        self._poll_timer: Timer | None = None
        self._switch_interval = sys.getswitchinterval()
        self._collector = SteadyCollector()  # full passes of the cyclic collector kept short
        self._overlay_seen = False
        self._reusable: dict[str, NamespaceScreen | PodScreen] = {}
        self._pending: dict[int, Update] = {}
        self.watch_themes = watch_themes
        self._watcher: ThemeWatcher | None = None
        self.changes = ChangeTracker(bridge)

    # ------------------------------------------------------------ lifecycle
    def get_default_screen(self) -> Screen[None]:
        return OverviewScreen()

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """Posture colours exist as CSS variables under every theme, Textual's built-ins too."""
        defaults = super().get_theme_variable_defaults()
        defaults.update({f"posture-{k}": v for k, v in vars_of(Palette()).items()})
        return defaults

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own, without its theme switcher: ktui's themes are in the palette as
        `theme NAME` (the built-in Textual themes carry no posture colours)."""
        for command in super().get_system_commands(screen):
            if command.title != "Theme":
                yield command

    def notify(self, message: SafeText | str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification is cleaned and never parsed as markup, whoever calls it."""
        super().notify(clean(message), title=clean(title), severity=severity, timeout=timeout, markup=False)

    def copy_text(self, text: SafeText, what: str = "") -> None:
        """The clipboard gets cleaned text only (it is written to the terminal as OSC 52)."""
        self.copy_to_clipboard(clean(text))
        self.notify(safe_text(f"copied {what + ': ' if what else ''}{text}"), timeout=3)

    def on_mount(self) -> None:
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, SWITCH_INTERVAL))
        if self.background:  # the real app (tests run inline, many apps to a process)
            self._collector.start()
        self._use_theme(self.loaded)
        self.theme_changed_signal.subscribe(self, self._theme_switched)
        if self.start_source:
            self.bridge.start()
        self.bridge.attach_overlay(Overlay(self._overlay_result, live=self.bridge.live, process=self.background))
        self.bridge.arrivals.notify = self._arrived
        self.poll()
        self.set_interval(self.poll_interval, self._fallback_poll)  # what came while polls were held
        self.set_interval(1.0, self._tick)

    def on_resize(self) -> None:
        """Small terminals (80x24) get a shorter change feed, leaving room for the table."""
        self.set_class(self.size.height < 32, "-short")

    def on_unmount(self) -> None:
        sys.setswitchinterval(self._switch_interval)
        self._collector.stop()
        if self._watcher is not None:
            self._watcher.stop()
        if self.bridge.overlay is not None:
            self.bridge.overlay.stop()
        if self.start_source:
            self.bridge.stop()

    # ------------------------------------------------------------ the batch path
    def _arrived(self) -> None:
        """On a source thread: the first item queued since the last drain."""
        self.post_message(Arrived())

    def on_arrived(self, _message: Arrived) -> None:
        """Poll now if the last batch is far enough behind, else when it is: an idle app takes an
        event at once, and a flow of events is batched, each batch waiting after the last at
        least MIN_POLL_GAP and PACE times that batch's cost (at most MAX_POLL_GAP), so keys and
        frames get two thirds of this thread (bigger batches also cost less per event)."""
        if self._poll_timer is None:
            self._poll_when_paced()

    def _poll_when_paced(self) -> None:
        wait = self._next_poll - self._monotonic()
        if wait <= 0:
            self.poll()
        else:
            self._poll_timer = self.set_timer(wait, self._paced_poll)

    def _paced_poll(self) -> None:
        self._poll_timer = None
        self.poll()

    def _fallback_poll(self) -> None:
        if self._poll_timer is None and self._monotonic() >= self._next_poll:
            self.poll()

    def _paced(self, started: float, first: bool) -> None:
        """Count this thread's time on the batch since `started`; set when the next poll may come."""
        now = self._monotonic()
        self._batch_cost = (0.0 if first else self._batch_cost) + now - started
        self._next_poll = now + min(MAX_POLL_GAP, max(MIN_POLL_GAP, PACE * self._batch_cost))

    def poll(self) -> None:
        """Drain the source queue (on this thread: the store has one writer), hand the batch on."""
        if self._hold:
            return
        started = self._monotonic()
        synced_before = self.bridge.synced
        update = self.bridge.poll()
        if update is not None:
            self.changes.on_batch(update, synced_before)
            if self.screen_stack and self.is_running:  # to the screens now: as a message it waited
                self.dispatch(update)  # behind the queue (~20 ms at 500 events/s)
            else:
                self.post_message(BatchApplied(update))
            self._paced(started, first=True)
        elif self.bridge.job is not None:  # a whole posture build: off this thread, polls held
            # the function, not a coroutine: an app that quits first leaves nothing never awaited
            self.run_worker(functools.partial(self._posture_job, synced_before), group="posture", exclusive=True)

    async def _posture_job(self, synced_before: bool) -> None:
        if isinstance(self.screen, KScreen):
            self.screen.refresh_status()  # "computing the posture…"
        await self.analyse(self.bridge.run_job)
        update = self.bridge.finish_job()
        self.changes.on_batch(update, synced_before)
        self.post_message(BatchApplied(update))
        if self.bridge.job is not None:  # its follow-up (the first exposure and findings): at once,
            self.call_later(self.poll)  # once this worker has returned, not at the fallback tick

    def on_batch_applied(self, message: BatchApplied) -> None:
        started = self._monotonic()
        self.dispatch(message.update)
        self._paced(started, first=False)

    def _overlay_result(self, result: OverlayResult) -> None:
        """From the overlay thread (or inline): hand the result to the UI thread as a message."""
        self.post_message(OverlayUpdated(result))

    def on_overlay_updated(self, message: OverlayUpdated) -> None:
        changed = self.bridge.apply_overlay(message.result)
        if not message.result.error:
            self.changes.on_overlay(changed)
        if message.result.error:
            self.notify(safe_text(f"exposure/findings failed: {message.result.error}"), severity="error")
        self.dispatch(Update(overlay=changed, first_sync=not self._overlay_seen))
        self._overlay_seen = True

    def dispatch(self, update: Update) -> None:
        """The visible screen refreshes now; hidden ones catch up when shown again."""
        if not self.screen_stack:  # closing (a worker's last poll may land after the screens went)
            return
        top = self.screen
        for screen in self.screen_stack:
            if not isinstance(screen, KScreen):
                continue
            if screen is top and screen.is_mounted:
                screen.on_batch(update)
                screen.refresh_status()
            else:
                key = id(screen)
                self._pending[key] = merge_updates(self._pending.get(key), update)

    def catch_up(self, screen: KScreen) -> None:
        pending = self._pending.pop(id(screen), None)
        if pending is not None:
            screen.on_batch(pending)

    def _tick(self) -> None:
        if isinstance(self.screen, KScreen):
            self.screen.refresh_status()

    async def analyse(self, fn: Callable[[], T]) -> T:
        """Run a heavy analysis off the UI thread; polling is held so the store stays still
        (callers ask in short pieces: an event waits for the piece running when it came)."""
        self._hold += 1
        try:
            return await asyncio.to_thread(fn)
        finally:
            self._hold -= 1
            self._after_hold()

    def _after_hold(self) -> None:
        """What came while polls were held is taken now (or when the pacing allows), not at the
        next fallback tick: the source's wake-up was spent on the held poll."""
        if self._hold or self._poll_timer is not None or self.bridge.job is not None:
            return  # (a posture build: polls resume at the fallback tick, as the job expects)
        self._poll_when_paced()

    def open_command_line(self, initial: str = "") -> None:
        def done(text: str | None) -> None:
            if text:
                self.run_command(text)

        self.push_screen(CommandLine(safe_text(initial), commands.suggestions(self)), done)

    def run_command(self, text: str) -> None:
        try:
            cmd = commands.parse(text)
        except commands.CommandError as exc:
            self.notify(safe_text(exc), severity="warning")
            return
        if cmd.verb == "ns":
            self.open_namespace(cmd.arg)
        elif cmd.verb == "pod" and not cmd.arg:
            here = getattr(self.screen, "namespace", None)
            self.pick(safe_text(f"pods{' in ' + here if here else ''}"), self.pod_choices(here),
                      lambda ref: self.open_pod(*ref.split("/", 1)))
        elif cmd.verb == "pod":
            self.open_pod(*self._split_pod_ref(cmd.arg))
        elif cmd.verb == "egress":
            self.open_egress(cmd.arg)
        elif cmd.verb == "findings":
            self.open_findings()
        elif cmd.verb == "triage":
            self.open_triage(cmd.arg)
        elif cmd.verb == "ctx":
            self.push_screen(ContextScreen(self.bridge, self.palette))
        elif cmd.verb == "theme":
            self.set_theme_spec(cmd.arg)
        elif cmd.verb == "feed":
            self.open_feed()
        elif cmd.verb == "help":
            self.action_help()
        elif cmd.verb == "overview":
            while len(self.screen_stack) > 1:
                self.pop_screen()
        elif cmd.verb == "quit":
            self.exit()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_command_line(self) -> None:
        self.open_command_line()

    # ------------------------------------------------------------ themes
    def theme_names(self) -> list[str]:
        return list(theme_files())

    def set_theme_spec(self, spec: str) -> None:
        try:
            loaded = load_theme(resolve(spec))
        except ThemeError as exc:
            self.notify(safe_text(exc), severity="error")
            return
        self._use_theme(loaded)

    def action_next_theme(self) -> None:
        names = self.theme_names()
        if not names:
            return
        current = self.loaded.path.stem if self.loaded.path else ""
        nxt = names[(names.index(current) + 1) % len(names)] if current in names else names[0]
        self.set_theme_spec(nxt)
        self.notify(safe_text(f"theme {nxt}"), timeout=2)

    def _use_theme(self, loaded: LoadedTheme) -> None:
        self.loaded = loaded
        self._palettes[loaded.theme.name] = loaded.palette
        self.register_theme(loaded.theme)
        if self.theme == loaded.theme.name:  # same name, new colours: re-apply
            self.refresh_css(animate=False)
            self._theme_switched(None)
        else:
            self.theme = loaded.theme.name
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        if self.watch_themes and loaded.path is not None:
            self._watcher = ThemeWatcher([loaded.path], self._theme_file_changed)
            self._watcher.start()

    def _theme_switched(self, _theme: object) -> None:
        self.palette = self._palettes.get(self.theme, Palette())
        for screen in self.screen_stack:
            if isinstance(screen, KScreen):
                screen.restyle()

    def _theme_file_changed(self, path: Path) -> None:
        self.call_from_thread(self._reload_theme, path)

    def _reload_theme(self, path: Path) -> None:
        if self.loaded.path is None or path != self.loaded.path.resolve():
            return
        try:
            self._use_theme(load_theme(self.loaded.path))
        except ThemeError as exc:
            self.notify(safe_text(f"theme not reloaded: {exc}"), severity="error")


def vars_of(palette: Palette) -> dict[str, str]:
    return {name: getattr(palette, name) for name in palette.__slots__}
