"""The same small matrix through a real SLURM (tests/slurm/slurm-up.sh) and locally.

Every clone must run as its own SLURM job, and the verdicts must equal those of the
local executor. Skips when not root or when no SLURM answers; tools/test.sh brings
SLURM up first (and in CI fails if it cannot).
"""

import os
import shutil
import subprocess

import pytest

from helpers import ROOT, load_run, observed_verdict, snakemake

# both storage_sibling values, 2 clones, the 8 MiB throttled image, affected git-annex:
# one scenario that fails and one that passes, on either executor
MATRIX = ["method=annex-get", "git_annex=10.20260115", "workaround=none", "n_clones=2"]


def _slurm_ready():
    if os.geteuid() != 0:
        return "not root: the test cluster is brought up as root"
    if not shutil.which("sinfo") or not shutil.which("sacct"):
        return "SLURM is not installed (tools/test.sh installs it as root)"
    idle = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    if idle.returncode or not {"idle", "mixed"} & set(idle.stdout.split()):
        return f"no idle SLURM node: {idle.stdout.strip() or idle.stderr.strip()}"
    if subprocess.run(["sacct", "-n", "-X", "-S", "now"], capture_output=True).returncode:
        return "sacct does not answer (no accounting)"
    return None


pytestmark = pytest.mark.skipif(bool(_slurm_ready()), reason=_slurm_ready() or "")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for name, args in (
        ("slurm", ["--profile", str(ROOT / "profiles" / "slurm-test")]),
        ("local", ["--cores", "2"]),
    ):
        workdir = tmp_path_factory.mktemp(name)
        result = snakemake(workdir, *args, config=MATRIX)
        assert result.returncode == 0, result.stderr[-3000:]
        out[name] = load_run(workdir)[0]
    return out


def test_each_clone_ran_as_its_own_slurm_job(runs):
    records = [r for rs in runs["slurm"].values() for r in rs]
    assert len(records) == 4
    ids = [r["slurm_job_id"] for r in records]
    assert all(ids) and len(set(ids)) == len(ids)
    assert all(r["slurm_node"] for r in records)
    sacct = subprocess.run(
        ["sacct", "-n", "-X", "-P", "-o", "JobID,State", "-j", ",".join(ids)],
        capture_output=True, text=True, check=True,
    )
    states = dict(line.split("|") for line in sacct.stdout.split())
    assert set(states) == set(ids)
    assert set(states.values()) == {"COMPLETED"}


def test_slurm_records_are_complete_and_concurrent(runs):
    for scenario, rs in runs["slurm"].items():
        assert sorted(r["clone"] for r in rs) == [0, 1]
        for r in rs:
            assert r["barrier"] == "released", r
            assert r["t_barrier_release"] <= r["t_get_start"] <= r["t_get_end"]
        skew = max(r["t_get_start"] for r in rs) - min(r["t_get_start"] for r in rs)
        assert skew <= 0.1, (scenario, skew)


def test_verdicts_equal_those_of_the_local_executor(runs):
    verdicts = {
        name: {scenario: observed_verdict(rs) for scenario, rs in run.items()}
        for name, run in runs.items()
    }
    assert verdicts["slurm"] == verdicts["local"]
    assert sorted(verdicts["slurm"].values()) == ["FAIL", "PASS"]
