"""The default matrix, end to end on this machine, with the real git-annex versions:
whole jobs (get, run, deliver as BABS does), three releases.

One run of the default configuration (as README's run command does it) serves all
tests in this module; it takes a few minutes.
"""

import re

import pytest
import yaml

from annex_race.core.record import step_verdicts
from annex_race.planning.matrix import normalize_axes, scenario_table
from helpers import (ROOT, assert_sources_unharmed, get_start_skew, load_run, observed_verdict, scenario_rows,
                     snakemake)

# the affected release, the newest seen to pass the whole job, the newest on PyPI
AFFECTED, GOOD, NEWEST = "10.20260115", "10.20261020", "10.20261026"
DEFAULT = normalize_axes(yaml.safe_load((ROOT / "config" / "config.yaml").read_text()))


@pytest.fixture
def run(default_run):
    """The default matrix's run (tests/conftest.py)."""
    return default_run


def test_every_expected_record_and_output_exists(run):
    workdir, records, summary, table = run
    assert len(records) == len(scenario_table(DEFAULT))  # the default matrix less the skipped combinations
    for scenario, rs in records.items():
        assert sorted(r.clone for r in rs) == list(range(rs[0].n_clones)), scenario
        for r in rs:
            assert r.git_annex_version.startswith(r.git_annex), r
            assert r.fs_clone and r.host and r.pid
            assert r.t_clone_start <= r.t_clone_end <= r.t_barrier_arrive
            assert r.t_barrier_release <= r.t_get_start <= r.t_get_end
            assert r.deliver == "babs"
            if r.outcome == "ok":  # the whole job: run, then deliver
                assert r.t_get_end <= r.run["t_start"] <= r.run["t_end"] <= r.t_deliver_start <= r.t_deliver_end
                assert [s["step"] for s in r.steps] == ["datalad push", "flock git push"] and r.pushed
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


def test_the_good_release_storage_sibling_and_workarounds_pass_the_whole_job(run):
    _, records, _, _ = run
    for where in (
        {"git_annex": GOOD},
        {"storage_sibling": "on"},
        {"workaround": "prefetch"},
        {"workaround": "retry-backoff"},
        {"workaround": "verifyremote"},
    ):
        verdicts = _verdicts(records, **where)
        assert verdicts and set(verdicts.values()) == {"PASS"}, (where, verdicts)


def _steps(records, max_skew=1.0):
    return step_verdicts([r.asdict() for r in records], records[0].n_clones, max_skew)


def test_the_newest_release_gets_and_breaks_every_delivery(run):
    """Observed from the records, step by step: the newest release's gets pass, its
    deliveries fail of its unverified special remote, and verifyremote restores them."""
    _, records, _, _ = run
    newest = {s: rs for s, rs in records.items() if rs[0].git_annex == NEWEST}
    assert newest
    for scenario, rs in newest.items():
        steps = _steps(rs)
        if rs[0].workaround == "verifyremote":
            assert steps["deliver"][0] == "PASS" and all(r.verify_seconds for r in rs), scenario
        else:
            assert (steps["get"][0], steps["deliver"][0]) == ("PASS", "FAIL"), (scenario, steps)
            assert {r.cause for r in rs} == {"unverified-remote"} and {r.failed_step for r in rs} == {"deliver"}
            assert all("verifyremote" in r.evidence[0] for r in rs)


def test_the_findings_say_per_release_the_get_and_the_delivery_and_which_is_safe(run):
    """The summary's first findings, each read back against the scenario table."""
    workdir, records, summary, _ = run
    rows = scenario_rows(workdir)
    findings = summary.split("## Findings\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    plain = rows[rows["workaround"] == "none"]
    for i, version in enumerate((AFFECTED, GOOD, NEWEST)):
        mine = plain[plain["git_annex"] == version]
        deliver = mine["deliver_verdict"].value_counts()
        assert findings[i].startswith(f"- git_annex={version}: get "), findings
        assert all(f"{v} in {n} of {len(mine)}" in findings[i] for v, n in deliver.items()), findings[i]
    assert f"- git_annex={NEWEST}: get PASS in 3 of 3; deliver FAIL in 3 of 3 (unverified-remote)." in findings
    restored = [f for f in findings if f.startswith(f"- {NEWEST} fixes the get and breaks the delivery")]
    assert restored and "workaround=verifyremote restored it in 1 of 1 scenarios" in restored[0], findings
    safe = [v for v in (AFFECTED, GOOD, NEWEST) if (plain[plain["git_annex"] == v][
        ["get_verdict", "deliver_verdict"]] == "PASS").all(axis=None)]
    assert safe == [GOOD]
    assert "- Safe for the whole job (get PASS, nothing written into shared repositories, delivery PASS): " \
           f"{GOOD}." in findings
    for row in rows.itertuples():  # each step's verdict as the records say
        steps = _steps(records[row.scenario])
        assert (row.get_verdict, row.deliver_verdict) == (steps["get"][0], steps["deliver"][0]), row.scenario
    # the output store of every round holds every result a job reported delivered
    for scenario, rs in records.items():
        verified = (workdir / "results" / "verified-outputs" / scenario / "round-1.json").read_text()
        assert '"lost": {}' in verified, scenario


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
    wanted = scenario_table({**DEFAULT, "storage_sibling": ["on"]})
    assert scenarios == set(wanted.index) and all("_ss-on_" in s for s in scenarios), scenarios


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    """Some of the default matrix's scenarios, strictly one after another: one get
    method, the affected and the newest release, with and without a workaround (a FAIL
    and PASSes, the whole job)."""
    workdir = tmp_path_factory.mktemp("sequential")
    out = snakemake(workdir, "--cores", "2", config=["lanes=1", "method=annex-get",
                                                      "git_annex=[10.20260115, 10.20261026]",
                                                      "workaround=[none, prefetch]"])
    assert out.returncode == 0, out.stderr[-3000:]
    return workdir, *load_run(workdir)


def test_lanes_change_no_verdict(run, sequential):
    _, records, _, _ = run
    _, alone, _, _ = sequential
    assert len({r.lane for rs in records.values() for r in rs}) > 1  # the default runs side by side
    assert {r.lane for rs in alone.values() for r in rs} == {0}
    assert {s: observed_verdict(records[s]) for s in alone} == {s: observed_verdict(rs) for s, rs in alone.items()}


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
