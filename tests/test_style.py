"""The workflow lints clean, is formatted with snakefmt, and its tests can all be collected."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*cmd):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)


def test_snakemake_lint_is_clean():
    out = _run(BIN / "snakemake", "--lint")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Congratulations" in out.stdout + out.stderr


def test_snakefmt_check_is_clean():
    out = _run(BIN / "snakefmt", "--check", ".")
    assert out.returncode == 0, out.stdout + out.stderr


def test_test_modules_have_unique_names():
    """pytest's default import mode imports test modules by basename: two test files
    with one name in different folders break collection of the whole suite."""
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert sorted(names) == sorted(set(names)), [n for n in set(names) if names.count(n) > 1]
