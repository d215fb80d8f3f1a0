import json

import pandas as pd
import pytest

from annex_race.core.record import FAIL, INCONCLUSIVE, PASS, validate
from annex_race.report.figures import plot_timeline
from annex_race.report.summary import markdown_table, summary_markdown
from annex_race.report.table import SUMMARY_COLUMNS, records_table, scenario_summary
from helpers import RELEASE, make_record as record


def rendered_rows(summary_md, section="Results summary"):
    """The rows of the first table under "## `section`" of a rendered summary."""
    text = summary_md.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    return [dict(zip(header, (c.strip() for c in line.strip("|").split("|")))) for line in rows[1:]]


def summarize(records, max_skew=1.0, max_rounds=None, notes=None):
    table = records_table([validate(r) for r in records])
    return table, scenario_summary(table, max_skew=max_skew, max_rounds=max_rounds, notes=notes).set_index("scenario")


def test_summary_has_its_declared_columns():
    _, summary = summarize([record(clone=0), record(clone=1)])
    assert tuple(summary.reset_index().columns) == SUMMARY_COLUMNS


def test_all_clones_ok_is_pass():
    _, summary = summarize([record(clone=0), record(clone=1, start=RELEASE + 0.002)])
    assert summary.loc["s1", "verdict"] == PASS
    assert summary.loc["s1", "skew_ms"] == pytest.approx(2.0)
    assert summary.loc["s1", "median_get_s"] == pytest.approx(2.0)


def test_one_failed_clone_is_fail_with_count_and_first_message():
    msg = "transfer already in progress, or unable to take transfer lock"
    _, summary = summarize([record(clone=0), record(clone=1, outcome="failed", failures=[msg, "x"])])
    assert summary.loc["s1", "verdict"] == FAIL
    assert summary.loc["s1", "detail"] == "1 of 2 failed"
    assert summary.loc["s1", "first_failure"] == msg


@pytest.mark.parametrize(
    "records, why",
    [
        ([record(clone=0)], "records missing"),
        ([record(clone=0), record(clone=1, barrier="timeout")], "barrier timeout"),
        ([record(clone=0), record(clone=1, start=RELEASE + 5)], "5.00 s apart"),
    ],
)
def test_a_scenario_that_was_not_concurrent_is_never_pass(records, why):
    _, summary = summarize(records)
    assert summary.loc["s1", "verdict"] == INCONCLUSIVE
    assert why in summary.loc["s1", "detail"]


def test_failure_while_not_concurrent_is_inconclusive_not_fail():
    _, summary = summarize([record(clone=0, outcome="failed"), record(clone=1, barrier="timeout")])
    assert summary.loc["s1", "verdict"] == INCONCLUSIVE


def test_table_keeps_lists_as_json_and_derives_durations():
    table, _ = summarize([record(clone=1), record(clone=0)])
    assert list(table["clone"]) == [0, 1]
    assert json.loads(table.loc[0, "attempts"])[0]["t"] == RELEASE + 0.1
    assert table.loc[0, "transfers"] == 1
    assert table.loc[0, "clone_s"] == pytest.approx(2.0)


def test_summary_markdown_has_one_row_per_scenario():
    records = [record(scenario=s, clone=c) for s in ("a", "b", "c") for c in (0, 1)]
    _, summary = summarize(records)
    text = summary_markdown(summary.reset_index())
    assert [row["result"] for row in rendered_rows(text)] == ["PASS"] * 3
    assert "Every scenario: location=local, clone_from=ria, transport=local, storage_sibling=off" in text
    assert "3 PASS, 0 FAIL, 0 INCONCLUSIVE" in text


def test_timeline_draws_a_png(tmp_path):
    records = [
        record(scenario=f"s{i}", clone=c, outcome="failed" if c else "ok",
               attempts=[{"t": RELEASE, "event": "transfer"}, {"t": RELEASE + 1, "event": "failed"},
                         {"t": RELEASE + 1, "event": "retry", "delay": 1.0}])
        for i in range(25)
        for c in (0, 1)
    ]
    table, summary = summarize(records)
    path = tmp_path / "t.png"
    plot_timeline(table, path, summary.reset_index())
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 20_000


def _scenario(sid, ss, ga, wa, outcome, get_s=8.0):
    return [
        record(scenario=sid, clone=c, outcome=outcome if c else "ok", get_s=get_s,
               failures=["transfer already in progress, or unable to take transfer lock"])
        | {"storage_sibling": ss, "git_annex": ga, "workaround": wa}
        for c in (0, 1)
    ]


def test_findings_name_the_necessary_conditions_and_what_fixed_it():
    records = (
        _scenario("a", "off", "old", "none", "failed")
        + _scenario("b", "on", "old", "none", "ok", get_s=1.0)
        + _scenario("c", "off", "new", "none", "ok")
        + _scenario("d", "off", "old", "prefetch", "ok", get_s=0.5)
        + _scenario("e", "on", "new", "none", "ok")
    )
    _, summary = summarize(records)
    text = summary_markdown(summary.reset_index())
    assert "1 of 5 scenarios FAIL, all with storage_sibling=off, git_annex=old, workaround=none" in text
    assert "causes seen: transfer-lock" in text
    assert "Every scenario with another git_annex (new) PASSES." in text
    assert "workaround=prefetch turned FAIL into PASS in 1 of 1 scenarios; slowest get 0.5 s" in text
    assert "storage_sibling=on turned FAIL into PASS in 1 of 1 scenarios" in text
    assert "git_annex=new turned FAIL into PASS in 1 of 1 scenarios" in text
    assert "- `a`: transfer-lock: transfer already in progress" in text


def test_findings_compare_a_fix_with_the_failing_runs_winner():
    records = (
        _scenario("a", "off", "old", "none", "failed", get_s=4.0)
        + _scenario("b", "on", "old", "none", "ok", get_s=6.0)
    )
    _, summary = summarize(records)
    text = summary_markdown(summary.reset_index())
    assert "storage_sibling=on turned FAIL into PASS in 1 of 1 scenarios; slowest get 6.0 s, " \
           "1.50× the failing run's winner (4.0 s)" in text
    assert "- On local (ext4 → ext4) the content arrived by copy in 2 of 2 scenarios." in text
    # the winner's copy against the losers' retries (annex.retry=3, delay 1: 1 + 2 s)
    assert "  - Where a get failed of the transfer lock, the winner copied for 4.0 s; the losers " \
           "retried for 3 s (annex.retry=3, annex.retrydelay=1)." in text


def test_retry_backoff_is_a_remedy_although_it_sets_the_retry_budget():
    """The workaround's scenario differs from the failing one in its retry axes too
    (scenarios.express_workarounds): it still counts as that one change."""
    backoff = [r | {"annex_retry": 12} for r in _scenario("b", "off", "old", "retry-backoff", "ok", get_s=20.0)]
    _, summary = summarize(_scenario("a", "off", "old", "none", "failed") + backoff)
    text = summary_markdown(summary.reset_index())
    assert "workaround=retry-backoff turned FAIL into PASS in 1 of 1 scenarios; slowest get 20.0 s" in text


def test_an_axis_that_decides_where_the_failure_can_show_is_named():
    """A small image copies before the retries give up: its scenario passes where the
    larger ones fail, and the findings say that the size decides."""
    records = []
    for sid, size, outcome in (("a", "16M", "failed"), ("b", "2M", "ok"), ("c", "4M", "failed")):
        records += [r | {"image_size": size} for r in _scenario(sid, "off", "old", "none", outcome)]
    records += _scenario("d", "on", "old", "none", "ok")
    _, summary = summarize(records)
    text = summary_markdown(summary.reset_index())
    assert ("Where it can fail (storage_sibling=off), image_size decides: "
            "2M: 0 of 1 FAIL, 4M: 1 of 1 FAIL, 16M: 1 of 1 FAIL.") in text


def test_the_seed_table_stands_beside_the_observations_and_says_where_they_disagree():
    records = _scenario("a", "off", "old", "none", "failed") + _scenario("b", "on", "old", "none", "ok")
    notes = {"a": {"test": "RIA, no sibling", "seed_location": "cluster", "seed_says": "FAIL"},
             "b": {"test": "RIA + sibling", "seed_location": "cluster", "seed_says": "FAIL"}}
    _, summary = summarize(records, notes=notes)
    text = summary_markdown(summary.reset_index())
    assert "| Test | Location | seed says | observed | cause | how the content arrived |" in text
    assert "| RIA, no sibling | cluster (local) | FAIL | **FAIL** (1 of 2 failed) | transfer-lock | copy |" in text
    assert "- **RIA + sibling** (cluster (local)): the seed says FAIL, observed PASS." in text
    assert "agrees with the seed" not in text


def test_two_stand_ins_for_one_seed_location_are_compared_row_by_row():
    """The slowfs lab and the cluster in a box both stand in for the seed's cluster."""
    records = (_scenario("a", "off", "old", "none", "failed") + _scenario("b", "on", "old", "none", "ok")
               + [r | {"location": "box"} for r in _scenario("c", "off", "old", "none", "ok")]
               + [r | {"location": "box"} for r in _scenario("d", "on", "old", "none", "ok")])
    notes = {s: {"test": t, "seed_location": "cluster", "seed_says": v}
             for s, t, v in (("a", "no sibling", "FAIL"), ("b", "sibling", "PASS"),
                             ("c", "no sibling", "FAIL"), ("d", "sibling", "PASS"))}
    text = summary_markdown(summarize(records, notes=notes)[1].reset_index())
    assert "- The cluster rows on local, box: no sibling: FAIL on local, PASS on box." in text
    records[4:6] = _scenario("c", "off", "old", "none", "failed")
    for r in records[4:6]:
        r["location"] = "box"
    text = summary_markdown(summarize(records, notes=notes)[1].reset_index())
    assert "- The cluster rows on local, box: the same verdict in every row." in text


def test_markdown_tables_print_settings_as_given_and_measurements_to_the_hundredth():
    frame = pd.DataFrame({"annex_retry_delay": [1.0, 2.0], "get_s": [8.304, None], "cause": ["a|b", ""]})
    assert markdown_table(frame).splitlines()[2:] == ["| 1 | 8.30 | a\\|b |", "| 2 |  |  |"]


@pytest.mark.parametrize("cause", ["killed", "cancelled", "requeued", "timeout", "lost"])
def test_a_failure_from_outside_git_annex_never_makes_a_fail(cause):
    """git-annex killed inside a clone job (the OOM killer on a node) says nothing about
    its concurrency: the summary says which clone, what happened, that a rerun tries again."""
    failed = record(clone=1, outcome="failed", failures=["signal 9"]) | {"cause": cause, "evidence": ["signal 9"]}
    _, summary = summarize([record(clone=0), failed])
    assert summary.loc["s1", "verdict"] == INCONCLUSIVE
    assert summary.loc["s1", "detail"] == f"clone 1: {cause} (signal 9); a rerun tries again"
    _, summary = summarize([record(clone=0), failed], max_rounds=1)
    assert summary.loc["s1", "detail"].endswith("after 1 rounds (max_rounds) it is not rerun")


def test_what_the_jobs_wrote_is_a_verdict_a_finding_and_listed_in_sources(tmp_path):
    """A written scenario keeps its PASS; its Sources verdict, the finding and every
    difference (with what was put back) come from its writes file."""
    from annex_race.observe import snapshot
    from annex_race.report.findings import findings
    from annex_race.report.summary import sources_section

    records = [{**record(scenario=s, clone=c), "git_annex": v}
               for s, v in (("a", "10.20260213"), ("b", "10.20260316")) for c in (0, 1)]
    name = "input RIA store: b6a/d223f"
    before = {name: {"path": "/s", "refs": {}, "config": {}, "annex": None, "objects": {}, "config_text": ""}}
    after = {name: {**before[name], "config": {"annex.uuid": ["u" * 36]}, "annex": {"index": 1}}}
    changes = snapshot.compare(before, after)
    writes = {"a": {"verdict": snapshot.sources_verdict(changes), "changes": [c.asdict() for c in changes],
                    "written": snapshot.summarize(changes), "initialisations": ["initialised once"],
                    "restored": [f"{name}: config put back"], "left": []},
              "b": {"verdict": "clean", "changes": [], "written": "", "initialisations": [], "restored": [],
                    "left": []}}
    table = records_table([validate(r) for r in records])
    summary = scenario_summary(table, max_skew=1.0, writes=writes)
    assert list(summary["verdict"]) == [PASS, PASS] and list(summary["sources"]) == ["written", "clean"]
    assert summary["written"].iloc[0] == "annex.uuid, annex/ in the input RIA store"
    (line,) = [f for f in findings(summary) if "wrote" in f]
    assert line.startswith("- The jobs of 1 of 2 scenarios wrote into a shared repository they read from "
                           "(annex.uuid, annex/ in the input RIA store), all with git_annex=10.20260213")
    text = "\n".join(sources_section([], writes))
    assert "- `a`: **written**" in text and "annex.uuid created" in text and "annex/ created" in text
    assert "put back after the round: input RIA store: b6a/d223f: config put back." in text
    assert "`b`" not in text


def test_the_tables_read_back_as_written(tmp_path):
    """scenarios.tsv and results.tsv are what the findings, figures and pages read:
    every column back in its field's type, text empty as "" and numbers as NaN."""
    from annex_race.report.table import read_results, read_scenarios, write

    records = _scenario("a", "off", "old", "none", "failed") + _scenario("b", "on", "old", "none", "ok")
    table, summary = summarize(records, notes={"a": {"seed_says": "FAIL", "test": "t", "seed_location": "x"}})
    summary = summary.reset_index()
    write(table, tmp_path / "results.tsv")
    write(summary, tmp_path / "scenarios.tsv")
    back = read_scenarios(tmp_path / "scenarios.tsv")
    pd.testing.assert_frame_equal(back, summary, check_dtype=False)
    assert back["cause"].tolist() == ["transfer-lock", ""] and back["n_clones"].dtype.kind == "i"
    assert back.loc[1, "seed_says"] == "" and pd.isna(back.loc[1, "prefetch_s"])
    results = read_results(tmp_path / "results.tsv")
    assert results["cause"].isna().tolist() == table["cause"].isna().tolist()
    assert results["reconstructed"].tolist() == [False] * 4 and results["delivered"].isna().all()
    assert summary_markdown(back) == summary_markdown(summary)


def test_a_scheduled_start_counts_the_gets_that_overlapped_and_is_never_inconclusive_for_skew():
    # three gets 10 s apart, of 4 s each: none overlaps; the fourth starts inside the
    # third's, so both overlapped, and the third failed (its git-annex took the lock later)
    starts = [RELEASE, RELEASE + 10, RELEASE + 20, RELEASE + 22]
    records = [{**record(clone=i, start=s, get_s=4.0, n=4,
                         outcome="failed" if i == 2 else "ok",
                         failures=["transfer already in progress, or unable to take transfer lock"] if i == 2 else ()),
                "start": "scheduled", "barrier": "scheduled", "t_barrier_release": s}
               for i, s in enumerate(starts)]
    table, summary = summarize(records)
    row = summary.iloc[0]
    assert row.verdict == FAIL and row.detail == "1 of 4 failed; 2 of 4 gets overlapped another's"
    assert (row.overlapped, row.failed_overlapped) == (2, 1)
    assert list(table["overlapped"]) == [False, False, True, True]


def test_hundreds_of_gets_that_all_raced_are_concurrent_however_long_they_took_to_start():
    # at a barrier, 100 gets started over 3 s (2 cores), each while the first one's ran
    records = [record(clone=i, start=RELEASE + 0.03 * i, get_s=20.0, n=100) for i in range(100)]
    assert summarize(records)[1].iloc[0].verdict == PASS
    # the same skew with gets that did not overlap says nothing about concurrency
    records = [record(clone=i, start=RELEASE + 3 * i, get_s=1.0, n=2) for i in range(2)]
    assert summarize(records)[1].iloc[0].verdict == INCONCLUSIVE


def test_many_tasks_say_how_failures_grow_with_n_and_what_the_retry_window_covers():
    records = []
    for n in (2, 8):
        records += [{**record(scenario=f"n{n}", clone=i, start=RELEASE + 0.01 * i, get_s=2.0 * (i + 1), n=n,
                              outcome="ok" if i == 0 else "failed",
                              failures=() if i == 0 else ["transfer already in progress, or unable to take transfer lock"])}
                    for i in range(n)]
    _, summary = summarize(records)
    text = summary_markdown(summary.reset_index())
    many = text.split("\n## Many tasks\n", 1)[1].split("\n## ", 1)[0]
    assert "failed 1 of 2, 7 of 8" in many
    assert "wait for 7 copies of ~2.0 s (~14 s); annex.retry=3 with annex.retrydelay=1 retries for" in many
