"""`python -m ktui` is the same command as `ktui` (issue 11: CLI habits)."""

import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "realistic" / "online-boutique"


def test_python_m_ktui_runs_a_subcommand() -> None:
    out = subprocess.run([sys.executable, "-m", "ktui", "hosts", "--manifests", str(CORPUS), "-o", "json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert '"boutique"' in out.stdout or "boutique" in out.stdout


def test_python_m_ktui_bad_path_is_an_error() -> None:
    out = subprocess.run([sys.executable, "-m", "ktui", "hosts", "--manifests", "/nonexistent/x.yaml"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
