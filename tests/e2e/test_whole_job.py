"""The whole job (get, run, deliver) interrupted in its delivery, and a result lost
from the output store after it was delivered: the store stays consistent, the
record says what happened, one plain rerun delivers, a lost result is caught.

The delivery here is BABS's (`datalad push --to output-storage`, then `flock <lock>
git push outputstore`) with a release whose delivery passes when left alone."""

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from annex_race.core.files import read_manifest
from annex_race.core.layout import OUTPUT_REPOSITORY
from annex_race.core.record import read_record
from annex_race.observe.output import leftovers, verify_output
from helpers import (ROOT, descendants, load_run, observed_verdict, processes_of, scenario_rows, snakemake,
                     start_run, wait_for_log_line)

TEST_CONFIG = [ROOT / ".test" / "config" / "config.yaml"]
GOOD = "10.20261020"
# one whole job of two tasks; an 8 MiB result at annex.bwlimit=1MiB takes ~8 s to send
WHOLE = ["storage_sibling=off", "deliver=babs", f"git_annex={GOOD}", "result_size=8M"]


def start(workdir, config=WHOLE):
    return start_run(workdir, "--cores", "2", configfiles=TEST_CONFIG, config=config)


def sending_git_annex(pid, timeout=30):
    """The `git annex copy --to` under job `pid`, as soon as it runs (it lives while
    it starts the storage sibling's remote helper and sends)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for child in descendants(pid):
            try:
                argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if Path(argv[0].decode()).name == "git-annex" and b"copy" in argv and b"--to" in argv:
                return child
        time.sleep(0.005)
    raise AssertionError(f"no git annex copy --to under pid {pid}")


def consistent(workdir, scenario, round=1):
    """The round's output store after the fault: `git fsck` clean, nothing half
    written, every branch a job reported delivered at its commit, every key it sent
    whole (observe/output.verify_output, as the workflow runs it)."""
    output = read_manifest(Path(workdir, OUTPUT_REPOSITORY.format(scenario=scenario, round=round)))
    fsck = subprocess.run(["git", "-C", output["repository"], "fsck", "--no-dangling"], capture_output=True,
                          text=True)
    assert fsck.returncode == 0, fsck.stderr
    assert leftovers(output) == []
    records = [read_record(p).asdict() for p in Path(workdir, "results/records", scenario).glob("clone-*.json")]
    verified = verify_output(output, records, Path(workdir, "verify-check"))
    assert verified["lost"] == {} and verified["problems"] == [], verified
    return records


def rerun_delivers(workdir, scenario):
    rerun = snakemake(workdir, "--cores", "2", configfiles=TEST_CONFIG, config=WHOLE)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    records, _, _ = load_run(workdir)
    again = records[scenario]
    assert [r.round for r in again] == [2, 2] and observed_verdict(again) == "PASS"
    assert all(r.failed_step is None and r.pushed for r in again)
    row = scenario_rows(workdir).set_index("scenario").loc[scenario]
    assert (row["get_verdict"], row["deliver_verdict"], row["verdict"]) == ("PASS", "PASS", "PASS")


def test_a_job_killed_mid_push_leaves_the_store_consistent_and_a_rerun_delivers(tmp_path):
    """The job is stopped while its `git push` waits for the lock BABS's jobs share
    (this test holds it): SIGKILL, the record says killed in its delivery."""
    run = start(tmp_path)
    pid, scenario = wait_for_log_line(tmp_path, 1, "annex-race: step run", run)
    lock = read_manifest(Path(tmp_path, OUTPUT_REPOSITORY.format(scenario=scenario, round=1)))["lock"]
    with open(lock, "a") as held:
        import fcntl

        fcntl.flock(held, fcntl.LOCK_EX)
        wait_for_log_line(tmp_path, 1, "$ flock ", run)
        time.sleep(0.5)
        os.kill(pid, signal.SIGKILL)
    output = run.communicate(timeout=600)[0]
    assert run.returncode != 0, output[-2000:]
    deadline = time.time() + 15
    while processes_of(tmp_path) and time.time() < deadline:
        time.sleep(0.2)
    assert not processes_of(tmp_path)
    records, summary, table = load_run(tmp_path)
    killed = table[(table["scenario"] == scenario) & table["reconstructed"]]
    assert [tuple(r) for r in killed[["clone", "cause", "failed_step"]].values] == [(1, "killed", "deliver")]
    assert "INCONCLUSIVE" in summary and "FAIL" not in scenario_rows(tmp_path)["verdict"].tolist()
    consistent(tmp_path, scenario)
    rerun_delivers(tmp_path, scenario)


def test_git_annex_killed_while_it_sends_is_inconclusive_and_a_rerun_delivers(tmp_path):
    """What the OOM killer does on a node: git-annex dies in `copy --to` the storage
    sibling (under `datalad push`); the job lives and records it."""
    run = start(tmp_path)
    pid, scenario = wait_for_log_line(tmp_path, 1, "$ datalad push --to output-storage", run)
    os.kill(sending_git_annex(pid), signal.SIGKILL)
    output = run.communicate(timeout=600)[0]
    assert run.returncode == 0, output[-2000:]
    records, summary, _ = load_run(tmp_path)
    failed = [r for r in records[scenario] if r.outcome != "ok"]
    assert [(r.clone, r.cause, r.failed_step) for r in failed] == [(1, "killed", "deliver")], failed
    assert observed_verdict(records[scenario]) == "INCONCLUSIVE"
    row = scenario_rows(tmp_path).set_index("scenario").loc[scenario]
    assert row["verdict"] == row["deliver_verdict"] == "INCONCLUSIVE"
    consistent(tmp_path, scenario)
    rerun_delivers(tmp_path, scenario)


def test_a_result_lost_from_the_output_store_is_caught(tmp_path):
    """A result a job reported delivered disappears from the store's storage sibling
    before the round's check: the job's verdict FAIL, its delivery's lost-result. (Its
    jobs deliver together, at a second barrier.)"""
    config = [*WHOLE[:-1], "deliver_at_barrier=true"]
    out = snakemake(tmp_path, "--cores", "2", "--until", "run_clone_job", configfiles=TEST_CONFIG, config=config)
    assert out.returncode == 0, out.stderr[-3000:]
    (scenario,) = [p.name for p in Path(tmp_path, "results/records").iterdir()]
    record = read_record(Path(tmp_path, "results/records", scenario, "clone-0.json"))
    assert record.outcome == "ok" and record.pushed
    assert "delivery barrier: released" in Path(record.log).read_text()
    output = read_manifest(Path(tmp_path, OUTPUT_REPOSITORY.format(scenario=scenario, round=1)))
    store = Path(output["url"].removeprefix("ria+file://").partition("#")[0])
    (obj,) = [p for p in store.rglob(record.pushed["key"]) if p.is_file()]
    obj.chmod(0o644)
    obj.unlink()
    out = snakemake(tmp_path, "--cores", "2", configfiles=TEST_CONFIG, config=config)
    assert out.returncode == 0, out.stderr[-3000:]
    row = scenario_rows(tmp_path).set_index("scenario").loc[scenario]
    assert (row["verdict"], row["deliver_verdict"], row["get_verdict"]) == ("FAIL", "FAIL", "PASS")
    assert "lost-result" in row["cause"] and "lost-result" in row["deliver_cause"]
    verified = json.loads(Path(tmp_path, "results/verified-outputs", scenario, "round-1.json").read_text())
    assert list(verified["lost"]) == ["0"], verified
    assert record.pushed["key"] in verified["lost"]["0"]


CACHE = Path(os.environ.get("ANNEX_RACE_GIT_ANNEX_CACHE", "~/.cache/annex-race/git-annex")).expanduser()
NEWEST = "10.20261026"


def _run_script(script, version, tmp_path, **env):
    path = tmp_path / "repro.sh"
    path.write_text(script)
    env = {"PATH": f"{CACHE / version / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path), **env}
    return subprocess.run(["bash", str(path)], env=env, capture_output=True, text=True, timeout=300)


def test_the_bug_report_reproduces_a_failing_delivery_standalone(tmp_path):
    """The newest release's failing delivery, beside a release whose delivery passes:
    the bug report's reproducer (git and git-annex only) fails with the one, passes
    with the other, and with the verifyremote workaround."""
    config = ["storage_sibling=off", "deliver=babs", f"git_annex=[{GOOD}, {NEWEST}]"]
    out = snakemake(tmp_path, "--cores", "2", configfiles=TEST_CONFIG, config=config)
    assert out.returncode == 0, out.stderr[-3000:]
    rows = scenario_rows(tmp_path).set_index("git_annex")
    assert rows.loc[NEWEST, "deliver_verdict"] == "FAIL" and rows.loc[GOOD, "deliver_verdict"] == "PASS"
    report = (tmp_path / "results" / "bug-report.md").read_text()
    block = report.split("### `deliver=babs`", 1)[1]
    script = re.search(r"```bash\n(.*?)\n```", block, re.S).group(1)
    failing = _run_script(script, NEWEST, tmp_path)
    assert failing.returncode == 1 and "not verified" in failing.stdout, failing.stdout + failing.stderr
    passing = _run_script(script, GOOD, tmp_path)
    assert passing.returncode == 0 and "not reproduced" in passing.stdout, passing.stdout + passing.stderr
    verified = _run_script(script, NEWEST, tmp_path, VERIFY="1")
    assert verified.returncode == 0, verified.stdout + verified.stderr
