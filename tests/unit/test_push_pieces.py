"""Pieces of the output side without a workflow: the causes of a failed push, a
step that hangs, the conformance table's agreement with upstream."""

import io
import time

import pandas as pd

from annex_race.observe import logparse
from annex_race.report.conformance import _agrees, conformance_table
from annex_race.core.methods import BABS_DELIVERY, PUSH, of_family
from annex_race.report.reproducers import reproducer
from annex_race.core.commands import run_logged
from annex_race.core.log_lines import HANG
from annex_race.planning.matrix import scenario_table


def test_push_causes_from_what_git_and_git_annex_said():
    said = {
        "rejected": " ! [rejected]        git-annex -> git-annex (fetch first)",
        "ref-lock": "remote: error: cannot lock ref 'refs/heads/git-annex': is at 01fa but expected 4e9e",
        "transfer-lock": "  transfer already in progress, or unable to take transfer lock",
        "unverified-remote": "  Write prevented due to an unverified special remote. Run this command to verify it: "
                             "git-annex verifyremote output-storage",
    }
    for cause, line in said.items():
        assert logparse.classify_failure(["copy result.bin (to origin...)", line, "failed"], 1).cause == cause
    datalad = "publish(error): . (dataset) [refs/heads/git-annex->origin:refs/heads/git-annex [remote rejected] " \
              "(failed to update ref)]"
    assert logparse.classify_failure([datalad], 1).cause == "ref-lock"


def test_a_step_that_prints_nothing_hangs_and_is_stopped(tmp_path):
    log = io.StringIO()
    log.name = str(tmp_path / "log")
    started = time.time()
    run = run_logged(["bash", "-c", "echo started; sleep 60 & wait"], log, idle_timeout=2)
    assert time.time() - started < 30
    hung = [t for t in run.text if t.startswith(HANG)]
    assert hung and "last line: started" in hung[0] and "sleep 60" in hung[0]
    assert logparse.classify_failure(run.text, run.exit_code).cause == "hang"


def test_agreement_with_upstream():
    assert _agrees("FAIL", "transfer-lock", ("FAIL", "transfer-lock", "")) == "yes"
    assert _agrees("FAIL", "rejected, ref-lock", ("FAIL", "rejected", "")) == "partly"
    assert _agrees("PASS", "", ("FAIL", "rejected", "")) == "no"
    assert _agrees("INCONCLUSIVE", "", ("PASS", "", "")) == ""
    assert _agrees("FAIL", "x", None) == ""


def test_conformance_table_rows_are_push_scenarios_only():
    summary = pd.DataFrame([
        {"method": "annex-get", "git_annex": "a", "location": "local", "verdict": "FAIL", "cause": "transfer-lock",
         "evidence": "", "output": ""},
        {"method": "push-ora", "git_annex": "a", "location": "local", "verdict": "PASS", "cause": "",
         "evidence": "", "output": "whole"},
    ])
    table = conformance_table(summary)
    assert list(table["operation"]) == ["push-ora"] and list(table["agrees"]) == ["yes"]


def test_push_operations_take_no_input_side_axes():
    config = {"location": ["local"], "clone_from": ["ria", "source"], "transport": ["local", "ssh"],
              "storage_sibling": ["off", "on"], "method": ["copy-same-key"], "deliver": ["babs"], "image_size": ["8M"], "start": ["barrier"],
              "n_clones": [2], "annex_retry": [3], "annex_retry_delay": [1], "annex_bwlimit": ["1MiB"],
              "git_annex": ["10.20260115"], "workaround": ["none", "prefetch"]}
    table = scenario_table(config)
    assert len(table) == 1 and table.iloc[0]["storage_sibling"] == "off"


def test_every_reproducer_is_git_and_git_annex_only():
    for method in [*of_family(PUSH), BABS_DELIVERY]:  # each push operation, BABS's delivery
        script = reproducer(method, 3, "16M")
        assert script.startswith("#!/usr/bin/env bash") and "export N=${N:-3}" in script
        assert "export SIZE_MIB=${SIZE_MIB:-16}" in script
        code = "\n".join(line.split("  # ")[0] for line in script.splitlines() if not line.lstrip().startswith("#"))
        for word in ("datalad", "snakemake", "annex_race", "python"):
            assert word not in code.lower(), (method, word)
