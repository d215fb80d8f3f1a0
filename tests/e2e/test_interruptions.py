"""Faults on the local executor: a clone job killed mid-get, Ctrl-C of the whole run.
After either, a plain rerun redoes the scenario as a whole and completes."""

import os
import signal
import time
from pathlib import Path

from helpers import (ROOT, assert_sources_unharmed, get_start_skew, git_annex_under, load_run,
                     observed_verdict, processes_of, snakemake, start_run, wait_for_log_line)

TEST_CONFIG = ROOT / ".test" / "config" / "config.yaml"
# two scenarios in a row whose gets take ~8 s (8 MiB at annex.bwlimit=1MiB): the
# affected version first, then the fixed one, whose clone 1 is killed mid-get
MATRIX = ["storage_sibling=off", "git_annex=[10.20260115, 10.20261026]"]


def start(workdir, *args):
    return start_run(workdir, "--cores", "2", *args, configfiles=[TEST_CONFIG], config=MATRIX)


def wait_for_get(workdir, scenario_part, clone, run):
    """The pid of a clone job once its get has been running for a second."""
    found = wait_for_log_line(workdir, clone, "$ git annex get", run, scenario_part)
    time.sleep(1.0)
    return found


def no_leftovers(workdir, timeout=15):
    deadline = time.time() + timeout
    while (left := processes_of(workdir)) and time.time() < deadline:
        time.sleep(0.2)
    return left


def test_a_killed_clone_job_is_recorded_as_killed_and_a_rerun_redoes_its_scenario(tmp_path):
    run = start(tmp_path)
    pid, scenario = wait_for_get(tmp_path, "ga-10.20261026", 1, run)
    os.kill(pid, signal.SIGKILL)
    output = run.communicate(timeout=600)[0]
    assert run.returncode != 0, output[-2000:]
    assert not no_leftovers(tmp_path), "a process of the killed job lived on"

    # the run's summary shows the fault as what it was
    records, summary, table = load_run(tmp_path)
    assert "This run did not finish." in summary
    rows = table[table["scenario"] == scenario]
    killed = rows[rows["reconstructed"]]
    assert [tuple(r) for r in killed[["clone", "cause", "pid"]].values] == [(1, "killed", pid)]
    assert "**INCONCLUSIVE** (1 of 2 clone jobs ended without a record (killed))" in summary
    (first,) = set(records) - {scenario}
    before = {p: p.stat().st_mtime_ns for p in Path(tmp_path, "results/records", first).glob("*.json")}

    # a plain rerun: the scenario runs again as a whole, concurrently; the other is kept
    rerun = snakemake(tmp_path, "--cores", "2", configfiles=[TEST_CONFIG], config=MATRIX)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert f"scenario {scenario} is incomplete" in rerun.stdout + rerun.stderr
    records, summary, _ = load_run(tmp_path)
    again = records[scenario]
    assert [r.round for r in again] == [2, 2] and not any(r.reconstructed for r in again)
    assert get_start_skew(r.t_get_start for r in again) <= 1.0
    assert observed_verdict(again) == "PASS"  # the fixed version
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert "This run did not finish." not in summary
    assert_sources_unharmed(summary)


def test_ctrl_c_leaves_no_process_of_the_run_and_a_rerun_completes(tmp_path):
    run = start(tmp_path)
    wait_for_get(tmp_path, "ga-10.20260115", 0, run)
    os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    run.communicate(timeout=300)
    left = no_leftovers(tmp_path)
    assert not left, left
    rerun = snakemake(tmp_path, "--cores", "2", configfiles=[TEST_CONFIG], config=MATRIX)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    records, summary, _ = load_run(tmp_path)
    assert len(records) == 2 and all(len(rs) == 2 for rs in records.values())
    assert {observed_verdict(rs) for rs in records.values()} == {"FAIL", "PASS"}
    assert_sources_unharmed(summary)


def honest(records):
    """Every scenario of the run ended with a verdict: the fixed version PASS, the affected FAIL."""
    return {rs[0].git_annex: observed_verdict(rs) for rs in records.values()} == {
        "10.20260115": "FAIL", "10.20261026": "PASS"}


def test_git_annex_killed_inside_a_clone_job_makes_no_fail_and_a_rerun_passes(tmp_path):
    """What the OOM killer does on a node: it kills the biggest process, git-annex, not the job."""
    run = start(tmp_path)
    pid, scenario = wait_for_get(tmp_path, "ga-10.20261026", 1, run)
    os.kill(git_annex_under(pid), signal.SIGKILL)
    output = run.communicate(timeout=600)[0]
    assert run.returncode == 0, output[-2000:]
    records, summary, _ = load_run(tmp_path)
    assert [(r.clone, r.cause) for r in records[scenario] if r.outcome != "ok"] == [(1, "killed")]
    assert observed_verdict(records[scenario]) == "INCONCLUSIVE"
    assert "**INCONCLUSIVE** (clone 1: killed (" in summary and "a rerun tries again" in summary

    rerun = snakemake(tmp_path, "--cores", "2", configfiles=[TEST_CONFIG], config=MATRIX)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert f"scenario {scenario} is incomplete (INCONCLUSIVE: clone 1: killed" in rerun.stdout + rerun.stderr
    records, summary, _ = load_run(tmp_path)
    assert [r.round for r in records[scenario]] == [2, 2] and honest(records)


def test_a_closed_terminal_stops_the_run_and_a_plain_rerun_passes(tmp_path):
    run = start(tmp_path)
    wait_for_get(tmp_path, "ga-10.20260115", 0, run)
    os.killpg(run.pid, signal.SIGHUP)  # what closing the terminal does
    run.communicate(timeout=300)
    left = no_leftovers(tmp_path)
    assert not left, left
    rerun = snakemake(tmp_path, "--cores", "2", configfiles=[TEST_CONFIG], config=MATRIX)
    assert rerun.returncode == 0, rerun.stderr[-3000:]  # no --unlock needed
    records, summary, _ = load_run(tmp_path)
    assert honest(records)
    assert_sources_unharmed(summary)


def test_snakemake_killed_alone_leaves_no_job_and_unlock_then_a_plain_rerun_passes(tmp_path):
    """An out-of-memory kill of Snakemake on a login node: its clone jobs live on for
    a moment, write no record Snakemake would count incomplete, and end."""
    config = [*MATRIX, "barrier_timeout=20"]
    run = start_run(tmp_path, "--cores", "2", configfiles=[TEST_CONFIG], config=config)
    wait_for_get(tmp_path, "ga-10.20260115", 0, run)
    os.kill(run.pid, signal.SIGKILL)
    run.communicate(timeout=60)
    left = no_leftovers(tmp_path, timeout=120)  # the gets end, the barrier_timeout at most
    assert not left, left
    unlock = snakemake(tmp_path, "--unlock", configfiles=[TEST_CONFIG], config=config)
    assert unlock.returncode == 0, unlock.stderr[-2000:]
    rerun = snakemake(tmp_path, "--cores", "2", configfiles=[TEST_CONFIG], config=config)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    records, summary, _ = load_run(tmp_path)
    assert honest(records)
    assert_sources_unharmed(summary)
