"""The scenario is the unit of work; a clone job that died is recorded as what it was."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from annex_race.observe.faults import diagnose, last_attempt, read_or_rebuild, reconstruct
from annex_race.core.log_lines import DIED, STARTED
from annex_race.core.record import write_record
from annex_race.core.axes import AXES
from annex_race.core.record import INCONCLUSIVE
from annex_race.report.table import collect_records, records_table, scenario_summary
from helpers import make_record

PROBE = {"fs_source": "ext4", "fs_clone": "ext4", "same_filesystem": True, "reflink": False}
SCENARIO = {k: v for k, v in make_record().items() if k in ("scenario", *AXES)}


def log_of(tmp_path, *lines):
    path = tmp_path / "clone-1.log"
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


START = f"1000.000 {STARTED} pid=4242 host=node7 slurm_job_id=-"


def test_a_killed_job_is_rebuilt_from_its_log_as_killed(tmp_path):
    log = log_of(
        tmp_path, "999.000 an earlier run's line",
        f"990.000 {STARTED} pid=1 host=old slurm_job_id=-", "995.000 old",  # an earlier attempt
        START,
        "1001.500 containers installed from /src/container_source (.gitmodules: /src/cs)",
        "1002.000 barrier: released (2 seen)",
        "1002.010 $ git annex get .datalad/environments/bids-mriqc/image  (in /c/containers)",
        "1003.000 get .datalad/environments/bids-mriqc/image (from origin...)",
        f"1004.000 {DIED} pid=4242 in phase get without writing its record: killed its get",
    )
    record = reconstruct(SCENARIO, 1, log, PROBE, since=1000.0)
    assert record.reconstructed and record.outcome == "failed"
    assert (record.cause, record.pid, record.host) == ("killed", 4242, "node7")
    assert (record.t_get_start, record.t_get_end, record.barrier) == (1002.010, 1004.0, "released")
    assert record.origin == "/src/container_source"
    assert record.evidence == [f"{DIED} pid=4242 in phase get without writing its record: killed its get"]


def test_an_attempt_from_before_this_run_is_not_rebuilt(tmp_path):
    log = log_of(tmp_path, START, "1001.000 barrier: released")
    assert reconstruct(SCENARIO, 1, log, PROBE, since=2000.0) is None
    assert reconstruct(SCENARIO, 1, tmp_path / "never-ran.log", PROBE) is None


@pytest.mark.parametrize(
    "state, cause",
    [("CANCELLED by 0", "cancelled"), ("CANCELLED+", "cancelled"), ("TIMEOUT", "timeout"),
     ("OUT_OF_MEMORY", "killed"), ("NODE_FAIL", "killed"), ("PREEMPTED", "cancelled")],
)
def test_slurm_says_what_happened_to_a_job(tmp_path, state, cause):
    log = log_of(tmp_path, START.replace("slurm_job_id=-", "slurm_job_id=77"), "1001.000 barrier: released")
    record = reconstruct(SCENARIO, 1, log, PROBE, state_of=lambda job: state if job == "77" else None)
    assert record.cause == cause
    assert record.evidence == [f"SLURM job 77: {state}"]


def test_a_job_that_crashed_is_an_error_and_one_that_left_nothing_is_lost(tmp_path):
    crashed = last_attempt(log_of(tmp_path, START, "Traceback (most recent call last):",
                                  '  File "x.py", line 1', "ValueError: boom"))
    assert diagnose(crashed) == ("error", ["ValueError: boom"])
    silent = last_attempt(log_of(tmp_path, START, "1001.000 barrier: released (2 seen)"))
    assert diagnose(silent) == ("lost", ["no record; the log ends: barrier: released (2 seen)"])


def test_a_garbled_record_gets_a_row_saying_what_is_wrong_and_never_a_verdict(tmp_path):
    good, garbled = tmp_path / "clone-0.json", tmp_path / "clone-1.json"
    write_record(good, make_record(clone=0))
    garbled.write_text("\x00\x01 half a rec")
    expected = [
        {"record": str(p), "log": str(tmp_path / f"clone-{i}.log"), "scenario": SCENARIO, "clone": i,
         "probe": str(tmp_path / "probe.json")}
        for i, p in enumerate((good, garbled))
    ]
    (tmp_path / "probe.json").write_text(json.dumps(PROBE))
    records = collect_records(expected)
    assert records[1].cause == "unreadable-record" and "not JSON" in records[1].evidence[0]
    summary = scenario_summary(records_table(records), max_skew=1.0)
    assert list(summary["verdict"]) == [INCONCLUSIVE]
    assert "1 of 2 clone jobs ended without a record (unreadable-record)" in summary["detail"][0]


def test_read_or_rebuild_reads_a_good_record(tmp_path):
    write_record(tmp_path / "r.json", make_record())
    assert not read_or_rebuild(tmp_path / "r.json", SCENARIO, 0, tmp_path / "x.log", PROBE).reconstructed


GUARDED = textwrap.dedent("""
    import subprocess, sys, time
    from annex_race.jobs.guard import Guard
    guard = Guard(sys.argv[1])
    guard.tell("barrier", sys.argv[2], 1)
    get = subprocess.Popen(["sleep", "300"], start_new_session=True)
    guard.tell("get", get.pid)
    print(get.pid, flush=True)
    if sys.argv[3] == "done":
        get.kill()
        guard.done()
    else:
        time.sleep(300)
""")


def run_guarded(tmp_path, how):
    log, barrier = tmp_path / "job.log", tmp_path / "barrier"
    barrier.mkdir()
    job = subprocess.Popen([sys.executable, "-c", GUARDED, str(log), str(barrier), how],
                           stdout=subprocess.PIPE, text=True)
    get = int(job.stdout.readline())
    return job, get, log, barrier


def alive(pid):
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in "ZX"


def test_when_a_job_is_killed_its_guard_stops_its_get_and_frees_its_siblings(tmp_path):
    job, get, log, barrier = run_guarded(tmp_path, "die")
    try:
        os.kill(job.pid, signal.SIGKILL)
        job.wait()
        deadline = time.time() + 10
        while alive(get) and time.time() < deadline:
            time.sleep(0.05)
        assert not alive(get), "the get outlived its job"
        assert (barrier / "gave-up-1").exists()
        while DIED not in log.read_text() and time.time() < deadline:
            time.sleep(0.05)
        text = log.read_text()
        assert STARTED in text and f"{DIED} pid={job.pid} in phase get" in text
    finally:
        if alive(get):
            os.kill(get, signal.SIGKILL)


def test_a_job_that_finishes_leaves_its_guard_nothing_to_do(tmp_path):
    job, get, log, barrier = run_guarded(tmp_path, "done")
    assert job.wait(timeout=10) == 0
    assert DIED not in log.read_text() and not list(barrier.iterdir())
