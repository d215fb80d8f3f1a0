"""From reproduction to decision, observed: the version map, the retry budget and
`snakemake check` ("is my site affected?")."""

import json
import os
import sys
from pathlib import Path

from PIL import Image

from annex_race.core import layout
from annex_race.core.record import step_verdicts
from annex_race.driver.cli import read_run
from annex_race.observe import snapshot
from annex_race.driver.cli import ROOT
from annex_race.core.versions import installed
from annex_race.report.decisions import retry_table, version_table
from helpers import load_run, observed_verdict, scenario_rows, snakemake

TEST_CONFIG = [ROOT / ".test" / "config" / "config.yaml"]
AFFECTED = "10.20260115"
SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]


def origin_uuids(workdir, scenario):
    """What each clone found its origin (the input store) to have as annex uuid right
    after its clone, from its own log: the jobs' view, independent of the snapshots."""
    logs = sorted(Path(workdir, "results", "logs", "run_clone_job", scenario).glob("clone-*.log"))
    return snapshot.seen_uuids(dict(enumerate(logs)))


def store_state(workdir):
    """Every input store dataset's config and whether it has an annex/ directory."""
    stores = Path(workdir, "results", "work", "source").glob("lane-*/ria/*/*/*/config")
    return {str(c.parent): ("annex.uuid" in c.read_text(), (c.parent / "annex").exists())
            for c in stores if not c.parent.parent.name == "alias"}


def test_a_version_range_names_the_first_fixed_and_the_first_clean_release(tmp_path):
    """Four releases across the fix of the race and across the release whose clones
    initialise the input store: what each did is observed twice, by the snapshots of
    the store and by the clones' own logs, and the summary and the version figure
    name both boundaries."""
    out = snakemake(tmp_path, "--cores", "2", configfiles=TEST_CONFIG,
                    config=["storage_sibling=off", "git_annex=[10.20260115..10.20260421]"])
    assert out.returncode == 0, out.stderr[-3000:]
    records, summary, _ = load_run(tmp_path)
    assert sorted(rs[0].git_annex for rs in records.values()) == [
        "10.20260115", "10.20260213", "10.20260316", "10.20260421"]
    verdicts = {rs[0].git_annex: observed_verdict(rs) for rs in records.values()}
    # a clone that found an annex uuid on its origin: the store was initialised
    # during the round (the export leaves it without one)
    wrote = {rs[0].git_annex: any(origin_uuids(tmp_path, s).values()) for s, rs in records.items()}
    rows = {r.version: r for r in version_table(scenario_rows(tmp_path)).itertuples()}
    assert {v: r.status for v, r in rows.items()} == {
        v: {"FAIL": "affected", "PASS": "fixed"}[verdict] for v, verdict in verdicts.items()}
    assert {v: r.sources for v, r in rows.items()} == {v: "written" if w else "clean" for v, w in wrote.items()}
    affected = sorted(v for v, verdict in verdicts.items() if verdict == "FAIL")
    fixed = sorted(v for v, verdict in verdicts.items() if verdict == "PASS")
    assert affected and fixed, verdicts  # the range spans the fix
    clean = [v for v in fixed if not wrote[v]]
    assert any(wrote.values()) and clean, wrote  # and a release that writes into the store
    section = summary.split("## git-annex versions", 1)[1].split("\n## ", 1)[0]
    assert f"Last affected release as observed: {affected[-1]}" in section
    assert f"First fixed release as observed: {fixed[0]}" in section
    boundary = (f"{fixed[0]} fixes the race but its jobs write into shared repositories"
                if wrote[fixed[0]] else "It wrote nothing unexpected")
    assert boundary in section and f"first release observed clean: {clean[0]}" in section
    # every written scenario: PASS or FAIL beside it, the differences in Sources
    sources = summary.split("\n## Sources\n", 1)[1]
    for scenario, rs in records.items():
        if wrote[rs[0].git_annex]:
            entry = sources.split(f"`{scenario}`: **written**", 1)[1].split("\n- `", 1)[0]
            assert "annex.uuid created" in entry and "annex/ created" in entry, entry
            assert "initialised" in entry and "put back after the round" in entry
        else:
            assert f"`{scenario}`: **written**" not in sources
    # every input store is left as it was: no annex.uuid, no annex/
    assert store_state(tmp_path) and not any(any(s) for s in store_state(tmp_path).values())
    png = tmp_path / "results" / "versions.png"
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 10_000
    description = Image.open(png).text["Description"]
    assert f"First fixed release as observed: {fixed[0]}" in description
    assert f"first release observed clean: {clean[0]}" in description


def test_the_init_operation_maps_the_write_without_a_get_around_it(tmp_path):
    """`method=annex-init`: each job clones the input store and runs `git annex init`
    only. In one lane the releases share one store: what one release's jobs wrote is
    put back before the next one's round, which sees the store as it was made."""
    out = snakemake(tmp_path, "--cores", "2", configfiles=TEST_CONFIG,
                    config=["storage_sibling=off", "method=annex-init", "lanes=1",
                            "git_annex=[10.20260213, 10.20260316, 10.20260115]"])
    assert out.returncode == 0, out.stderr[-3000:]
    records, summary, _ = load_run(tmp_path)
    assert len(records) == 3 and all(r.t_get_start and r.outcome == "ok" for rs in records.values() for r in rs)
    writes = {rs[0].git_annex: json.loads(Path(tmp_path, layout.WRITES.format(scenario=s, round=1)).read_text())
              for s, rs in records.items()}
    befores = {rs[0].git_annex: json.loads(Path(tmp_path, layout.SNAPSHOT.format(scenario=s, round=1)).read_text())
               for s, rs in records.items()}
    for version, w in writes.items():
        scenario = next(s for s, rs in records.items() if rs[0].git_annex == version)
        saw = any(origin_uuids(tmp_path, scenario).values())
        unexpected = {c["kind"] for c in w["changes"] if c["class"] != "expected"}
        # a clone that saw the store's annex uuid: the store was initialised, and written
        assert not saw or w["verdict"] == "written", (version, w["written"])
        # written without a uuid any clone saw: an initialisation that did not finish
        # (seen with 10.20260213 under two inits at once: annex/ made, no annex.uuid)
        assert saw or w["verdict"] == "clean" or unexpected <= {"annex created", "annex state"}, w["changes"]
        # each round starts from the store as it was made: no annex.uuid in any before
        stores = {k: v for k, v in befores[version]["snapshot"].items() if k.startswith("input RIA store")}
        assert stores and not any("annex.uuid" in v.get("config", {}) for v in stores.values())
        assert w["left"] == []
    assert any(w["verdict"] == "written" for w in writes.values())
    assert any(w["verdict"] == "clean" for w in writes.values())
    assert not any(any(s) for s in store_state(tmp_path).values())


def test_a_retry_budget_sweep_names_the_smallest_budget_that_passed(tmp_path):
    out = snakemake(tmp_path, "--cores", "2", configfiles=TEST_CONFIG,
                    config=["storage_sibling=off", "annex_retry=[2, 5]", "annex_retry_delay=[1, 2]"])
    assert out.returncode == 0, out.stderr[-3000:]
    records, summary, _ = load_run(tmp_path)
    assert len(records) == 4
    section = summary.split("## Retry budget", 1)[1].split("\n## ", 1)[0]
    rows = retry_table(scenario_rows(tmp_path))
    assert list(rows["window_s"]) == [1.0, 2.0, 15.0, 30.0]
    assert all(f"| {r.window_s:.0f} | {r.verdict} |" in section for r in rows.itertuples())  # rendered
    passed = rows[rows["verdict"] == "PASS"]
    if len(passed):  # whichever passed, the smallest of them is named
        best = passed.iloc[0]
        assert (f"annex.retry={best['annex_retry']}, annex.retrydelay={float(best['annex_retry_delay']):g}"
                in section)
    else:
        assert "no retry budget tried rode out the race" in section
    for rs in records.values():  # every attempt's start is recorded, the backoff visible
        loser = [r for r in rs if r.attempts and any(e["event"] == "retry" for e in r.attempts)]
        for r in loser:
            gaps = [b - a for a, b in zip(r.attempt_starts, r.attempt_starts[1:])]
            assert all(g2 > g1 for g1, g2 in zip(gaps, gaps[1:])), gaps  # doubling delays


def test_check_says_whether_this_site_is_affected(tmp_path):
    """`snakemake check` with the site's git-annex: Debian's on PATH where it is
    installed (it predates the affected releases: what it does is observed), else an
    affected release named as the site's by its path."""
    if Path("/usr/bin/git-annex").exists():
        config, site = [], "git-annex 10.20230126 (PATH: /usr/bin/git-annex)"
    else:
        cache = Path("~/.cache/annex-race/git-annex").expanduser()
        if not installed(cache, AFFECTED):
            assert snakemake(tmp_path, "--cores", "2", f"results/git-annex/{AFFECTED}.json").returncode == 0
        config = [f"git_annex_system={installed(cache, AFFECTED)['bin']}/git-annex"]
        site = f"git-annex {AFFECTED}"
    # PATH as a login shell has it, this checkout's environment first: another virtual
    # environment's git-annex ahead of Debian's would rightly be the site's
    clean = os.pathsep.join([str(Path(sys.executable).parent), *SYSTEM_PATH])
    out = snakemake(tmp_path, "--cores", "2", "check", config=config, env={**os.environ, "PATH": clean})
    assert out.returncode == 0, out.stderr[-3000:]
    paragraph = (tmp_path / "results" / "check.md").read_text().split("\n\n")[1]
    assert paragraph in out.stdout + out.stderr  # printed, too
    assert site in paragraph
    assert paragraph.startswith(("This site is affected", "This site is not affected", "Not decided"))
    if paragraph.startswith("This site is affected"):
        assert "The cheapest workaround observed to work here:" in paragraph
    # the whole job: each step's verdict, as its records say
    (base,) = [rs for rs in read_run(tmp_path).values() if (rs[0].git_annex, rs[0].storage_sibling,
                                                             rs[0].workaround) == ("system", "off", "none")]
    steps = step_verdicts([r.asdict() for r in base], base[0].n_clones, 1.0)
    assert f"The whole job (get, run, deliver as babs) with {site}" in paragraph
    whole = paragraph.split("The whole job", 1)[1].split(". ", 1)[0]
    assert f"get: {steps['get'][0]}" in whole and f"deliver: {steps.get('deliver', ('not reached',))[0]}" in whole
    assert f"job: {steps['job'][0]}." in paragraph
