"""The workflow lints clean and is formatted with snakefmt."""

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
