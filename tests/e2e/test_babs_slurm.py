"""The seed's own system: the real BABS (PyPI) on the test SLURM cluster, beside the
workflow's own imitation of it, in one run.

Four array tasks per BABS scenario; the affected git-annex and the newest release
(the retry-backoff workaround on BABS is a documented run: docs/questions.md). Every
verdict is observed: each task's record is read from BABS's own log, and what reached
the output RIA is checked here again by cloning it.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from helpers import ROOT, assert_sources_unharmed, load_run, observed_verdict, scenario_rows, slurm_ready, snakemake

BABS_ENV = ROOT / ".venv-babs"
PROFILE = ["--profile", str(ROOT / "profiles" / "slurm-test")]
AFFECTED, NEWEST = "10.20260115", "10.20261026"
CONFIG = [
    "method=[babs, datalad-get]", f"git_annex=[{AFFECTED}, {NEWEST}]", "workaround=none",
    "storage_sibling=[off]", "n_clones=4", f"babs_env={BABS_ENV}",
    # one lane: the scenarios one after another, as BABS's tasks reach their gets only
    # after their clones, which a loaded machine spreads out (the other tests run beside
    # these): a skew of 2 s still starts every get within the first copy's 8 s
    "lanes=1", "max_skew=2",
]
MAX_SKEW = 2


def _ready():
    if not (BABS_ENV / "bin" / "babs").exists():
        return "no BABS environment (bash tools/setup.sh --babs)"
    return slurm_ready()


pytestmark = pytest.mark.skipif(bool(_ready()), reason=_ready() or "")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("babs")
    result = snakemake(workdir, *PROFILE, config=CONFIG)
    assert result.returncode == 0, result.stderr[-3000:]
    records, summary, _ = load_run(workdir)
    for _ in range(2):  # as a user would: a rerun gives an INCONCLUSIVE scenario its next round
        if not any(observed_verdict(rs, MAX_SKEW) == "INCONCLUSIVE" for rs in records.values()):
            break
        result = snakemake(workdir, *PROFILE, config=CONFIG)
        assert result.returncode == 0, result.stderr[-3000:]
        records, summary, _ = load_run(workdir)
    assert_sources_unharmed(summary)
    return {"workdir": workdir, "records": records, "summary": summary}


def scenario(run, method, git_annex, workaround="none"):
    (rs,) = [rs for rs in run["records"].values() if (rs[0].method, rs[0].git_annex, rs[0].workaround)
             == (method, git_annex, workaround)]
    return rs


def subjects(run, rs):
    """clone -> the subject its BABS task ran (BABS's job_submit.csv, as run.json has it)."""
    account = json.loads(next(Path(run["workdir"], "results", "babs", rs[0].scenario).glob("round-*/run.json")).read_text())
    return {r.clone: account["tasks"][str(r.clone + 1)]["subject"] for r in rs}


def output_ria_results(workdir, scenario_id, tmp_path):
    """The subjects whose zip is in the BABS project's output RIA, content included:
    cloned and fetched here, apart from the workflow's own check."""
    project = json.loads(next(Path(workdir, "results", "babs", scenario_id).glob("round-*/project.json")).read_text())
    clone = tmp_path / f"output-{scenario_id[-40:]}"
    tools = ROOT / ".venv" / "bin"  # DataLad, its ORA special remote and the workflow's git-annex
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([str(tools / "datalad"), "clone", f"ria+file://{project['output_ria']}#~data", str(clone)],
                   check=True, capture_output=True, env=env)
    got = subprocess.run([str(tools / "datalad"), "get", "."], cwd=clone, capture_output=True, env=env)
    assert got.returncode == 0, got.stderr[-2000:]
    return {p.name.split("_", 1)[0] for p in clone.glob("sub-*_mriqc-*.zip") if p.stat().st_size > 0}


def test_each_task_is_a_babs_array_task_on_slurm(run):
    for rs in run["records"].values():
        if rs[0].method != "babs":
            continue
        assert [r.clone for r in rs] == [0, 1, 2, 3]
        ids = {r.slurm_job_id for r in rs}
        assert len(ids) == 4 and all(ids), ids
        sacct = subprocess.run(["sacct", "-n", "-X", "-P", "-o", "JobID,JobName", "-j", ",".join(ids)],
                               capture_output=True, text=True, check=True).stdout
        # BABS's own array (`<job>_<task>`), not the workflow's jobs
        assert len(re.findall(r"^\d+_[1-4]\|", sacct, re.MULTILINE)) == 4, sacct
        nodes = subprocess.run(["sinfo", "-h", "-N", "-o", "%N"], capture_output=True, text=True).stdout.split()
        if len(set(nodes)) > 1:  # the test cluster's second node (LLN spreads the tasks)
            assert len({r.slurm_node for r in rs}) > 1, [r.slurm_node for r in rs]
        for r in rs:
            assert r.barrier == "released"
            assert r.git_annex_version.startswith(r.git_annex), r.git_annex_version
            assert "BABS 0.5.4" in r.git_annex_provenance
            assert r.t_barrier_release <= r.t_clone_start < r.t_get_start <= r.t_get_end


def test_affected_babs_fails_of_the_transfer_lock_from_its_own_log(run, tmp_path):
    rs = scenario(run, "babs", AFFECTED)
    assert observed_verdict(rs, MAX_SKEW) == "FAIL"
    failed = [r for r in rs if r.failed_step == "get"]
    assert failed and all(r.cause == "transfer-lock" for r in failed), [(r.cause, r.evidence) for r in failed]
    for r in failed:
        babs_log = Path(r.log).read_text(errors="replace")  # BABS's own task log, as the record's log
        assert any(e in babs_log for e in r.evidence), r.evidence
        assert re.search(r"Unable to access these remotes: origin|annex-race: origin lock .* held by pid", babs_log)
    # the other tasks' results were merged into the output RIA
    delivered, subject = output_ria_results(run["workdir"], rs[0].scenario, tmp_path), subjects(run, rs)
    assert delivered == {subject[r.clone] for r in rs if r.delivered}
    assert delivered == {subject[r.clone] for r in rs if r.outcome == "ok"}
    row = _row(run, "babs", AFFECTED)
    assert (row.verdict, row.get_verdict, row.get_cause) == ("FAIL", "FAIL", "transfer-lock"), row


def _row(run, method, git_annex, workaround="none"):
    rows = scenario_rows(run["workdir"])
    (row,) = rows[(rows["method"] == method) & (rows["git_annex"] == git_annex)
                  & (rows["workaround"] == workaround)].itertuples()
    return row


def test_newest_babs_gets_pass_and_its_deliveries_are_as_observed(run, tmp_path):
    """Its steps as the imitation's: the get's verdict, the delivery's, the job's; every
    task that did not deliver failed in its delivery, with the cause its log shows."""
    rs = scenario(run, "babs", NEWEST)
    row = _row(run, "babs", NEWEST)
    assert row.get_verdict == "PASS", [(r.outcome, r.failed_step, r.cause, r.evidence) for r in rs]
    delivered, subject = output_ria_results(run["workdir"], rs[0].scenario, tmp_path), subjects(run, rs)
    assert delivered == {subject[r.clone] for r in rs if r.delivered}
    section = run["summary"].split("## BABS beside the imitation", 1)[1].split("\n## ", 1)[0]
    for r in rs:
        assert r.steps and r.steps[0]["step"] == "datalad push", r.steps
        if not r.delivered:  # the summary says why, from BABS's own log
            assert (r.outcome, r.failed_step) == ("failed", "deliver")
            assert r.delivery_evidence and r.delivery_evidence in Path(r.log).read_text(errors="replace")
            assert r.delivery_evidence in section
    assert row.deliver_verdict == ("PASS" if all(r.delivered for r in rs) else "FAIL")
    assert row.verdict == ("PASS" if row.deliver_verdict == "PASS" else "FAIL")
    if row.deliver_verdict == "FAIL":
        assert row.deliver_cause and set(row.deliver_cause.split(", ")) == {r.cause for r in rs if not r.delivered}


def test_summary_puts_babs_beside_the_imitation(run):
    section = run["summary"].split("## BABS beside the imitation", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 2, section
    for rs in run["records"].values():
        if rs[0].method != "babs":
            continue
        babs, twin = _row(run, "babs", rs[0].git_annex), _row(run, "datalad-get", rs[0].git_annex)
        assert twin.deliver == babs.deliver == "babs"  # the imitation's whole job, BABS's delivery
        said = ("get_verdict", "get_cause", "deliver_verdict", "deliver_cause", "verdict")
        agree = [getattr(babs, f) for f in said] == [getattr(twin, f) for f in said]
        line = next(r for r in rows if f"| {rs[0].git_annex} | {rs[0].workaround} |" in r)
        assert f"datalad-get: get {twin.get_verdict}" in line and f"job {twin.verdict}" in line, line
        assert ("| yes |" if agree else "| **no** |") in line, line
