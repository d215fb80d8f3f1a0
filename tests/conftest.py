import sys
from pathlib import Path

import pytest

# tests/helpers.py is shared by the test modules (annex_race itself is installed)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import load_run, snakemake  # noqa: E402

# the modules that need the test cluster: one worker runs them, one after another,
# beside the other end-to-end tests (tools/test.sh: pytest -n 2 --dist loadgroup)
SLURM_MODULES = {"test_slurm.py", "test_babs_slurm.py"}


def pytest_collection_modifyitems(config, items):
    """The tiers: unit and style tests are fast; each end-to-end test joins the group
    of its kind, so that its module's fixtures are made once, on one worker."""
    for item in items:
        path = Path(str(item.fspath))
        if "e2e" not in path.parts:
            item.add_marker(pytest.mark.fast)
        else:
            item.add_marker(pytest.mark.xdist_group("slurm" if path.name in SLURM_MODULES else "local"))


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """One run of the default matrix, as README's run command does it (a few minutes),
    shared by the modules that read it: (workdir, records, summary text, table)."""
    workdir = tmp_path_factory.mktemp("default-run")
    out = snakemake(workdir, "--cores", "2")
    assert out.returncode == 0, out.stderr[-3000:]
    return workdir, *load_run(workdir)
