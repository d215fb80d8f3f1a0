"""The default matrix, end to end on this machine, with the real git-annex versions.

One run of the default configuration (as README's run command does it) serves all
tests in this module; it takes a few minutes.
"""

import re

import pytest

from helpers import assert_sources_unharmed, get_start_skew, load_run, observed_verdict, scenario_rows, snakemake

AFFECTED, FIXED = "10.20260115", "10.20261026"


@pytest.fixture
def run(default_run):
    """The default matrix's run (tests/conftest.py)."""
    return default_run


def test_every_expected_record_and_output_exists(run):
    workdir, records, summary, table = run
    assert len(records) == 18  # the default matrix less the skipped combinations
    for scenario, rs in records.items():
        assert sorted(r.clone for r in rs) == list(range(rs[0].n_clones)), scenario
        for r in rs:
            assert r.git_annex_version.startswith(r.git_annex), r
            assert r.fs_clone and r.host and r.pid
            assert r.t_clone_start <= r.t_clone_end <= r.t_barrier_arrive
            assert r.t_barrier_release <= r.t_get_start <= r.t_get_end
    assert len(table) == sum(len(rs) for rs in records.values())
    assert_sources_unharmed(summary)
    assert (workdir / "results" / "sources.ok").exists()
    png = workdir / "results" / "timeline.png"
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 20_000


def test_summary_has_one_row_per_scenario_consistent_with_the_records(run):
    workdir, records, summary, _ = run
    rows = scenario_rows(workdir)
    assert sorted(rows["scenario"]) == sorted(records)
    for row in rows.itertuples():
        assert row.verdict == observed_verdict(records[row.scenario]), row
        assert set(row.cause.split(", ")) - {""} == {r.cause for r in records[row.scenario] if r.outcome != "ok"}
    # the summary renders the table: one row per scenario
    shown = summary.split("\n## Results summary\n", 1)[1].split("\n## ", 1)[0]
    assert sum(line.startswith("| ") for line in shown.splitlines()) == len(rows) + 1


def test_gets_of_a_scenario_started_together(run):
    _, records, _, _ = run
    skews = sorted(get_start_skew(r.t_get_start for r in rs) for rs in records.values())
    assert skews[len(skews) // 2] <= 0.05


def _verdicts(records, **where):
    return {
        scenario: observed_verdict(rs)
        for scenario, rs in records.items()
        if all(getattr(rs[0], k) == v for k, v in where.items())
    }


def test_affected_version_without_storage_sibling_fails_for_every_method(run):
    _, records, _, _ = run
    failing = _verdicts(records, git_annex=AFFECTED, storage_sibling="off", workaround="none")
    assert len(failing) == 3 and set(failing.values()) == {"FAIL"}


def test_fixed_version_storage_sibling_and_workarounds_pass(run):
    _, records, _, _ = run
    for where in (
        {"git_annex": FIXED},
        {"storage_sibling": "on"},
        {"workaround": "prefetch"},
        {"workaround": "retry-backoff"},
    ):
        verdicts = _verdicts(records, **where)
        assert verdicts and set(verdicts.values()) == {"PASS"}, (where, verdicts)


def test_prefetch_clones_transfer_nothing(run):
    _, records, _, _ = run
    prefetch = [r for rs in records.values() for r in rs if r.workaround == "prefetch"]
    assert prefetch and all(r.attempts == [] for r in prefetch)


def test_a_slice_plans_only_its_scenarios_and_rebuilds_nothing(run):
    workdir = run[0]
    out = snakemake(workdir, "--cores", "2", "-n", config=["storage_sibling=on"])
    assert out.returncode == 0, out.stderr
    planned = {line.split()[0] for line in out.stdout.splitlines() if line[:1].isalpha() and line.split()[-1].isdigit()}
    # only the checks of the sources the slice read, and its own summary: no dataset, no
    # clone, and no turn (who comes before a scenario that ran does not matter any more)
    summary = {"tabulate_results", "write_summary", "draw_figures", "write_scenario_cards"}
    assert planned <= {"verify_sources", "confirm_sources_unharmed", *summary, "all", "job", "total"}, out.stdout
    assert summary <= planned, out.stdout


def test_a_slice_selects_only_its_scenarios(tmp_path):
    out = snakemake(tmp_path, "--cores", "2", "-n", config=["storage_sibling=on"])
    assert out.returncode == 0, out.stderr
    scenarios = set(re.findall(r"scenario=([^,\s]+)", out.stdout))
    assert len(scenarios) == 6 and all("_ss-on_" in s for s in scenarios), scenarios


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    """The same default matrix with its scenarios strictly one after another."""
    workdir = tmp_path_factory.mktemp("sequential")
    out = snakemake(workdir, "--cores", "2", config=["lanes=1"])
    assert out.returncode == 0, out.stderr[-3000:]
    return workdir, *load_run(workdir)


def test_lanes_change_no_verdict(run, sequential):
    _, records, _, _ = run
    _, alone, _, _ = sequential
    assert len({r.lane for rs in records.values() for r in rs}) > 1  # the default runs side by side
    assert {r.lane for rs in alone.values() for r in rs} == {0}
    assert {s: observed_verdict(rs) for s, rs in records.items()} == {
        s: observed_verdict(rs) for s, rs in alone.items()}


def test_no_origin_served_two_scenarios_at_once(run):
    """Scenarios in different lanes use different origins; within a lane they take turns."""
    _, records, _, _ = run
    spans = [
        (r.origin, min(x.t_clone_start for x in rs), max(x.t_record for x in rs), s)
        for s, rs in records.items() for r in rs[:1]
    ]
    assert all(origin for origin, *_ in spans)
    for i, (origin, start, end, s) in enumerate(spans):
        for other, start2, end2, s2 in spans[i + 1:]:
            if origin == other:
                assert end <= start2 or end2 <= start, (s, s2, origin)
    for rs in records.values():  # each fetched from its own lane's datasets, and only there
        assert re.search(r"/lane-(\d+)/", rs[0].origin).group(1) == str(rs[0].lane), rs[0].origin
        for r in rs:
            assert r.arrival_evidence is None or r.arrival_evidence.startswith(
                ("from origin: ", "from input-storage: ", "no transfer", "[DEBUG]")), r.arrival_evidence
