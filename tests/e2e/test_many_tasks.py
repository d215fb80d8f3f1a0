"""Many tasks on this machine: a 64-clone scenario at its barrier, and scheduled
starts (no barrier), with and without a throttle. The affected git-annex, no storage
sibling, plain `git annex get` (.test/config). A 64-task SLURM array:
test_slurm_array.py."""

import pytest

from annex_race.driver.cli import ROOT
from helpers import load_run, observed_verdict, scenario_rows, ran_alongside_another, snakemake

TEST_CONFIG = [ROOT / ".test" / "config" / "config.yaml"]
AFFECTED = ["storage_sibling=off", "git_annex=10.20260115"]


def run(workdir, *config):
    out = snakemake(workdir, "--cores", "2", configfiles=TEST_CONFIG, config=[*AFFECTED, *config])
    assert out.returncode == 0, out.stderr[-3000:]
    (row,) = [r for _, r in scenario_rows(workdir).iterrows()
              if all(str(r[k]) == v for k, v in (c.split("=") for c in config if not c.startswith("throttle")))]
    return row, load_run(workdir)[0][row.scenario]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("many")


def test_64_clones_at_a_barrier_give_the_verdict_their_records_call_for(workdir):
    # 1 MiB at 1 MiB/s: one copy outlasts no retry window, 63 copies one after another do
    row, records = run(workdir, "n_clones=64", "image_size=1M")
    assert len(records) == 64 and {r.clone for r in records} == set(range(64))
    assert row.verdict == observed_verdict(records, max_skew=1.0) != "INCONCLUSIVE", row.detail
    failed = [r for r in records if r.outcome != "ok"]
    assert row.detail.startswith(f"{len(failed)} of 64 failed") if failed else row.detail == ""
    overlapped = ran_alongside_another(records)
    assert row.overlapped == len(overlapped) and row.failed_overlapped == len(overlapped & {r.clone for r in failed})
    assert row.skew_ms == pytest.approx(1000 * (max(r.t_get_start for r in records)
                                                - min(r.t_get_start for r in records)))
    assert all(r.cpu and {"start", "clone", "barrier", "step", "record"} <= set(r.cpu) for r in records)


def test_scheduled_starts_fail_where_gets_overlapped_and_nowhere_else(workdir):
    # 8 MiB at 1 MiB/s: a copy outlasts the loser's retries (~3.5 s). Unthrottled, four
    # jobs start their gets as their clones end, inside the first one's copy
    row, records = run(workdir, "n_clones=4", "start=scheduled")
    overlapped, failed = ran_alongside_another(records), {r.clone for r in records if r.outcome != "ok"}
    assert row.verdict == observed_verdict(records) != "INCONCLUSIVE"
    assert failed and failed <= overlapped, (failed, overlapped)
    assert row.detail == f"{len(failed)} of 4 failed; {len(overlapped)} of 4 gets overlapped another's"
    assert {r.cause for r in records if r.outcome != "ok"} == {"transfer-lock"}
    assert all(r.barrier == "scheduled" for r in records)

    # a throttle of one: each job waits for the one before to end, no get overlaps
    row, records = run(workdir, "n_clones=2", "start=scheduled", "throttle=1")
    assert ran_alongside_another(records) == set() and row.overlapped == 0
    assert row.verdict == observed_verdict(records) == "PASS", row.detail
    assert row.detail == "0 of 2 gets overlapped another's"
    first, second = sorted(records, key=lambda r: r.t_job_start)
    assert second.t_clone_start >= first.t_record - 0.5  # it took its slot when the first let go
