"""Which files the manifests source reads, and reading one without trusting the file system.

Paths on the command line are the user's intent: one that does not exist, cannot be read or
holds no manifest at all is an error of the command (`fatal`), never a silent empty cluster.
Below a directory: symlinked directories are followed once (a set of real paths stops loops and
double reads), anything that is not a regular file (a FIFO would block `open`, /dev/zero would
never end) is skipped with a warning, and a file or directory that cannot be read is reported as
unreadable, which also fails a command (its content is missing from the answer). Files are
opened with O_NONBLOCK and checked with fstat, so a path swapped for a FIFO after the walk
still cannot block; their size is capped.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field

from ktui.sources.base import Problem

SUFFIXES = (".yaml", ".yml", ".json")
DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4,
          "ki": 1024, "mi": 1024**2, "gi": 1024**3, "ti": 1024**4}


def parse_size(text: str) -> int:
    """`64Mi`, `100M`, `1048576` -> bytes (ValueError naming the text otherwise)."""
    m = _SIZE.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not a size (e.g. 64Mi, 100M, 1048576)")
    return int(float(m.group(1)) * _UNITS[(m.group(2) or "").lower()])


class ReadError(Exception):
    """A file that was not read; the message says why (without the path)."""

    def __init__(self, message: str, fatal: bool = True) -> None:
        super().__init__(message)
        self.fatal = fatal  # False: not a manifest at all (a FIFO in a directory), just skipped


def file_type(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a regular file"


def _why(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    return exc.strerror or str(exc)


def read_text(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> str:
    """The file's text. Raises ReadError (never blocks: O_NONBLOCK, then fstat says what it is)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ReadError(f"cannot read: {_why(exc)}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadError(f"{file_type(st.st_mode)}, not a regular file: skipped", fatal=False)
        if st.st_size > max_size:
            raise ReadError(f"{st.st_size} bytes, more than the limit of {max_size} (raise it with --max-file-size)")
        chunks: list[bytes] = []
        size = 0
        while True:  # the file may grow while read: never past the limit
            chunk = os.read(fd, min(1 << 20, max_size + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_size:
                raise ReadError(f"more than the limit of {max_size} bytes (raise it with --max-file-size)")
    except OSError as exc:
        raise ReadError(f"cannot read: {_why(exc)}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(f"not UTF-8 text (byte {exc.start})", fatal=False) from None


@dataclass
class Found:
    """Files to read; warnings; and what makes a command fail (missing, unreadable, empty paths)."""

    files: list[str] = field(default_factory=list)
    roots: dict[str, str] = field(default_factory=dict)
    """file -> the path given that led to it (a given path none of whose files reads is fatal)"""
    problems: list[Problem] = field(default_factory=list)
    fatal: list[Problem] = field(default_factory=list)


def _is_manifest(name: str) -> bool:
    return name.endswith(SUFFIXES) and not name.startswith(".")


def _walk(top: str, found: Found, seen: set[str], ancestors: tuple[str, ...], root: str) -> int:
    """Manifest files below `top` (sorted, no hidden names); returns how many were added."""
    try:
        with os.scandir(top) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        found.fatal.append(Problem(top, f"cannot read directory: {_why(exc)}"))
        return 0
    added = 0
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError:
            is_dir = False
        if is_dir:
            real = os.path.realpath(entry.path)
            if real in ancestors:
                found.problems.append(Problem(entry.path, f"symlink loop (back to {real}): not followed"))
            elif real not in seen:
                seen.add(real)
                added += _walk(entry.path, found, seen, (*ancestors, real), root)
            continue
        if not _is_manifest(entry.name):
            continue
        try:
            st = os.stat(entry.path)
        except OSError as exc:
            if entry.is_symlink():
                found.problems.append(Problem(entry.path, f"broken symlink ({_why(exc)}): skipped"))
            else:
                found.fatal.append(Problem(entry.path, f"cannot read: {_why(exc)}"))
            continue
        if not stat.S_ISREG(st.st_mode):
            found.problems.append(Problem(entry.path, f"{file_type(st.st_mode)}, not a regular file: skipped"))
            continue
        real = os.path.realpath(entry.path)
        if real not in seen:
            seen.add(real)
            found.files.append(entry.path)
            found.roots[entry.path] = root
            added += 1
    return added


def find_files(paths: list[str] | tuple[str, ...]) -> Found:
    """Files named, plus manifest files under directories (recursive, sorted, no hidden ones)."""
    found = Found()
    seen: set[str] = set()
    for path in paths:
        try:
            st = os.stat(path)
        except OSError as exc:
            reason = "no such file or directory" if exc.errno == errno.ENOENT else _why(exc)
            found.fatal.append(Problem(path, reason))
            continue
        real = os.path.realpath(path)
        if stat.S_ISDIR(st.st_mode):
            if real in seen:
                continue
            seen.add(real)
            if _walk(path, found, seen, (real,), path) == 0 and not any(p.where.startswith(path) for p in found.fatal):
                found.fatal.append(Problem(path, "no manifests (*.yaml, *.yml, *.json) in this directory"))
        elif stat.S_ISREG(st.st_mode):
            if real not in seen:
                seen.add(real)
                found.files.append(path)
                found.roots[path] = path
        else:
            found.fatal.append(Problem(path, f"{file_type(st.st_mode)}, not a file or directory of manifests"))
    return found
