"""Manifests from files and directories: YAML (multi-document) and JSON, lists, kubectl dumps.

Every problem (unreadable file, invalid YAML, object without kind, malformed field) becomes a
Problem naming the file and line; the rest loads. `ManifestSource` reloads changed files live.
"""

from __future__ import annotations

import os
import queue
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import yaml

from ktui.model.decode import DecodeError, decode_document, synth_namespace
from ktui.sources.base import Item, KindStatus, Problem, Replace, SyncState
from ktui.store import ClusterState, Event, Origin

SUFFIXES = (".yaml", ".yml", ".json")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Loaded:
    kind: str
    obj: Any
    origin: Origin


@dataclass
class LoadReport:
    problems: list[Problem] = field(default_factory=list)
    skipped_kinds: Counter[str] = field(default_factory=Counter)
    files: int = 0
    objects: int = 0

    def merge(self, other: LoadReport) -> None:
        self.problems.extend(other.problems)
        self.skipped_kinds.update(other.skipped_kinds)
        self.files += other.files
        self.objects += other.objects


def find_files(paths: Sequence[str]) -> tuple[list[str], list[Problem]]:
    """Files named, plus manifest files under directories (recursive, sorted, no hidden ones)."""
    files: list[str] = []
    problems: list[Problem] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files.extend(
                    os.path.join(root, n)
                    for n in sorted(names)
                    if n.endswith(SUFFIXES) and not n.startswith(".")
                )
        elif os.path.isfile(path):
            files.append(path)
        else:
            problems.append(Problem(path, "no such file or directory"))
    return files, problems


Document = tuple[int, Any, list[int]]  # first line, data, first line of each `items` entry


def _item_lines(node: Any) -> list[int]:
    """Where each entry of a top-level `items:` sequence starts, so list items get their own line."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "items" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []


def _yaml_documents(text: str) -> Iterator[Document]:
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            line = node.start_mark.line + 1 if node is not None else 0
            yield line, loader.construct_document(node), _item_lines(node)
    finally:
        loader.dispose()


def _documents(text: str, path: str) -> Iterator[Document]:
    if path.endswith(".json"):
        try:
            yield 1, msgspec.json.decode(text), []
        except msgspec.DecodeError as exc:
            raise ValueError(str(exc)) from None
    else:
        yield from _yaml_documents(text)


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


def load_file(path: str, default_ns: str = "default") -> tuple[list[Loaded], LoadReport]:
    report = LoadReport(files=1)
    out: list[Loaded] = []
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        docs = list(_documents(text, path))
    except OSError as exc:
        report.problems.append(Problem(path, f"cannot read: {exc.strerror or exc}"))
        return out, report
    except UnicodeDecodeError:
        report.problems.append(Problem(path, "not UTF-8 text"))
        return out, report
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark is not None else path
        report.problems.append(Problem(where, f"invalid YAML: {exc.problem or exc}"))
        return out, report
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        kind = "JSON" if path.endswith(".json") else "YAML"
        report.problems.append(Problem(path, f"invalid {kind}: {exc}"))
        return out, report
    for doc_line, doc, item_lines in docs:
        if doc is None:
            continue
        for line, item in _expand(doc, doc_line, item_lines):
            where = f"{path}:{line}"
            if not isinstance(item, dict):
                report.problems.append(Problem(where, "document is not a mapping (object)"))
                continue
            try:
                info, obj = decode_document(item, default_ns)
            except DecodeError as exc:
                report.problems.append(Problem(where, str(exc)))
                continue
            except (RecursionError, TypeError, ValueError) as exc:
                report.problems.append(Problem(where, f"cannot read object: {exc}"))
                continue
            if info is None:
                report.skipped_kinds[f"{item.get('apiVersion')}/{item.get('kind')}"] += 1
                continue
            out.append(Loaded(info.kind, obj, Origin(path, line)))
            report.objects += 1
    return out, report


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


def load_paths(
    paths: Sequence[str], default_ns: str = "default"
) -> tuple[ClusterState, LoadReport]:
    """Load manifests into a fresh ClusterState."""
    files, problems = find_files(paths)
    report = LoadReport(problems=problems)
    per_file = []
    for path in files:
        loaded, file_report = load_file(path, default_ns)
        report.merge(file_report)
        per_file.append(loaded)
    state = ClusterState()
    for item in merge_objects(per_file, report).values():
        state.apply(Event("ADDED", item.kind, item.obj, item.origin if item.origin.path else None))
    return state, report


class ManifestSource:
    """Manifests as a live source: the first load, then a reload of changed files via watchfiles."""

    name = "manifests"

    def __init__(self, paths: Sequence[str], default_ns: str = "default") -> None:
        self.paths = list(paths)
        self.default_ns = default_ns
        self.queue: queue.SimpleQueue[Item] = queue.SimpleQueue()
        self._per_file: dict[str, list[Loaded]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._kinds: set[str] = set()

    def load_now(self) -> None:
        """(Re)read every file and queue the resulting state as Replace items."""
        files, problems = find_files(self.paths)
        report = LoadReport(problems=problems)
        per_file: dict[str, list[Loaded]] = {}
        for path in files:
            loaded, file_report = load_file(path, self.default_ns)
            report.merge(file_report)
            per_file[path] = loaded
        self._per_file = per_file
        self._publish(report)

    def _publish(self, report: LoadReport) -> None:
        merged = merge_objects(self._per_file.values(), report)
        by_kind: dict[str, list[Any]] = {k: [] for k in self._kinds}
        for item in merged.values():
            by_kind.setdefault(item.kind, []).append(item.obj)
        for item in merged.values():
            if item.origin.path:
                self.queue.put(Event("ADDED", item.kind, item.obj, item.origin))
        for kind, objs in by_kind.items():
            self.queue.put(Replace(kind, objs))
            self.queue.put(KindStatus(kind, SyncState.LIVE))
        self._kinds = set(by_kind)
        for problem in report.problems:
            self.queue.put(problem)

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
                self.load_now()
        except Exception as exc:  # watching is a convenience; the loaded state stays valid
            self.queue.put(Problem("manifests", f"live reload stopped: {exc}"))

    def stop(self) -> None:
        self._stop.set()
