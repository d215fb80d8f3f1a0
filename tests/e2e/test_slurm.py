"""The same small matrix through a real SLURM (tests/slurm/slurm-up.sh) and locally.

Every clone must run as its own SLURM job, and the verdicts must equal those of the
local executor. Skips when not root or when no SLURM answers; tools/test.sh brings
SLURM up first (and in CI fails if it cannot).
"""

import re
import subprocess
import time
from pathlib import Path

import pytest

from annex_race.core.log_lines import STARTED
from annex_race.driver.cli import snakemake_command
from helpers import (ROOT, assert_sources_unharmed, get_start_skew, load_run, observed_verdict,
                     slurm_ready, snakemake, with_test_cluster)

# .test/config: both storage_sibling values, 2 clones, the 8 MiB throttled image,
# affected git-annex: one scenario that fails and one that passes, on either executor
TEST_CONFIG = [ROOT / ".test" / "config" / "config.yaml"]
PROFILE = ["--profile", str(ROOT / "profiles" / "slurm-test")]


pytestmark = pytest.mark.skipif(bool(slurm_ready()), reason=slurm_ready() or "")


# six scenarios (three methods, with and without storage sibling), in three lanes
METHODS = ["method=[datalad-get, containers-run, annex-get]", "lanes=3"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {"workdirs": {}, "summaries": {}}
    for name, args in (("slurm", PROFILE), ("local", ["--cores", "2"])):
        workdir = out["workdirs"][name] = tmp_path_factory.mktemp(name)
        result = snakemake(workdir, *args, configfiles=TEST_CONFIG, config=METHODS)
        assert result.returncode == 0, result.stderr[-3000:]
        records, summary, _ = load_run(workdir)
        assert_sources_unharmed(summary)
        out[name], out["summaries"][name] = records, summary
    return out


@pytest.fixture
def workdir(runs):
    """The SLURM run's working directory, with its datasets: the tests below run
    scenarios of their own in it (their ids differ), and read only those."""
    return runs["workdirs"]["slurm"]


def own_records(workdir, **axes):
    """The records of the scenarios with these axis values."""
    return {s: rs for s, rs in load_run(workdir)[0].items()
            if all(getattr(rs[0], k) == v for k, v in axes.items())}


def test_each_clone_ran_as_its_own_slurm_job(runs):
    records = [r for rs in runs["slurm"].values() for r in rs]
    assert len(runs["slurm"]) == 6
    assert len(records) == 12
    ids = [r.slurm_job_id for r in records]
    assert all(ids) and len(set(ids)) == len(ids)
    assert all(r.slurm_node for r in records)
    environment = runs["summaries"]["slurm"].split("## Environment", 1)[1]  # what a maintainer asks first
    nodes = ", ".join(sorted({r.slurm_node for r in records}))
    assert f"- SLURM: 12 clone jobs ({', '.join(sorted(ids))}) on nodes {nodes}" in environment
    sacct = subprocess.run(
        ["sacct", "-n", "-X", "-P", "-o", "JobID,State", "-j", ",".join(ids)],
        capture_output=True, text=True, check=True,
    )
    states = dict(line.split("|", 1) for line in sacct.stdout.splitlines())
    assert set(states) == set(ids)
    assert set(states.values()) == {"COMPLETED"}


def test_slurm_records_are_complete_and_concurrent(runs):
    for scenario, rs in runs["slurm"].items():
        assert sorted(r.clone for r in rs) == [0, 1], scenario
        for r in rs:
            assert r.barrier == "released", r
            assert r.t_barrier_release <= r.t_get_start <= r.t_get_end
        skew = get_start_skew(r.t_get_start for r in rs)
        assert skew <= 0.1, (scenario, skew)


def test_verdicts_equal_those_of_the_local_executor(runs):
    verdicts = {
        name: {scenario: observed_verdict(rs) for scenario, rs in runs[name].items()}
        for name in ("slurm", "local")
    }
    assert verdicts["slurm"] == verdicts["local"]
    assert sorted(verdicts["slurm"].values()) == ["FAIL"] * 3 + ["PASS"] * 3


def test_on_slurm_the_scenarios_ran_in_lanes_side_by_side(runs):
    """Three lanes (LANES), 2 clones a scenario: scenarios of different lanes ran at the
    same time, where one after another they would wait for each other."""
    spans = [(min(r.t_clone_start for r in rs), max(r.t_record for r in rs), rs[0].lane)
             for rs in runs["slurm"].values()]
    assert {lane for *_, lane in spans} == {0, 1, 2}
    at_once = max(sum(start <= t < end for start, end, _ in spans) for t, _, _ in spans)
    assert at_once >= 2, spans


def _sbatch_blockers():
    """Occupy every CPU of the cluster but one (on each node, all but the last node's
    last CPU), so that only one sibling can start."""
    nodes = subprocess.run(["sinfo", "-h", "-N", "-o", "%N %c"], capture_output=True, text=True).stdout.split("\n")
    nodes = [line.split() for line in nodes if line.strip()]
    jobs = []
    for i, (node, cpus) in enumerate(nodes):
        jobs.append(subprocess.run(
            ["sbatch", "--parsable", "-A", "annexrace", "-p", "debug", "-w", node,
             "-c", str(int(cpus) - (i == len(nodes) - 1)), "--output", "/dev/null", "--wrap", "sleep 600"],
            capture_output=True, text=True, check=True,
        ).stdout.strip())
    for _ in range(100):
        states = subprocess.run(["squeue", "-h", "-j", ",".join(jobs), "-o", "%T"], capture_output=True, text=True)
        if states.stdout.split() == ["RUNNING"] * len(jobs):
            return jobs
        time.sleep(0.2)
    subprocess.run(["scancel", *jobs])
    pytest.fail(f"blocker jobs {jobs} did not start")


def test_a_sibling_that_cannot_start_leaves_the_scenario_inconclusive(workdir):
    """One sibling runs, the other waits in the SLURM queue: the first gives up after
    barrier_timeout, the late one sees that and does not count as concurrent either;
    both finish, and the scenario is INCONCLUSIVE, never PASS."""
    config = ["storage_sibling=on", "barrier_timeout=10", "annex_retry=2"]
    cmd = snakemake_command(workdir, *PROFILE, configfiles=TEST_CONFIG, config=with_test_cluster(PROFILE, config))
    blockers = _sbatch_blockers()
    try:
        run = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # free the CPU once the first sibling has given up, so the second can start
        deadline = time.time() + 600
        while not list(workdir.glob("results/barriers/*retry-2_*/*/gave-up-*")) and time.time() < deadline:
            if run.poll() is not None:
                break
            time.sleep(0.5)
    finally:
        subprocess.run(["scancel", *blockers])
    output, _ = run.communicate(timeout=600)
    assert run.returncode == 0, output[-3000:]
    (rs,) = own_records(workdir, annex_retry=2).values()
    summary = load_run(workdir)[1]
    assert sorted(r.barrier for r in rs) == ["sibling-gave-up", "timeout"]
    assert observed_verdict(rs) == "INCONCLUSIVE"
    assert "**INCONCLUSIVE** (not concurrent: barrier" in summary


def _start(workdir, *args, config=()):
    cmd = snakemake_command(workdir, *PROFILE, *args, configfiles=TEST_CONFIG, config=with_test_cluster(PROFILE, config))
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _slurm_job_in_get(workdir, run, scenario_part, timeout=600):
    """The SLURM job id of a clone job whose get is running."""
    deadline = time.time() + timeout
    while time.time() < deadline and run.poll() is None:
        for log in Path(workdir, "results/logs/run_clone_job").glob(f"*{scenario_part}*/clone-*.log"):
            last = log.read_text(errors="replace").rsplit(STARTED, 1)[-1]
            if "$ git annex get" in last:
                return re.search(r"slurm_job_id=(\d+)", last).group(1), log
        time.sleep(0.5)
    pytest.fail(f"no clone job got to its get\n{(run.communicate()[0] or '')[-2000:]}")


def _faults(workdir):
    _, summary, table = load_run(workdir)
    assert "This run did not finish." in summary
    return summary, table[table["reconstructed"]]


def test_a_cancelled_clone_job_ends_the_run_and_is_recorded_as_cancelled(workdir):
    """scancel of a running clone job: the run does not wait for it forever
    (annex_race.driver.compat), and the summary says `cancelled`."""
    run = _start(workdir, config=["storage_sibling=off", "n_clones=3"])
    job, _ = _slurm_job_in_get(workdir, run, "_n-3_")
    subprocess.run(["scancel", job], check=True)
    output = run.communicate(timeout=300)[0]  # plugin 2.8.0 alone would still be waiting
    assert run.returncode != 0, output[-2000:]
    summary, faults = _faults(workdir)
    cancelled = faults[faults["slurm_job_id"].astype(str) == job]
    assert list(cancelled["cause"]) == ["cancelled"], faults
    assert "CANCELLED by 0" in cancelled["evidence"].iloc[0]


def test_a_clone_job_over_its_time_limit_is_recorded_as_timeout(workdir):
    """A get that outlasts the SLURM time limit (1 minute; 8 MiB at 64 KiB/s take 2)."""
    run = _start(workdir, "--set-resources", "run_clone_job:runtime=1",
                 config=["storage_sibling=off", "git_annex=10.20261026", "annex_bwlimit=64KiB"])
    output = run.communicate(timeout=600)[0]
    assert run.returncode != 0, output[-2000:]
    _, faults = _faults(workdir)
    assert len(faults) == 2 and set(faults["cause"]) == {"timeout"}, faults
    assert all("TIMEOUT" in e for e in faults["evidence"])


def test_eight_clones_as_eight_slurm_jobs_meet_at_the_barrier(workdir):
    result = snakemake(workdir, *PROFILE, configfiles=TEST_CONFIG,
                       config=["storage_sibling=off", "n_clones=8"])
    assert result.returncode == 0, result.stderr[-3000:]
    (rs,) = own_records(workdir, n_clones=8).values()
    summary = load_run(workdir)[1]
    assert sorted(r.clone for r in rs) == list(range(8))
    assert len({r.slurm_job_id for r in rs}) == 8
    assert get_start_skew(r.t_get_start for r in rs) <= 1.0
    assert observed_verdict(rs) == "FAIL"  # the affected version: all but the winner fail
    assert_sources_unharmed(summary)


def test_a_requeued_clone_job_rejoins_no_barrier_and_a_plain_rerun_passes(workdir):
    """Pre-emption on a partition with PreemptMode=REQUEUE, as `scontrol requeue` does
    it: the job starts again after its sibling has left the barrier. It gets nothing
    alone: its record says `requeued`, and the rerun runs the scenario as a whole."""
    config = ["storage_sibling=off", "git_annex=10.20261026", "annex_retry=4"]
    run = _start(workdir, config=config)
    job, log = _slurm_job_in_get(workdir, run, "_retry-4_")
    subprocess.run(["scontrol", "requeue", job], check=True)
    # SLURM holds a requeued job back for two minutes (its BeginTime), once it is pending
    # again: start it in 10 s instead (at once, it may start while the node still tears
    # its first run down, KillWait=5, and fail of that)
    deadline = time.time() + 60
    while time.time() < deadline and subprocess.run(["squeue", "-h", "-j", job, "-o", "%T"], capture_output=True,
                                                    text=True).stdout.strip() != "PENDING":
        time.sleep(0.2)
    subprocess.run(["scontrol", "update", f"JobId={job}", "StartTime=now+10"], check=True)
    output = run.communicate(timeout=900)[0]
    assert run.returncode == 0, output[-3000:]
    (scenario, rs), = own_records(workdir, annex_retry=4).items()
    requeued = [r for r in rs if r.cause == "requeued"]
    assert [r.slurm_job_id for r in requeued] == [job] and requeued[0].t_get_start is None
    assert observed_verdict(rs) == "INCONCLUSIVE"
    rerun = snakemake(workdir, *PROFILE, configfiles=TEST_CONFIG, config=config)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    (rs,) = own_records(workdir, annex_retry=4).values()
    assert [r.round for r in rs] == [2, 2] and observed_verdict(rs) == "PASS"


def test_a_push_operation_on_slurm(tmp_path):
    """The output side on SLURM: two jobs copy one key into one output repository at
    once (config/delivery.yaml's copy-same-key): the second is refused, by design."""
    config = ["method=copy-same-key", "git_annex=10.20260115", "n_clones=2"]
    out = snakemake(tmp_path, *PROFILE, configfiles=[ROOT / "config" / "delivery.yaml"], config=config)
    assert out.returncode == 0, out.stderr[-3000:]
    records, _, _ = load_run(tmp_path)
    (rs,) = records.values()
    assert len({r.slurm_job_id for r in rs}) == 2 and all(r.slurm_job_id for r in rs)
    assert observed_verdict(rs) == "FAIL" and {r.cause for r in rs if r.outcome != "ok"} == {"transfer-lock"}
