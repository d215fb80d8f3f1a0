"""The output side: every push operation with the affected and a fixed git-annex
(config/delivery.yaml), the check of the output store, the standalone reproducers,
and a push operation on the SLURM test cluster.

Upstream's firm expectations are asserted where the observation agrees; where it
disagrees, what was observed is pinned and docs/questions.md says so."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from annex_race.core.record import read_record
import pandas as pd

from helpers import ROOT, load_run, observed_verdict, scenario_rows, snakemake

DELIVERY = [ROOT / "config" / "delivery.yaml"]
AFFECTED, FIXED = "10.20260115", "10.20261026"
CACHE = Path(os.environ.get("ANNEX_RACE_GIT_ANNEX_CACHE", "~/.cache/annex-race/git-annex")).expanduser()


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("push")
    out = snakemake(workdir, "--cores", "2", configfiles=DELIVERY)
    assert out.returncode == 0, out.stderr[-3000:]
    records, summary, _ = load_run(workdir)
    by_cell = {(rs[0].method, rs[0].git_annex): rs for rs in records.values()}
    return workdir, by_cell, summary


def _seen(records):
    causes = {r.cause for r in records if r.outcome != "ok"}
    return observed_verdict(records), causes


def test_every_operation_and_version_ran_with_steps_and_what_the_remote_said(matrix):
    _, cells, _ = matrix
    assert {m for m, _ in cells} == {"push-branch", "push-branch-flock", "datalad-push", "copy-same-key",
                                     "push-ora", "push-ora-distinct", "push-nonbare"}
    assert {v for _, v in cells} == {AFFECTED, FIXED}
    for records in cells.values():
        assert observed_verdict(records) != "INCONCLUSIVE", records[0].scenario
        for r in records:
            assert r.phase == "push" and r.pushed and r.steps, r.scenario
            assert all(s["t_end"] >= s["t_start"] for s in r.steps)
            assert any(s["remote_said"] for s in r.steps), r.steps
            if r.outcome != "ok":
                assert r.evidence and r.evidence[0] in Path(r.log).read_text(errors="replace")


def test_firm_expectations_that_hold(matrix):
    _, cells, _ = matrix
    for version in (AFFECTED, FIXED):  # by design, on the sending side, in both
        assert _seen(cells["copy-same-key", version]) == ("FAIL", {"transfer-lock"})
    assert _seen(cells["push-ora", AFFECTED]) == ("PASS", set())
    assert _seen(cells["push-ora-distinct", AFFECTED]) == ("PASS", set())
    assert _seen(cells["push-branch-flock", AFFECTED]) == ("PASS", set())
    verdict, causes = _seen(cells["datalad-push", AFFECTED])  # the git-annex branch
    assert verdict == "FAIL" and causes <= {"rejected", "ref-lock"}, causes


def test_what_disagrees_with_upstream_is_pinned_as_observed(matrix):
    _, cells, summary = matrix
    # 10.20261026's verifyremote: a clone's autoenabled storage sibling takes nothing,
    # and its pre-push check refuses even a plain `git push` (docs/questions.md)
    for method in ("push-ora", "push-ora-distinct", "push-branch", "push-branch-flock", "datalad-push"):
        assert _seen(cells[method, FIXED]) == ("FAIL", {"unverified-remote"}), method
    # no hang into a non-bare origin here, and unique branches need no flock
    for version in (AFFECTED, FIXED):
        assert _seen(cells["push-nonbare", version]) == ("PASS", set())
    assert _seen(cells["push-branch", AFFECTED]) == ("PASS", set())
    section = summary.split("## The output side", 1)[1].split("\n## ", 1)[0]
    assert "`push-ora` with git-annex 10.20261026 (local): observed FAIL (unverified-remote)" in section


def test_conformance_table_and_figure(matrix):
    workdir, cells, summary = matrix
    table = pd.read_csv(workdir / "results" / "conformance.tsv", sep="\t", dtype=str, keep_default_na=False)
    assert len(table) == len(cells)
    for row in table.itertuples():
        assert row.verdict == observed_verdict(cells[row.operation, str(row.git_annex)])
    assert {(r.operation, r.agrees) for r in table.itertuples()} >= {("copy-same-key", "yes"), ("push-ora", "no")}
    section = summary.split("## The output side: push operations beside upstream", 1)[1].split("\n## ", 1)[0]
    assert all(f"| {r.operation} | {r.git_annex} |" in section for r in table.itertuples())  # rendered
    assert (workdir / "results" / "conformance.png").stat().st_size > 10_000


def test_the_output_repository_is_verified_after_every_round(matrix):
    workdir, cells, _ = matrix
    for (method, version), records in cells.items():
        rounds = sorted((workdir / "results" / "verified-outputs" / records[0].scenario).glob("round-*.json"))
        verified = json.loads(rounds[-1].read_text())
        assert verified["lost"] == {} and verified["verified"], (method, version, verified)
        if observed_verdict(records) == "PASS" and method != "push-branch":
            assert any("verifies" in c or " at " in c for c in verified["verified"])


def _reproducer(bug_report, method):
    block = bug_report.split(f"### `{method}`", 1)[1]
    return re.search(r"```bash\n(.*?)\n```", block, re.S).group(1)


def _run_reproducer(script, version, tmp_path):
    path = tmp_path / "repro.sh"
    path.write_text(script)
    env = {"PATH": f"{CACHE / version / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    return subprocess.run(["bash", str(path)], env=env, capture_output=True, text=True, timeout=300)


def test_a_standalone_reproducer_reproduces_with_the_failing_version_only(matrix, tmp_path):
    workdir, _, _ = matrix
    report = (workdir / "results" / "bug-report.md").read_text()
    script = _reproducer(report, "push-ora-distinct")
    assert "snakemake" not in script.lower()
    failing = _run_reproducer(script, FIXED, tmp_path)
    assert failing.returncode == 1 and "reproduced" in failing.stdout, failing.stdout + failing.stderr
    assert "not verified" in failing.stdout
    passing = _run_reproducer(script, AFFECTED, tmp_path)
    assert passing.returncode == 0 and "not reproduced" in passing.stdout, passing.stdout + passing.stderr
    same_key = _run_reproducer(_reproducer(report, "copy-same-key"), AFFECTED, tmp_path)
    assert same_key.returncode == 1 and "transfer lock" in same_key.stdout, same_key.stdout


def test_a_result_lost_behind_the_scenarios_back_is_a_fail(tmp_path):
    config = ["method=push-branch", f"git_annex={AFFECTED}", "n_clones=2"]
    out = snakemake(tmp_path, "--cores", "2", "--until", "run_clone_job", configfiles=DELIVERY, config=config)
    assert out.returncode == 0, out.stderr[-3000:]
    record = read_record(next((tmp_path / "results" / "records").glob("*/clone-1.json")))
    assert record.outcome == "ok"
    subprocess.run(["git", "-C", record.origin, "branch", "-D", record.pushed["branch"]], check=True)
    out = snakemake(tmp_path, "--cores", "2", configfiles=DELIVERY, config=config)
    assert out.returncode == 0, out.stderr[-3000:]
    _, summary, _ = load_run(tmp_path)
    (row,) = scenario_rows(tmp_path).itertuples()
    assert (row.verdict, row.cause) == ("FAIL", "lost-result"), row
    lost = f"{record.pushed['branch']} at {record.pushed['commit'][:12]}, the output repository has no such branch"
    assert lost in row.output and lost in summary
