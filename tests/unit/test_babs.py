"""The BABS scenario's pieces that need no cluster: the refusal where SLURM or BABS
is missing, the job preamble, the plan of a BABS round, and a task's record read
from BABS's real logs (tests/fixtures/babs: a 4-task run on the test cluster,
filtered to the lines the record reads)."""

import gzip
import json
import subprocess

import pytest

from annex_race.core.record import validate
from annex_race.jobs import babs
from annex_race.core import layout
from annex_race.planning.matrix import scenario_table
from helpers import ROOT
from test_plan import configured, plan_of

FIXTURES = ROOT / "tests" / "fixtures" / "babs"
SCENARIO = {"scenario": "s", "location": "local", "clone_from": "ria", "transport": "local",
            "storage_sibling": "off", "method": "babs", "deliver": "babs", "image_size": "8M", "n_clones": 4, "start": "barrier", "annex_retry": 3,
            "annex_retry_delay": 1, "annex_bwlimit": "1MiB", "git_annex": "10.20260115", "workaround": "none"}
LOCATION = {"fs_source": "ext4", "fs_clone": "ext4", "same_filesystem": True, "reflink": False}


def test_the_preamble_puts_the_scenarios_git_annex_first_and_its_budget_in_git_config(tmp_path):
    text = babs.preamble(SCENARIO | {"annex_retry": 12}, "/cache/10.20260115/bin", tmp_path / "babs/bin",
                         "python -m annex_race.jobs.babs task ...")
    path = next(line for line in text.splitlines() if line.startswith("export PATH="))
    assert path.index("/cache/10.20260115/bin") < path.index(str(tmp_path / "babs/bin")) < path.index("$PATH")
    assert path.startswith(f"export PATH={babs.RUNTIME}:")  # the stand-in runtime
    env = subprocess.run(["bash", "-c", text.replace("python -m annex_race.jobs.babs task ...", "true") + "\nenv"],
                         capture_output=True, text=True, check=True).stdout
    settings = dict(line.split("=", 1) for line in env.splitlines() if line.startswith("GIT_CONFIG_"))
    pairs = {settings[f"GIT_CONFIG_KEY_{i}"]: settings[f"GIT_CONFIG_VALUE_{i}"]
             for i in range(int(settings["GIT_CONFIG_COUNT"]))}
    assert pairs["annex.retry"] == "12" and pairs["annex.bwlimit"] == "1MiB"
    assert "PS4='+ ${EPOCHREALTIME} '" in text
    assert text.rstrip().endswith("python -m annex_race.jobs.babs task ... || exit 1")


def test_the_stand_in_runtime_reads_the_whole_image_and_writes_the_apps_output(tmp_path):
    image = tmp_path / "image"
    image.write_bytes(b"x" * 5000)
    out = tmp_path / "outputs" / "mriqc"
    run = subprocess.run([str(babs.RUNTIME / "singularity"), "run", "-B", str(tmp_path), "--containall", str(image),
                          str(tmp_path / "bids"), str(out), "participant", "--participant-label", "sub-02"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "read the image, 5000 bytes" in run.stderr
    assert (out / "sub-02.txt").exists()
    image.unlink()
    image.symlink_to(tmp_path / "absent")  # an annex link without content
    missing = subprocess.run([str(babs.RUNTIME / "singularity"), "run", str(image), "i", str(out), "participant"],
                             capture_output=True, text=True)
    assert missing.returncode != 0 and "cannot read the image" in missing.stderr


def test_babs_scenarios_over_ssh_from_source_or_with_a_prefetch_are_not_made():
    table = scenario_table(configured(method=["babs"], storage_sibling=["off", "on"], transport=["local", "ssh"],
                                      workaround=["none", "prefetch", "retry-backoff"]))
    assert set(table["storage_sibling"]) == {"off", "on"} and set(table["transport"]) == {"local"}
    assert set(table["workaround"]) == {"none", "retry-backoff"}


def test_with_a_storage_sibling_babs_gets_its_container_dataset_from_the_lanes_store():
    p = plan_of(configured(method=["babs"], storage_sibling=["on"], workaround=["none"], git_annex=["10.20260115"]))
    (sid,) = p.running("babs")
    store = layout.RIA.format(location="local", lane=p.scenarios[sid].lane, size="8M", storage_sibling="on",
                              transport="local")
    assert p.babs_project(sid).container_store == store
    assert type(p.babs_project(sid)).of(p.babs_project(sid).asdict()) == p.babs_project(sid)  # as the rule hands it
    assert p.babs_project_inputs(sid)["container_store"] == store
    assert store in p.round_inputs(sid)  # the lane makes it (and source_ds) first
    assert p.shared_repositories(sid)["input RIA store"] == ["store", store, ""]


def test_a_babs_round_makes_its_project_before_it_opens():
    p = plan_of(configured(method=["babs", "datalad-get"], storage_sibling=["off"], workaround=["none"],
                           git_annex=["10.20260115"]))
    (sid,) = p.running("babs")
    assert p.running("get") and not set(p.running("babs")) & set(p.running("get"))
    project = layout.BABS_PROJECT.format(scenario=sid, round=1)
    assert project in p.round_inputs(sid)
    assert project not in p.babs_project_inputs(sid)["before"]  # no cycle
    assert p.babs_project(sid).container_store is None and "container_store" not in p.babs_project_inputs(sid)
    assert set(p.shared_repositories(sid)) == {"container_source", "BABS input RIA store"}
    assert p.shared_repositories(sid)["BABS input RIA store"] == ["store", project, ""]


def test_babs_alone_makes_only_the_container_source():
    p = plan_of(configured(method=["babs"], storage_sibling=["off"], workaround=["none"]))
    made = p.lane_datasets("matrix", "local", 0)
    assert made["container_source"] and not made["source_ds"] and not made["ria"]


def test_babs_is_given_its_container_dataset_as_a_user_gives_it():
    source = {"path": "/src/cs", "dataset_id": "abc"}
    assert babs.container_dataset(source) == "/src/cs"
    assert babs.container_dataset(source, {"store": "/src/ria"}) == "ria+file:///src/ria#abc"


def _fixture(name):
    return json.loads(gzip.decompress((FIXTURES / name).read_bytes()))


@pytest.mark.parametrize("name", ["affected.json.gz", "newest.json.gz"])
def test_records_read_from_babs_logs_agree_with_what_the_run_recorded(name):
    """Each task's record, rebuilt from the kept log lines, says what the run's record
    said: times, delivery, and the get's outcome, cause and evidence (those runs
    recorded the get's; a record now says the job's: a task that got the image and
    delivered nothing failed in its delivery, with the delivery's evidence)."""
    run = _fixture(name)
    for clone, task in enumerate(run["tasks"]):
        record = babs.task_record(SCENARIO | {"git_annex": run["git_annex"]}, clone, 1, 0, LOCATION, task["facts"],
                                  task["account"], task["log"], "log", "BABS 0.5.4")
        kept = task["record"]
        for field in ("t_get_start", "t_get_end", "t_clone_start", "exit_code",
                      "delivered", "delivery_evidence", "arrival", "barrier", "git_annex_version"):
            assert getattr(record, field) == kept[field], (name, clone, field)
        if kept["outcome"] == "ok" and not kept["delivered"]:
            assert (record.outcome, record.failed_step) == ("failed", "deliver"), (name, clone)
            assert record.evidence == [kept["delivery_evidence"]]
        else:
            assert [getattr(record, f) for f in ("outcome", "cause", "evidence")] == [
                kept[f] for f in ("outcome", "cause", "evidence")], (name, clone)
        assert record.run and record.steps if kept["delivered"] else True
        validate(record.asdict(), "babs task record")  # as babs_task_record writes it


def test_the_newest_babs_task_gets_and_fails_in_its_delivery_with_its_cause():
    run = _fixture("newest.json.gz")
    for clone, task in enumerate(run["tasks"]):
        record = babs.task_record(SCENARIO | {"git_annex": run["git_annex"]}, clone, 1, 0, LOCATION, task["facts"],
                                  task["account"], task["log"], "log", "B")
        if record.failed_step == "deliver":
            assert record.cause == "unverified-remote", record.evidence
            assert [s["step"] for s in record.steps][:1] == ["datalad push"]


def test_an_affected_babs_task_fails_of_the_transfer_lock_the_others_deliver():
    run = _fixture("affected.json.gz")
    records = [babs.task_record(SCENARIO, c, 1, 0, LOCATION, t["facts"], t["account"], t["log"], "log", "B")
               for c, t in enumerate(run["tasks"])]
    failed = [r for r in records if r.outcome == "failed"]
    assert failed and {r.cause for r in failed} == {"transfer-lock"}
    assert all(r.evidence[0].startswith("annex-race: origin lock ") for r in failed)
    assert all(r.delivered for r in records if r.outcome == "ok")
    assert all(not r.delivered and r.delivery_evidence.startswith("the task ended before its push")
               for r in failed)


def test_a_task_that_never_ran_is_lost_not_failed():
    record = babs.task_record(SCENARIO, 2, 1, 0, LOCATION, None, {"state": "CANCELLED", "delivered": False}, "",
                              "log", "B")
    assert record.cause == "lost" and "CANCELLED" in record.evidence[0]


def test_a_task_records_its_tools_and_meets_its_siblings_where_the_facts_file_says(tmp_path):
    """The preamble's own step, as BABS's job runs it (its shell the parent): one task
    of one, so the barrier releases at once; its facts land where the layout says."""
    import sys

    from annex_race.jobs.barrier import open_round

    ticket = tmp_path / "round-1.json"
    open_round(ticket, 1, 0)
    facts = tmp_path / "tasks" / "task-{clone}.json"
    command = babs.task_command(sys.executable, ticket, tmp_path / "barriers", 1, 30, 0.1, facts,
                                str(tmp_path / "origin"), "MD5E-s1--x")
    env = {"PATH": f"{ROOT / '.venv' / 'bin'}:/usr/bin:/bin", "SLURM_ARRAY_TASK_ID": "1", "HOME": str(tmp_path)}
    run = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    recorded = json.loads((tmp_path / "tasks" / "task-0.json").read_text())
    assert recorded["barrier"]["reason"] == "released" and recorded["git_annex_version"]
    assert "annex-race: task 1 runs git-annex" in run.stderr
