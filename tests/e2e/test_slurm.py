"""The same small matrix through a real SLURM (tests/slurm/slurm-up.sh) and locally.

Every clone must run as its own SLURM job, and the verdicts must equal those of the
local executor. Skips when not root or when no SLURM answers; tools/test.sh brings
SLURM up first (and in CI fails if it cannot).
"""

import os
import shutil
import subprocess
import time

import pytest

from helpers import ROOT, get_start_skew, load_run, observed_verdict, snakemake

from annex_race.runs import snakemake_command

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
    ids = [r.slurm_job_id for r in records]
    assert all(ids) and len(set(ids)) == len(ids)
    assert all(r.slurm_node for r in records)
    sacct = subprocess.run(
        ["sacct", "-n", "-X", "-P", "-o", "JobID,State", "-j", ",".join(ids)],
        capture_output=True, text=True, check=True,
    )
    states = dict(line.split("|") for line in sacct.stdout.split())
    assert set(states) == set(ids)
    assert set(states.values()) == {"COMPLETED"}


def test_slurm_records_are_complete_and_concurrent(runs):
    for scenario, rs in runs["slurm"].items():
        assert sorted(r.clone for r in rs) == [0, 1]
        for r in rs:
            assert r.barrier == "released", r
            assert r.t_barrier_release <= r.t_get_start <= r.t_get_end
        skew = get_start_skew(r.t_get_start for r in rs)
        assert skew <= 0.1, (scenario, skew)


def test_verdicts_equal_those_of_the_local_executor(runs):
    verdicts = {
        name: {scenario: observed_verdict(rs) for scenario, rs in run.items()}
        for name, run in runs.items()
    }
    assert verdicts["slurm"] == verdicts["local"]
    assert sorted(verdicts["slurm"].values()) == ["FAIL", "PASS"]


def _sbatch_blocker():
    """Occupy one of the node's two CPUs, so that only one sibling can start."""
    job = subprocess.run(
        ["sbatch", "--parsable", "-A", "annexrace", "-p", "debug", "-c", "1", "--wrap", "sleep 600"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    for _ in range(100):
        state = subprocess.run(["squeue", "-h", "-j", job, "-o", "%T"], capture_output=True, text=True)
        if state.stdout.strip() == "RUNNING":
            return job
        time.sleep(0.2)
    subprocess.run(["scancel", job])
    pytest.fail(f"blocker job {job} did not start")


def test_a_sibling_that_cannot_start_leaves_the_scenario_inconclusive(tmp_path):
    """One sibling runs, the other waits in the SLURM queue: the first gives up after
    barrier_timeout, the late one sees that and does not count as concurrent either;
    both finish, and the scenario is INCONCLUSIVE, never PASS."""
    config = [*MATRIX, "storage_sibling=on", "barrier_timeout=10"]
    cmd = snakemake_command(tmp_path, "--profile", str(ROOT / "profiles" / "slurm-test"), config=config)
    blocker = _sbatch_blocker()
    try:
        run = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # free the CPU once the first sibling has given up, so the second can start
        deadline = time.time() + 600
        while not list(tmp_path.glob("results/barriers/*/*/gave-up-*")) and time.time() < deadline:
            if run.poll() is not None:
                break
            time.sleep(0.5)
    finally:
        subprocess.run(["scancel", blocker])
    output, _ = run.communicate(timeout=600)
    assert run.returncode == 0, output[-3000:]
    records, summary, _ = load_run(tmp_path)
    (rs,) = records.values()
    assert sorted(r.barrier for r in rs) == ["sibling-gave-up", "timeout"]
    assert observed_verdict(rs) == "INCONCLUSIVE"
    assert "**INCONCLUSIVE** (not concurrent: barrier" in summary
