import sys
from pathlib import Path

import pytest

# tests/helpers.py is shared by the test modules (annex_race itself is installed)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import load_run, snakemake  # noqa: E402


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """One run of the default matrix, as README's run command does it (a few minutes),
    shared by the modules that read it: (workdir, records, summary text, table)."""
    workdir = tmp_path_factory.mktemp("default-run")
    out = snakemake(workdir, "--cores", "2")
    assert out.returncode == 0, out.stderr[-3000:]
    return workdir, *load_run(workdir)
