"""The layer rules of DESIGN.md, enforced by reading every module's imports (ast, no import run).

- analysis/ is pure: no screen, no client, no file watcher, no other layer above it, no I/O;
- model/ imports nothing of ktui but model; store.py only model;
- render/ imports no tui, cli or sources;
- analysis's subpackages policy, exposure and findings meet only through each other's __init__:
  `from ktui.analysis.policy import X`, never `ktui.analysis.policy.engine`. core (subjects, port
  and address sets, verdicts) is the base every one of them builds on, imported by module like
  ktui.model.

PENDING lists the modules that still reach into a sibling's modules because the name they need
is not exported from its __init__ yet (see the closing notes); nothing else may.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "ktui"
SUBPACKAGES = ("core", "policy", "exposure", "findings")
MEET_AT_INIT = ("policy", "exposure", "findings")  # core is the base the others build on: by module
ANALYSIS_FORBIDDEN = ("textual", "rich", "kubernetes", "watchfiles", "urllib3", "ktui.sources", "ktui.apiserver",
                      "ktui.render", "ktui.tui", "ktui.cli")
IO_MODULES = ("os", "socket", "subprocess", "shutil", "tempfile", "urllib", "http", "ssl", "select", "io")
IO_METHODS = frozenset({"read_text", "write_text", "read_bytes", "write_bytes", "open", "unlink", "mkdir",
                        "rmdir", "rename", "touch", "iterdir", "glob", "rglob"})

# module -> sibling subpackages it may still import below their __init__ (shrinks to empty)
PENDING: dict[str, frozenset[str]] = {}


@dataclass(frozen=True, slots=True)
class Imported:
    module: str  # the importing module
    target: str  # the module named, absolute
    line: int
    direct: bool = True  # False: `P.x` from `from P import x` (x may be a name, or a submodule)


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(under: str = "") -> Iterator[tuple[str, Path]]:
    base = PKG / under if under else PKG
    files = [base] if base.suffix == ".py" else sorted(base.rglob("*.py"))
    for path in files:
        yield module_name(path), path


def imports(name: str, path: Path) -> Iterator[Imported]:
    """Every import in the module (top level, functions, TYPE_CHECKING blocks), made absolute;
    `from P import x` yields P.x too, since x may be a submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Imported(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            yield Imported(name, mod, node.lineno)
            for alias in node.names:
                yield Imported(name, f"{mod}.{alias.name}", node.lineno, direct=False)


def under(target: str, prefix: str) -> bool:
    return target == prefix or target.startswith(prefix + ".")


def _is_module(target: str) -> bool:
    """Whether `target` names a module or package in the tree (not a name inside one)."""
    rel = Path(*target.split("."))
    return (ROOT / rel).with_suffix(".py").exists() or (ROOT / rel / "__init__.py").exists()


def violations(under_dir: str, forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for name, path in modules(under_dir):
        for imp in imports(name, path):
            if any(under(imp.target, f) for f in forbidden):
                out.append(f"{path.relative_to(ROOT)}:{imp.line} imports {imp.target}")
    return sorted(set(out))


def test_analysis_imports_no_screen_client_or_upper_layer() -> None:
    assert violations("analysis", ANALYSIS_FORBIDDEN) == []


def io_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in ("open", "input", "print", "exec", "eval"):
                out.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {f.id}()")
            elif isinstance(f, ast.Attribute) and f.attr in IO_METHODS:
                out.append(f"{path.relative_to(ROOT)}:{node.lineno} calls .{f.attr}()")
    return out


def test_analysis_does_no_io() -> None:
    found = violations("analysis", IO_MODULES)
    for _, path in modules("analysis"):
        found += io_calls(path)
    assert found == []


def test_model_imports_only_model() -> None:
    bad = [f"{m} imports {i.target}" for m, p in modules("model") for i in imports(m, p)
           if under(i.target, "ktui") and not under(i.target, "ktui.model")]
    assert bad == []


def test_store_imports_only_model() -> None:
    bad = [i.target for m, p in modules("store.py") for i in imports(m, p)
           if under(i.target, "ktui") and not under(i.target, "ktui.model")]
    assert bad == []


def test_render_imports_no_tui_cli_or_sources() -> None:
    assert violations("render", ("ktui.tui", "ktui.cli", "ktui.sources", "textual")) == []


def sibling_reaches() -> dict[str, set[str]]:
    """importing module -> the sibling subpackages it imports below their __init__."""
    out: dict[str, set[str]] = {}
    for sub in SUBPACKAGES:
        for name, path in modules(f"analysis/{sub}"):
            for imp in imports(name, path):
                for other in MEET_AT_INIT:
                    if other == sub:
                        continue
                    pkg = f"ktui.analysis.{other}"
                    if imp.target.startswith(pkg + ".") and (imp.direct or _is_module(imp.target)):
                        out.setdefault(name, set()).add(other)
    return out


def test_sibling_subpackages_meet_through_their_init() -> None:
    reaches = sibling_reaches()
    unexpected = {m: sorted(s - PENDING.get(m, frozenset())) for m, s in reaches.items()
                  if s - PENDING.get(m, frozenset())}
    assert unexpected == {}, "import these names from the subpackage's __init__ (export them there)"


def test_the_checker_sees_a_reach_below_init(tmp_path: Path) -> None:
    """The rule itself: a module importing policy.engine is caught, one importing policy is not."""
    bad = tmp_path / "bad.py"
    bad.write_text("from ktui.analysis.policy.engine import NetpolEngine\nfrom ktui.analysis.policy import Peer\n"
                   "from ktui.analysis.policy import engine\n")
    found = imports("ktui.analysis.findings.bad", bad)
    flagged = [(i.line, i.target) for i in found
               if i.target.startswith("ktui.analysis.policy.") and (i.direct or _is_module(i.target))]
    assert flagged == [(1, "ktui.analysis.policy.engine"), (3, "ktui.analysis.policy.engine")]


@pytest.mark.parametrize("text", ["import textual\n", "from rich.text import Text\n", "from ktui.tui import fmt\n",
                                  "import os\n", "from . import x\n"])
def test_the_checker_sees_forbidden_imports(tmp_path: Path, text: str) -> None:
    path = tmp_path / "m.py"
    path.write_text(text)
    targets = {i.target for i in imports("ktui.analysis.m", path)}
    forbidden = (*ANALYSIS_FORBIDDEN, *IO_MODULES)
    hit = any(under(t, f) for t in targets for f in forbidden)
    assert hit == (text != "from . import x\n")


def test_mypy_strict_covers_the_pure_layers() -> None:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert conf["strict"] is True
    assert {"ktui/analysis", "ktui/model", "ktui/store.py"} <= set(conf["files"])
