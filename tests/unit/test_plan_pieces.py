"""The plan's pieces, each on its own: what progress observes on disk, the round a
scenario's progress calls for, one scenario's files, the space model, the plan's
storage (written once, held, loaded by every job)."""

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from annex_race.core import layout
from annex_race.core.record import validate, write_record
from annex_race.planning import plan_file
from annex_race.planning.files import ScenarioFiles
from annex_race.planning.matrix import tables
from annex_race.planning.plan import Executor, Plan, build, fixed_version
from annex_race.planning.progress import ScenarioProgress, babs_ready, observe
from annex_race.planning.rounds import decide, scenario_round
from annex_race.planning.space import GIT_ANNEX_INSTALL, space_needs
from helpers import make_record
from test_plan import configured, fresh

M = 1024**2


def record(round_, clone=0):
    return validate({**make_record(clone=clone), "round": round_})


# ---- rounds: pure decisions from what was observed ------------------------------------


@pytest.mark.parametrize(
    "rounds, number, complete",
    [
        ([1, 1], 1, True),
        ([3, 3], 3, True),
        ([1, None], 2, False),  # a clone died without a record
        ([1, 2], 3, False),  # records of two rounds: a sibling ran alone
        ([None, 2], 3, False),
    ],
)
def test_a_scenario_is_complete_only_with_every_record_of_one_round(rounds, number, complete):
    r = scenario_round(tuple(None if n is None else record(n, c) for c, n in enumerate(rounds)))
    assert (r.number, r.complete) == (number, complete)
    assert bool(r.problems) == (not complete)


def test_a_scenario_that_never_ran_starts_at_round_one_without_a_problem():
    r = scenario_round((None, None))
    assert (r.number, r.complete, r.problems) == (1, False, ())


def test_an_unreadable_record_makes_its_scenario_rerun_and_says_why():
    r = scenario_round((record(2), "results/records/s/clone-1.json: not JSON (x)"))
    assert (r.number, r.complete) == (3, False) and "not JSON" in r.problems[0]


def test_decide_puts_the_rules_together():
    done = ScenarioProgress((record(1), record(1, clone=1)), frozenset({1}), frozenset({1}), frozenset({1}))
    assert decide(done, 1.0, 3) == replace(decide(done, 1.0, 3), number=1, complete=True, compared=True)
    not_compared = replace(done, writes=frozenset())
    assert (decide(not_compared, 1.0, 3).complete, decide(not_compared, 1.0, 3).compared) == (True, False)
    interrupted = ScenarioProgress((None, None), frozenset({1}))  # opened, then stopped before any record
    assert (decide(interrupted, 1.0, 3).number, decide(interrupted, 1.0, 3).complete) == (2, False)


# ---- progress: the one step that reads the disk ------------------------------------------


def test_progress_observes_records_tickets_snapshots_writes_and_probes(tmp_path):
    config = configured()
    suites = tables(config, fixed_version(config))
    sid = suites["matrix"].index[0]
    for pattern, rounds in ((layout.ROUND, (1, 2)), (layout.SNAPSHOT, (1,)), (layout.WRITES, (1,))):
        for r in rounds:
            path = tmp_path / pattern.format(scenario=sid, round=r)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("{}")
    path = tmp_path / layout.RECORD.format(scenario=sid, clone=0)
    path.parent.mkdir(parents=True)
    write_record(path, {**make_record(scenario=sid), "round": 1})
    (tmp_path / layout.RECORD.format(scenario=sid, clone=1)).write_text('{"scenario": "s1", "clo')
    probe = tmp_path / layout.LOCATION_PROBE.format(location="local")
    probe.parent.mkdir(parents=True)
    probe.write_text(json.dumps({"hardlink": False}))
    made = tmp_path / "results/datasets/local/lane-0/container_source/size-8M.json"
    made.parent.mkdir(parents=True)
    made.write_text("{}")
    progress = observe(suites, config, tmp_path / "cache", tmp_path)
    seen = progress.scenarios[sid]
    assert (seen.tickets, seen.snapshots, seen.writes) == ({1, 2}, {1}, {1})
    assert seen.records[0].round == 1 and "not JSON" in seen.records[1]
    assert all(p.records == (None, None) for s, p in progress.scenarios.items() if s != sid)
    assert progress.hardlinks == {"local": False}  # as the probe found
    assert progress.made == {"results/datasets/local/lane-0/container_source/size-8M.json"}
    assert progress.installed == frozenset() and progress.babs_problem is None


def test_babs_is_ready_only_with_slurm_and_its_environment(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "babs").touch()
    no_sbatch = babs_ready(tmp_path, which=lambda tool: None if tool == "sbatch" else f"/usr/bin/{tool}")
    assert no_sbatch == "method babs: BABS submits its own SLURM job array, and sbatch is not on PATH"
    no_babs = babs_ready(tmp_path / "nowhere", which=lambda tool: f"/usr/bin/{tool}")
    assert no_babs.startswith(f"babs_env: no BABS in {tmp_path / 'nowhere'}")
    assert babs_ready(tmp_path, which=lambda tool: f"/usr/bin/{tool}") is None


# ---- one scenario's files --------------------------------------------------------------


def test_a_scenarios_files_are_the_layouts_patterns_under_its_roots():
    axes = {"location": "local", "clone_from": "ria", "transport": "local", "storage_sibling": "off",
            "method": "annex-get", "image_size": "8M", "n_clones": 2, "workaround": "prefetch", "git_annex": "10.20260115"}
    files = ScenarioFiles("s", axes, 3, 2, {"source_root": "/src", "clone_root": "/clones"})
    assert files.ticket == "results/rounds/s/round-2.json" and files.records == [
        "results/records/s/clone-0.json", "results/records/s/clone-1.json"]
    assert files.clone_dir(1) == "/clones/s/clone-1" and files.output_dir == "/src/outputs/s/round-2"
    assert files.needs() == {
        "container_source": "results/datasets/local/lane-3/container_source/size-8M.json",
        "source_ds": "results/datasets/local/lane-3/source_ds/size-8M_transport-local.json",
        "ria": "results/datasets/local/lane-3/ria/size-8M_storage_sibling-off_transport-local.json",
        "prefetch": "results/datasets/local/prefetch/size-8M.json"}
    assert files.cloned() == files.needs()["ria"]
    assert files.lane_0_needs() == {"container_source": "results/datasets/local/lane-0/container_source/size-8M.json",
                                    "prefetch": files.needs()["prefetch"]}
    from_source = replace(files, axes=axes | {"clone_from": "source", "workaround": "none"})
    assert from_source.cloned() == from_source.needs()["source_ds"] and "ria" not in from_source.needs()
    assert files.dataset_dir(files.needs()["ria"]) == "/src/lane-3/ria/size-8M_storage_sibling-off_transport-local"
    babs = replace(files, axes=axes | {"method": "babs", "workaround": "none"})
    assert babs.needs() == {"container_source": files.needs()["container_source"]}
    babs_on = replace(babs, axes=babs.axes | {"storage_sibling": "on"})
    assert set(babs_on.needs()) == {"container_source", "source_ds", "ria"}
    push = replace(files, axes=axes | {"method": "push-ora", "workaround": "none"})
    assert push.needs() == {} and push.lane_0_needs() == {}


# ---- the space model --------------------------------------------------------------------


def test_free_space_counts_full_copies_only_where_hardlinks_do_not_work():
    config = configured(storage_sibling="on", method="annex-get", git_annex="10.20261026", workaround="none",
                        lanes=1, full_matrix=True)
    progress = fresh(config)
    p = build(config, progress, Executor(2))
    (s,) = p.suite("matrix")
    source, clones, cache = space_needs(p, progress, keep_clones=False)
    # lane 0: the image in container_source and in the store, the store's
    # verification's copy and the prefetched copy of `snakemake check`'s scenarios
    # (planned beside the matrix); source_ds links container_source's image
    assert (source.key, source.nbytes) == ("locations.local.source_root", 4 * 8 * M)
    assert (clones.key, clones.nbytes) == ("locations.local.clone_root", 2 * 8 * M)
    assert (cache.key, cache.nbytes) == ("git_annex_cache", GIT_ANNEX_INSTALL)
    unlinked = space_needs(p, replace(progress, hardlinks={"local": False}, installed=frozenset({"10.20261026"})),
                           keep_clones=True)
    assert unlinked[0].nbytes == 5 * 8 * M  # source_ds holds a copy too
    assert unlinked[1].nbytes == 14 * 8 * M and unlinked[2].nbytes == 0  # every clone kept: 7 scenarios
    made = frozenset({p.files(s.id).needs()["container_source"]})  # a dataset that exists costs nothing
    assert space_needs(p, replace(progress, made=made), keep_clones=False)[0].nbytes == 3 * 8 * M


def test_a_push_round_needs_every_jobs_result_in_its_output_repository():
    config = configured(method="push-ora", storage_sibling="off", workaround="none", git_annex="10.20261026",
                        n_clones=3, lanes=1)
    progress = fresh(config)
    p = build(config, progress, Executor(2))
    source = space_needs(p, progress, keep_clones=False)[0]
    # its output repository (3 results), and `snakemake check`'s lane 0 (planned beside it)
    assert source.nbytes >= 3 * 8 * M


# ---- the plan's storage ------------------------------------------------------------------


def test_a_job_process_loads_the_plan_the_main_process_wrote(tmp_path):
    config = configured()
    p = build(config, fresh(config), Executor(2))
    plan_file.write(p, tmp_path / "plan.json")
    loaded = plan_file.load(tmp_path / "plan.json")
    assert loaded == p
    s = next(iter(p.scenarios))
    assert (loaded.files(s), loaded.round_inputs(s)) == (p.files(s), p.round_inputs(s))


def test_a_job_without_a_plan_says_so_in_one_line(tmp_path):
    with pytest.raises(plan_file.PlanMissing, match="plan.json: no plan"):
        plan_file.load(tmp_path / "plan.json")


def test_a_second_run_in_the_same_directory_is_refused_while_the_first_holds_its_plan(tmp_path):
    config = configured()
    p = build(config, fresh(config), Executor(2))
    path = tmp_path / "plan.json"
    plan_file.write(p, path)  # this process: the first run
    script = ("from annex_race.planning import plan_file; from annex_race.planning.plan import Plan; "
              f"plan_file.write(Plan(1, {{}}, {{}}, (), '/c'), {str(path)!r})")
    second = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert second.returncode != 0
    assert f"another run of annex-race in this directory (pid {os.getpid()})" in second.stderr
    assert plan_file.load(path) == p  # the first run's plan stands
    plan_file.write(p, path)  # the holder itself may write again
    assert isinstance(plan_file.load(path), Plan) and Path(path).exists()


@pytest.mark.parametrize("nodes, expected", [([], ["", "", ""]),
                                              (["vm", "vm2"], ["--nodelist=vm", "--nodelist=vm2", "--nodelist=vm"])])
def test_spread_nodes_put_clone_i_on_node_i_mod_their_number(nodes, expected):
    config = configured(spread_nodes=nodes)
    plan = build(config, fresh(config), Executor(2, None, None))
    assert [plan.clone_node(i) for i in range(3)] == expected
