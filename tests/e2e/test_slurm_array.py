"""A 64-task scenario as SLURM job arrays on the test cluster, as BABS submits its
tasks: scheduled starts (each task gets the image when SLURM starts it; the cluster
has 32 job slots, so the array runs in waves), the affected git-annex, no storage
sibling. Skips when not root or when no SLURM answers."""

import subprocess

import pytest

from annex_race.driver.cli import ROOT
from helpers import load_run, observed_verdict, scenario_rows, ran_alongside_another, slurm_ready, snakemake

TEST_CONFIG = [ROOT / ".test" / "config" / "config.yaml"]
# arrays are opt-in: the plugin's array ids (`<job>_<task>`) are not yet what the
# interruption handling (scancel, requeue) expects. At most 16 tasks per sbatch: the
# plugin's larger arrays run task 1's job in every task (docs/development.md)
PROFILE = ["--profile", str(ROOT / "profiles" / "slurm-test"), "--jobs", "300",
           "--slurm-array-jobs", "run_clone_job", "--slurm-array-limit", "16"]

pytestmark = pytest.mark.skipif(bool(slurm_ready()), reason=slurm_ready() or "")


@pytest.fixture(scope="module")
def array_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("array")
    out = snakemake(workdir, *PROFILE, configfiles=TEST_CONFIG,
                    config=["storage_sibling=off", "git_annex=10.20260115", "n_clones=64", "image_size=1M",
                            "start=scheduled"])
    assert out.returncode == 0, out.stderr[-3000:]
    (row,) = [r for _, r in scenario_rows(workdir).iterrows()]
    return row, load_run(workdir)[0][row.scenario]


def test_each_task_of_the_array_records_its_array_job_and_task(array_run):
    _, records = array_run
    assert len(records) == 64
    arrays = {r.slurm_array_job_id for r in records}
    assert None not in arrays
    # --slurm-array-limit 16: 16 tasks per sbatch
    assert len(arrays) == 4, arrays
    assert sorted(int(r.slurm_array_task_id) for r in records) == list(range(1, 65))
    assert {r.slurm_node for r in records} == {n.split()[0] for n in subprocess.run(
        ["sinfo", "-h", "-N", "-o", "%N"], capture_output=True, text=True).stdout.splitlines()}
    # each task ran its own clone (not the first task's job in every task)
    assert sorted(r.clone for r in records) == list(range(64))


def test_the_array_gives_the_verdict_its_records_call_for_with_the_overlap(array_run):
    row, records = array_run
    assert row.verdict == observed_verdict(records) != "INCONCLUSIVE", row.detail
    overlapped = ran_alongside_another(records)
    failed = {r.clone for r in records if r.outcome != "ok"}
    assert failed <= overlapped
    assert row.overlapped == len(overlapped)
    assert row.detail.endswith(f"{len(overlapped)} of 64 gets overlapped another's")
