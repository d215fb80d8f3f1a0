import sys
from pathlib import Path

import pytest

# tests/helpers.py is shared by the test modules (annex_race itself is installed)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import load_run, snakemake  # noqa: E402

# the modules that need the test cluster: they mostly wait for it, so tools/test.sh
# runs them (-m slurm) in a pytest process of their own, beside the others
SLURM_MODULES = {"test_slurm.py", "test_babs_slurm.py", "test_slurm_array.py", "test_box.py"}
# the modules that mount the filesystem lab: they run in that process too, after the
# box's, so that one process at a time mounts, and the two take about as long
LAB_MODULES = {"test_lab.py", "test_seed_table.py"}


def pytest_collection_modifyitems(config, items):
    """The tiers: unit and style tests are fast; end-to-end tests that need the test
    cluster are marked slurm, those that mount the filesystem lab lab."""
    for item in items:
        path = Path(str(item.fspath))
        if "e2e" not in path.parts:
            item.add_marker(pytest.mark.fast)
        elif path.name in SLURM_MODULES:
            item.add_marker(pytest.mark.slurm)
        elif path.name in LAB_MODULES:
            item.add_marker(pytest.mark.lab)


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """One run of the default matrix, as README's run command does it (a few minutes),
    shared by the modules that read it: (workdir, records, summary text, table)."""
    workdir = tmp_path_factory.mktemp("default-run")
    out = snakemake(workdir, "--cores", "2")
    assert out.returncode == 0, out.stderr[-3000:]
    return workdir, *load_run(workdir)
