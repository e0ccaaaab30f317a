"""Manifests from files and directories: YAML (multi-document) and JSON, lists, kubectl dumps.

Every problem (unreadable file, invalid YAML, object without kind, malformed field) becomes a
Problem naming the file and line; the rest loads. Which files are read and how (never blocking,
size-capped) is manifests_files.py; text -> documents is manifests_yaml.py. `ManifestSource`
reloads changed files live.
"""

from __future__ import annotations

import os
import queue
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ktui.model.decode import DecodeError, decode_document, describe, synth_namespace
from ktui.model.validate_gateway import object_warnings
from ktui.sources import manifests_files
from ktui.sources.base import ClearProblems, Item, KindStatus, Problem, Replace, SyncState
from ktui.sources.manifests_files import DEFAULT_MAX_FILE_SIZE, SUFFIXES, ReadError, read_text
from ktui.sources.manifests_yaml import documents
from ktui.store import ClusterState, Event, Origin

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "SUFFIXES",
    "LoadReport",
    "Loaded",
    "ManifestSource",
    "find_files",
    "load_file",
    "load_paths",
    "path_errors",
    "read_paths",
]


@dataclass(frozen=True, slots=True)
class Loaded:
    kind: str
    obj: Any
    origin: Origin


@dataclass
class LoadReport:
    problems: list[Problem] = field(default_factory=list)
    """Everything to warn about, fatal ones included."""
    fatal: list[Problem] = field(default_factory=list)
    """Paths missing, unreadable or holding nothing readable: a command must not answer (exit 2)."""
    skipped_kinds: Counter[str] = field(default_factory=Counter)
    files: int = 0
    objects: int = 0

    def merge(self, other: LoadReport) -> None:
        self.problems.extend(other.problems)
        self.fatal.extend(other.fatal)
        self.skipped_kinds.update(other.skipped_kinds)
        self.files += other.files
        self.objects += other.objects


def _expand(doc: Any, line: int, item_lines: list[int]) -> Iterator[tuple[int, Any]]:
    """Lists (`kind: List`, `PodList`, ...) become their items; items inherit the list's kind."""
    if isinstance(doc, dict) and isinstance(doc.get("kind"), str) and doc["kind"].endswith("List"):
        items = doc.get("items")
        if isinstance(items, list):
            item_kind = doc["kind"][: -len("List")]
            for i, item in enumerate(items):
                if isinstance(item, dict) and item_kind and "kind" not in item:
                    item = {**item, "kind": item_kind, "apiVersion": doc.get("apiVersion", "")}
                yield (item_lines[i] if i < len(item_lines) else line), item
            return
    yield line, doc


def load_file(path: str, default_ns: str = "default",
              max_size: int = DEFAULT_MAX_FILE_SIZE) -> tuple[list[Loaded], LoadReport]:
    """One file's objects; every problem names the file and line, and the rest of the file loads.
    `report.files` is 1 when the file could be read at all."""
    report = LoadReport()
    out: list[Loaded] = []
    try:
        text = read_text(path, max_size)
    except ReadError as exc:
        problem = Problem(path, str(exc))
        report.problems.append(problem)
        if exc.fatal:
            report.fatal.append(problem)
        return out, report
    report.files = 1
    for doc_line, doc, item_lines, shared in documents(text, path, report.problems):
        if doc is None:
            continue
        for line, item in _expand(doc, doc_line, item_lines):
            where = f"{path}:{line}"
            if not isinstance(item, dict):
                report.problems.append(Problem(where, "document is not a mapping (object)"))
                continue
            try:
                info, obj = decode_document(item, default_ns, shared)
            except DecodeError as exc:
                report.problems.append(Problem(where, str(exc)))
                continue
            except (RecursionError, TypeError, ValueError, OverflowError) as exc:
                report.problems.append(Problem(where, f"cannot read object: {exc}"))
                continue
            if info is None:
                report.skipped_kinds[f"{item.get('apiVersion')}/{item.get('kind')}"] += 1
                continue
            out.append(Loaded(info.kind, obj, Origin(path, line)))
            report.objects += 1
            report.problems.extend(Problem(where, f"{describe(item)}: {w}") for w in object_warnings(info.kind, obj))
    return out, report


def read_paths(paths: Sequence[str], default_ns: str = "default", max_size: int = DEFAULT_MAX_FILE_SIZE
               ) -> tuple[dict[str, list[Loaded]], dict[str, LoadReport], LoadReport]:
    """Every file under the paths: objects and report per file, and the report of the paths
    themselves (missing, unreadable, or a given path none of whose files could be read)."""
    found = manifests_files.find_files(list(paths))
    top = LoadReport(problems=list(found.problems) + list(found.fatal), fatal=list(found.fatal))
    per_file: dict[str, list[Loaded]] = {}
    reports: dict[str, LoadReport] = {}
    read_under: Counter[str] = Counter()
    for path in found.files:
        per_file[path], reports[path] = load_file(path, default_ns, max_size)
        read_under[found.roots.get(path, path)] += reports[path].files
    for root in dict.fromkeys(found.roots.values()):
        if not read_under[root] and os.path.isdir(root):
            problem = Problem(root, "nothing readable in this directory")
            top.problems.append(problem)
            top.fatal.append(problem)
    return per_file, reports, top


def merge_objects(per_file: Iterable[list[Loaded]], report: LoadReport) -> dict[tuple[str, str, str], Loaded]:
    """One object per (kind, namespace, name), the last file winning; duplicates reported."""
    merged: dict[tuple[str, str, str], Loaded] = {}
    for loaded in per_file:
        for item in loaded:
            key = (item.kind, item.obj.metadata.namespace, item.obj.metadata.name)
            if key in merged:
                first = merged[key].origin
                report.problems.append(
                    Problem(
                        f"{item.origin.path}:{item.origin.line}",
                        f"{key[0]} {key[1] + '/' if key[1] else ''}{key[2]} is also defined at "
                        f"{first.path}:{first.line}; this one is used",
                    )
                )
            merged[key] = item
    for ns in sorted({k[1] for k in merged if k[1]} - {k[2] for k in merged if k[0] == "Namespace"}):
        merged[("Namespace", "", ns)] = Loaded("Namespace", synth_namespace(ns), Origin("", 0))
    return merged


def find_files(paths: Sequence[str]) -> tuple[list[str], list[Problem]]:
    """The files to read under `paths`, and every problem finding them (fatal ones included)."""
    found = manifests_files.find_files(list(paths))
    return found.files, found.problems + found.fatal


def path_errors(paths: Sequence[str], max_size: int = DEFAULT_MAX_FILE_SIZE) -> list[Problem]:
    """What makes a command fail before it starts: paths missing, unreadable or with nothing readable."""
    _, reports, top = read_paths(paths, max_size=max_size)
    return top.fatal + [p for r in reports.values() for p in r.fatal]


def load_paths(paths: Sequence[str], default_ns: str = "default",
               max_size: int = DEFAULT_MAX_FILE_SIZE) -> tuple[ClusterState, LoadReport]:
    """Load manifests into a fresh ClusterState."""
    per_file, reports, report = read_paths(paths, default_ns, max_size)
    for file_report in reports.values():
        report.merge(file_report)
    state = ClusterState()
    for item in merge_objects(per_file.values(), report).values():
        state.apply(Event("ADDED", item.kind, item.obj, item.origin if item.origin.path else None))
    return state, report


class ManifestSource:
    """Manifests as a live source: the first load, then a reload of changed files via watchfiles.

    Problems are kept per file (their scope): when a file reloads with other problems or none,
    its old ones are withdrawn (ClearProblems), so a fixed file stops being reported.
    """

    name = "manifests"
    MERGED = "manifests:merged"  # the scope of "also defined at" problems, which span files

    def __init__(self, paths: Sequence[str], default_ns: str = "default",
                 max_size: int = DEFAULT_MAX_FILE_SIZE) -> None:
        self.paths = list(paths)
        self.default_ns = default_ns
        self.max_size = max_size
        self.queue: queue.SimpleQueue[Item] = queue.SimpleQueue()
        self._per_file: dict[str, list[Loaded]] = {}
        self._problems: dict[str, tuple[Problem, ...]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._kinds: set[str] = set()

    def load_now(self) -> None:
        """(Re)read every file and queue the resulting state as Replace items."""
        per_file, reports, top = read_paths(self.paths, self.default_ns, self.max_size)
        self._per_file = per_file
        current: dict[str, list[Problem]] = {}
        for problem in top.problems:
            current.setdefault(problem.where, []).append(problem)
        for path, file_report in reports.items():
            current.setdefault(path, []).extend(file_report.problems)
        merged = LoadReport()
        self._publish(merged)
        current[self.MERGED] = merged.problems
        self._publish_problems(current)

    def _publish(self, report: LoadReport) -> None:
        merged = merge_objects(self._per_file.values(), report)
        by_kind: dict[str, list[Any]] = {k: [] for k in self._kinds}
        for item in merged.values():
            by_kind.setdefault(item.kind, []).append(item.obj)
        if not by_kind:  # nothing ktui reads: still say the load finished (the TUI waits for it)
            by_kind["Namespace"] = []
        for item in merged.values():
            if item.origin.path:
                self.queue.put(Event("ADDED", item.kind, item.obj, item.origin))
        for kind, objs in by_kind.items():
            self.queue.put(Replace(kind, objs))
            self.queue.put(KindStatus(kind, SyncState.LIVE))
        self._kinds = set(by_kind)

    def _publish_problems(self, current: dict[str, list[Problem]]) -> None:
        """Only what changed: a scope whose problems differ is cleared and queued again."""
        scoped = {scope: tuple(Problem(p.where, p.message, scope) for p in problems)
                  for scope, problems in current.items() if problems}
        for scope in sorted(set(self._problems) | set(scoped)):
            old, new = self._problems.get(scope, ()), scoped.get(scope, ())
            if old == new:
                continue
            if old:
                self.queue.put(ClearProblems(scope))
            for problem in new:
                self.queue.put(problem)
        self._problems = scoped

    def start(self) -> None:
        self.load_now()
        self._thread = threading.Thread(target=self._watch, name="ktui-manifests", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        import watchfiles

        try:
            for _changes in watchfiles.watch(
                *self.paths, stop_event=self._stop, debounce=200, raise_interrupt=False
            ):
                try:
                    self.load_now()
                except Exception as exc:  # one bad reload must not end live reload
                    self.queue.put(Problem("manifests", f"reload failed: {type(exc).__name__}: {exc}"))
        except Exception as exc:  # watching is a convenience; the loaded state stays valid
            self.queue.put(Problem("manifests", f"live reload stopped: {exc}"))

    def stop(self) -> None:
        self._stop.set()
