"""From reproduction to decision, observed: the version map, the retry budget and
`snakemake check` ("is my site affected?")."""

import os
import sys
from pathlib import Path

from annex_race.runs import ROOT
from annex_race.versions import installed
from helpers import load_run, observed_verdict, snakemake, summary_rows

TEST_CONFIG = [ROOT / ".test" / "config" / "config.yaml"]
AFFECTED = "10.20260115"
SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]


def test_a_version_range_across_the_fix_gives_the_observed_boundary(tmp_path):
    """Four releases none of which the default configuration uses: two before the fix,
    two after it."""
    ranges = "git_annex=[10.20251114..10.20251215, 10.20260213..10.20260316]"
    out = snakemake(tmp_path, "--cores", "2", configfiles=TEST_CONFIG, config=["storage_sibling=off", ranges])
    assert out.returncode == 0, out.stderr[-3000:]
    records, summary, _ = load_run(tmp_path)
    assert sorted(rs[0].git_annex for rs in records.values()) == [
        "10.20251114", "10.20251215", "10.20260213", "10.20260316"]
    verdicts = {rs[0].git_annex: observed_verdict(rs) for rs in records.values()}
    section = summary.split("## git-annex versions", 1)[1].split("\n## ", 1)[0]
    rows = {r["version"]: r for r in summary_rows(summary, "git-annex versions")}
    assert {v: r["status"] for v, r in rows.items()} == {
        v: {"FAIL": "affected", "PASS": "fixed"}[verdict] for v, verdict in verdicts.items()}
    affected = sorted(v for v, verdict in verdicts.items() if verdict == "FAIL")
    fixed = sorted(v for v, verdict in verdicts.items() if verdict == "PASS")
    assert affected and fixed, verdicts  # the range spans the fix
    assert f"Last affected release as observed: {affected[-1]}" in section
    assert f"First fixed release as observed: {fixed[0]}" in section
    png = tmp_path / "results" / "versions.png"
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 10_000


def test_a_retry_budget_sweep_names_the_smallest_budget_that_passed(tmp_path):
    out = snakemake(tmp_path, "--cores", "2", configfiles=TEST_CONFIG,
                    config=["storage_sibling=off", "annex_retry=[2, 5]", "annex_retry_delay=[1, 2]"])
    assert out.returncode == 0, out.stderr[-3000:]
    records, summary, _ = load_run(tmp_path)
    assert len(records) == 4
    section = summary.split("## Retry budget", 1)[1].split("\n## ", 1)[0]
    rows = summary_rows(summary, "Retry budget")
    assert [float(r["window_s"]) for r in rows] == [1.0, 2.0, 15.0, 30.0]
    passed = [r for r in rows if r["verdict"] == "PASS"]
    if passed:  # whichever passed, the smallest of them is named
        best = passed[0]
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
