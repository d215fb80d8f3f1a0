"""Decisions read from observed verdicts: the version map, the retry budget, transports."""

from annex_race.report.decisions import (
    retry_statements,
    retry_table,
    retry_window,
    transport_statements,
    transport_table,
    version_statements,
    version_table,
)
from annex_race.core.record import validate
from annex_race.report.table import records_table, scenario_summary
from helpers import make_record


def scenario(outcome="ok", **axes):
    """Two clones of one scenario; with outcome="failed", the second one fails."""
    sid = "_".join(f"{k}-{v}" for k, v in sorted(axes.items()))
    reported = axes.get("git_annex", "10.20260115").replace("system", "10.20230126") + "-gabc"
    return [
        validate({**make_record(scenario=sid, clone=c, outcome=outcome if c else "ok",
                                failures=["transfer already in progress"]),
                  **axes, "git_annex_version": reported,
                  "git_annex_source": "PATH: /usr/bin/git-annex" if axes.get("git_annex") == "system" else "PyPI"})
        for c in (0, 1)
    ]


def summarize(*scenarios):
    return scenario_summary(records_table([r for s in scenarios for r in s]), max_skew=1.0)


def test_the_version_map_names_the_observed_boundary_and_places_system():
    summary = summarize(
        scenario(git_annex="10.20251215", outcome="failed"),
        scenario(git_annex="10.20260115", outcome="failed"),
        scenario(git_annex="10.20260316"),
        scenario(git_annex="10.20261026"),
        scenario(git_annex="system"),
        scenario(git_annex="10.20260316", storage_sibling="on"),  # a configuration without failure
    )
    table = version_table(summary)
    assert list(table["version"]) == ["system", "10.20251215", "10.20260115", "10.20260316", "10.20261026"]
    assert list(table["status"]) == ["fixed", "affected", "affected", "fixed", "fixed"]
    text = "\n".join(version_statements(table))
    assert "Last affected release as observed: 10.20260115 (released 2026-01-15)." in text
    assert "First fixed release as observed: 10.20260316 (released 2026-03-16); no release between them was tried." in text
    assert ("`system` (10.20230126-gabc, PATH: /usr/bin/git-annex) is fixed: 1 PASS; released 2023-01-26 "
            "— before the first affected release tried.") in text


def test_the_retry_budget_names_the_smallest_that_passed():
    assert retry_window(3, 1) == 3 and retry_window(12, 1) == 2047 and retry_window(1, 5) == 0
    summary = summarize(
        scenario(annex_retry=3, annex_retry_delay=1, outcome="failed"),
        scenario(annex_retry=5, annex_retry_delay=1),
        scenario(annex_retry=4, annex_retry_delay=2),
    )
    table = retry_table(summary)
    assert list(table["window_s"]) == [3, 14, 15]
    (line,) = retry_statements(table)
    assert "the smallest budget that passed is annex.retry=4, annex.retrydelay=2 (retrying for 14 s)" in line


def test_retry_budgets_of_copies_that_differ_by_method_are_told_apart():
    summary = summarize(*(scenario(method=m, annex_retry=r, outcome="failed" if r == 3 else "ok")
                          for m in ("annex-get", "datalad-get") for r in (3, 12)))
    table = retry_table(summary)
    assert "method" in table.columns and "git_annex" not in table.columns
    lines = retry_statements(table)
    assert [line.split(" (about")[0] for line in lines] == [
        "- Copies of 8M at 1MiB on local (method=annex-get)", "- Copies of 8M at 1MiB on local (method=datalad-get)"]


def test_transports_compared():
    summary = summarize(
        scenario(transport="local", outcome="failed"), scenario(transport="ssh"),
    )
    (line,) = transport_statements(transport_table(summary))
    assert "fails from a local-path origin and passes over ssh" in line


def test_nothing_to_decide_when_an_axis_did_not_vary():
    summary = summarize(scenario(), scenario(storage_sibling="on"))
    assert version_table(summary).empty and retry_table(summary).empty and transport_table(summary).empty


def test_check_names_the_cheapest_workaround_observed(monkeypatch):
    from annex_race.report.decisions import site_check

    def check_row(outcome="ok", get_s=8.0, **axes):
        axes = {"git_annex": "system", "method": "annex-get", **axes}
        return [validate({**make_record(scenario="_".join(map(str, axes.values())), clone=c, get_s=get_s,
                                        outcome=outcome if c else "ok",
                                        failures=["transfer already in progress, or unable to take transfer lock"]),
                          **axes, "git_annex_version": "10.20260115-gabc", "git_annex_source": "PATH: /x"})
                for c in (0, 1)]

    summary = summarize(check_row(outcome="failed"),
                        check_row(workaround="retry-backoff", get_s=23.0),
                        check_row(storage_sibling="on", get_s=0.5))
    (paragraph,) = site_check(summary)
    assert paragraph.startswith("This site is affected: in local (ext4 → ext4), with git-annex "
                                "10.20260115-gabc (PATH: /x), 1 of 2 concurrent gets of one 8M image")
    assert "The cheapest workaround observed to work here: storage sibling (+0 s, 8 MiB more disk" in paragraph
    assert "Also worked: retry-backoff (+15 s, 0 MiB more disk" in paragraph


def with_writes(summary, written):
    """The summary as scenario_summary makes it with writes: `written` scenarios wrote
    annex.uuid and annex/ into the input store, the others were clean."""
    wrote = "annex.uuid, annex/ in the input RIA store"
    writes = {s: {"verdict": "written" if s in written else "clean", "written": wrote if s in written else ""}
              for s in summary["scenario"]}
    return summary.assign(sources=summary["scenario"].map(lambda s: writes[s]["verdict"]),
                          written=summary["scenario"].map(lambda s: writes[s]["written"]))


def test_the_version_map_names_the_first_clean_release_apart_from_the_first_fixed():
    runs = [scenario(git_annex="10.20260115", outcome="failed"), scenario(git_annex="10.20260213"),
            scenario(git_annex="10.20260316"), scenario(git_annex="10.20260421")]
    summary = summarize(*runs)
    written = {runs[1][0].scenario}  # what a snapshot observed, here given
    table = version_table(with_writes(summary, written))
    assert list(table["sources"]) == ["clean", "written", "clean", "clean"]
    text = "\n".join(version_statements(table))
    assert "First fixed release as observed: 10.20260213" in text
    assert ("10.20260213 fixes the race but its jobs write into shared repositories (annex.uuid, annex/ in the "
            "input RIA store); first release observed clean: 10.20260316 (released 2026-03-16).") in text
    # the same run with nothing written: the first fixed release is the first clean one
    text = "\n".join(version_statements(version_table(with_writes(summary, set()))))
    assert "It wrote nothing unexpected into the repositories the jobs share: first release observed clean: " \
           "10.20260213." in text
    # no release clean
    text = "\n".join(version_statements(version_table(with_writes(summary, {r[0].scenario for r in runs[1:]}))))
    assert "no release tried was observed both fixed and clean" in text


def test_check_names_a_workaround_whose_jobs_write_into_the_stores_last():
    from annex_race.report.decisions import site_check

    def check_row(outcome="ok", **axes):
        axes = {"git_annex": "system", "method": "annex-get", **axes}
        return [validate({**make_record(scenario="_".join(map(str, axes.values())), clone=c, get_s=8.0,
                                        outcome=outcome if c else "ok",
                                        failures=["transfer already in progress, or unable to take transfer lock"]),
                          **axes, "git_annex_version": "10.20260115-gabc", "git_annex_source": "PATH: /x"})
                for c in (0, 1)]

    upgrade = check_row(git_annex="10.20260213")
    summary = summarize(check_row(outcome="failed"), upgrade, check_row(storage_sibling="on"))
    (paragraph,) = site_check(with_writes(summary, {upgrade[0].scenario}))
    assert "The cheapest workaround observed to work here: storage sibling" in paragraph
    assert ("Also worked: git-annex 10.20260213 (+0 s, 0 MiB more disk, installing another git-annex; but its jobs "
            "write into shared repositories: annex.uuid, annex/ in the input RIA store)") in paragraph
