"""The plan as a pure function: `build(config, progress, executor)` from plain values
(the real default configuration, progress as earlier runs would have left it, the
executor's slots). Nothing here touches the disk: no results/, no chdir, no patching."""

from dataclasses import replace

import pytest
import yaml
from snakemake.utils import validate

from annex_race.core import layout
from annex_race.planning.matrix import normalize_axes, scenario_table, tables
from annex_race.planning.plan import Executor, build, fixed_version
from annex_race.planning.progress import Progress, ScenarioProgress
from helpers import ROOT, make_record

ROOTS = {"source_root": "/work/local/src", "clone_root": "/work/local/clones"}


def configured(**overrides):
    """config/config.yaml with `overrides`, as the workflow validates it, its roots as
    planning/start.resolve_roots spells them out (absolute)."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text()) | overrides
    normalize_axes(config)
    validate(config, str(ROOT / "workflow" / "schemas" / "config.schema.yaml"))
    config["locations"] = {name: dict(ROOTS) for name in config["location"]}
    config["git_annex_cache"] = "/cache/git-annex"
    return config


def fresh(config, **machine):
    """The progress of a directory where nothing ran yet (`machine`: Progress fields)."""
    scenarios = {sid: ScenarioProgress(records=(None,) * int(n)) for table in tables(config, fixed_version(config)).values()
                 for sid, n in table["n_clones"].items()}
    return Progress(scenarios=scenarios, **({"hardlinks": {"local": True}} | machine))


def ran(config, plan, scenario, rounds, lane, tickets=(), snapshots=(), writes=(), **observed):
    """`plan`'s progress with `scenario`'s records of `rounds` (None: missing), its
    tickets, snapshots and writes; `observed`: fields of its last record."""
    s = plan.scenarios[scenario]
    records = []
    for clone, round_ in enumerate(rounds):
        record = make_record(scenario=scenario, clone=clone, n=len(rounds)) | s.axes | {"round": round_, "lane": lane}
        records.append(None if round_ is None else _record(record | (observed if clone == len(rounds) - 1 else {})))
    return ScenarioProgress(tuple(records), frozenset(tickets), frozenset(snapshots), frozenset(writes))


def _record(data):
    from annex_race.core.record import validate as validate_record

    return validate_record(data)


def plan_of(config=None, progress=None, cores=2, jobs=None, local_slots=None):
    config = config or configured()
    return build(config, progress or fresh(config), Executor(cores, jobs, local_slots))


def again(config, first, **scenarios):
    """The plan of the next run, after `scenarios` (id -> ScenarioProgress) ran."""
    progress = fresh(config)
    return plan_of(config, replace(progress, scenarios=progress.scenarios | scenarios))


def in_lane_order(p, suite, lane):
    return [s for s in p.suite(suite) if s.lane == lane]


def test_the_default_matrix_runs_in_six_lanes_each_in_table_order():
    p = plan_of()
    assert p.lanes == 6 and len(p.suite("matrix")) == len(scenario_table(p.config))
    assert {s.lane for s in p.suite("matrix")} == set(range(6))
    for lane in range(6):
        chain = in_lane_order(p, "matrix", lane)
        assert [s.before for s in chain] == [None] + [s.id for s in chain[:-1]]
        assert all(s.round == 1 and not s.complete and not s.problems for s in chain)
    assert all(s.id.startswith("check_") for s in p.suite("site"))
    assert p.roots == ("/cache/git-annex", "/work/local/clones", "/work/local/src")


def test_a_local_pool_without_room_gets_fewer_lanes():
    assert plan_of(local_slots=7).lanes == 3
    assert plan_of(cores=1, jobs=4).lanes == 2  # a cluster: --jobs 4, 2 clones each


def test_a_complete_scenario_keeps_its_lane_waits_for_nothing_and_holds_up_no_one():
    config = configured()
    first = plan_of(config)
    done = in_lane_order(first, "matrix", 2)[0]
    p = again(config, first, **{done.id: ran(config, first, done.id, [1, 1], lane=2, tickets=[1], snapshots=[1],
                                             writes=[1])})
    s = p.scenarios[done.id]
    assert (s.complete, s.round, s.lane) == (True, 1, 2)
    assert done.id not in p.running()  # no round to open: no rule runs for it
    after = [x for x in in_lane_order(p, "matrix", 2) if x.id != done.id]
    assert after[0].before is None  # the lane's first scenario that runs
    assert done.id not in {x.before for x in p.scenarios.values()}


def test_a_scenario_with_a_record_missing_or_of_another_round_reruns_as_a_whole():
    config = configured()
    first = plan_of(config)
    a, b = in_lane_order(first, "matrix", 0)[:2]
    p = again(config, first, **{a.id: ran(config, first, a.id, [1, None], lane=0),  # clone 1 died without a record
                                b.id: ran(config, first, b.id, [2, 1], lane=0)})
    assert (p.scenarios[a.id].round, p.scenarios[a.id].complete) == (2, False)
    assert p.scenarios[a.id].problems == ("record missing",)
    assert p.scenarios[b.id].round == 3 and "records of rounds [1, 2]" in p.scenarios[b.id].problems
    assert p.files(a.id).ticket == f"results/rounds/{a.id}/round-2.json"
    # b's round opens after a's jobs ended and what they wrote was seen and put back
    assert p.scenarios[b.id].before == a.id and p.files(a.id).writes in p.round_inputs(b.id)


def test_a_round_is_opened_once():
    """An interrupted round's barrier holds its arrivals: the rerun meets at a new one."""
    config = configured()
    first = plan_of(config)
    a, b = in_lane_order(first, "matrix", 1)[:2]
    p = again(config, first, **{a.id: replace(ran(config, first, a.id, [None, None], lane=1), tickets=frozenset({1})),
                                b.id: ran(config, first, b.id, [1, 1], lane=1)})  # complete, its ticket removed
    assert (p.scenarios[a.id].round, p.scenarios[a.id].complete) == (2, False)
    assert (p.scenarios[b.id].round, p.scenarios[b.id].complete) == (2, False)
    assert p.scenarios[b.id].problems == ("round ticket missing",)


def test_a_complete_scenario_whose_writes_cannot_be_observed_runs_again():
    config = configured()
    first = plan_of(config)
    s = first.suite("matrix")[0]
    # its records are complete, but no snapshot was taken before its round
    again_ = again(config, first, **{s.id: ran(config, first, s.id, [1, 1], lane=s.lane, tickets=[1])}).scenarios[s.id]
    assert (again_.complete, again_.round) == (False, 2)
    assert "not observed" in again_.problems[0]


def test_a_complete_scenario_not_yet_compared_is_compared_in_its_lane_order():
    """Its run stopped after its records, before the comparison: it is kept, and
    compared before the next scenario of its lane opens its round."""
    config = configured()
    first = plan_of(config)
    a = in_lane_order(first, "matrix", 0)[0]
    p = again(config, first, **{a.id: ran(config, first, a.id, [1, 1], lane=0, tickets=[1], snapshots=[1])})
    s = p.scenarios[a.id]
    assert (s.complete, s.round, s.compared) == (True, 1, False)
    assert a.id not in p.running() and a.id in p.comparing()
    (b,) = [s for s in p.suite("matrix") if s.before == a.id]
    assert b.lane == 0 and p.files(a.id).writes in p.round_inputs(b.id)


@pytest.mark.parametrize("observed, complete", [
    ({}, True),  # PASS
    ({"outcome": "failed", "cause": "transfer-lock", "evidence": ["transfer already in progress"]}, True),
    ({"outcome": "failed", "cause": "killed", "evidence": ["git-annex killed by signal 9"]}, False),
    ({"outcome": "failed", "cause": "requeued", "evidence": ["it arrived at this barrier before"]}, False),
    ({"barrier": "timeout", "t_get_start": None}, False),
    ({"t_get_start": 1000.0 + 5}, False),  # not concurrent
])
def test_only_an_honest_verdict_completes_a_scenario(observed, complete):
    config = configured()
    first = plan_of(config)
    s = first.suite("matrix")[0]
    progress = ran(config, first, s.id, [1, 1], lane=s.lane, tickets=[1], snapshots=[1], writes=[1],
                   **({"arrival": None, "arrival_evidence": None} if observed.get("outcome") == "failed" else {}),
                   **observed)
    later = again(config, first, **{s.id: progress}).scenarios[s.id]
    assert (later.complete, later.round) == (complete, 1 if complete else 2)
    assert complete or later.problems[0].startswith("INCONCLUSIVE: ")


def test_after_max_rounds_an_inconclusive_scenario_is_kept():
    first = plan_of(configured(max_rounds=2))
    s = first.suite("matrix")[0]
    for max_rounds, (complete, round_) in ((2, (True, 2)), (3, (False, 3))):
        config = configured(max_rounds=max_rounds)
        progress = ran(config, first, s.id, [2, 2], lane=s.lane, tickets=[2], writes=[2], outcome="failed",
                       cause="killed", evidence=["x"], arrival=None, arrival_evidence=None)
        kept = again(config, first, **{s.id: progress}).scenarios[s.id]
        assert (kept.complete, kept.round) == (complete, round_)


def test_every_scenario_snapshots_the_repositories_its_jobs_share():
    p = plan_of()
    for s in p.suite("matrix"):
        shared = p.shared_repositories(s.id)
        manifests = {manifest for _, manifest, _ in shared.values()}
        assert manifests <= set(p.round_inputs(s.id)), s.id  # made before the round opens
        assert ("input RIA store" in shared) == (s.axes["clone_from"] == "ria")
        assert p.files(s.id).needs()["container_source"] in manifests
    lane_0 = p.source_verification_inputs("matrix", "local", 0)
    assert set(lane_0["writes"]) == {p.files(s.id).writes for s in p.suite("matrix") if s.axes["location"] == "local"}


def test_a_lane_makes_only_the_datasets_its_scenarios_read_and_before_they_start():
    p = plan_of()
    for s in p.suite("matrix"):
        reads = set(p.files(s.id).needs().values())
        assert reads <= set(p.round_inputs(s.id)), s.id
        for manifest in reads - {p.files(s.id).needs().get("prefetch")}:
            assert f"/lane-{s.lane}/" in manifest
        ria = p.files(s.id).cloned()
        assert f"storage_sibling-{s.axes['storage_sibling']}_transport-{s.axes['transport']}" in ria
    for lane in range(1, p.lanes):
        made = p.lane_datasets("matrix", "local", lane)
        used = {m for s in in_lane_order(p, "matrix", lane) for m in p.files(s.id).needs().values()}
        assert made["ria"] | made["container_source"] | made["prefetch"] <= used
        assert {s.axes["storage_sibling"] for s in in_lane_order(p, "matrix", lane)} == {
            "on" if "storage_sibling-on" in m else "off" for m in made["ria"]}
    lane_0 = p.lane_datasets("matrix", "local", 0)
    assert lane_0["prefetch"] == {"results/datasets/local/prefetch/size-8M.json"}
    assert "results/datasets/local/lane-0/container_source/size-8M.json" in lane_0["container_source"]


def test_each_lane_in_use_verifies_its_sources_and_lane_0_waits_for_every_clone():
    p = plan_of()
    verifications = p.source_verifications("matrix")
    assert verifications == [f"results/sources/matrix/local/lane-{k}.json" for k in range(6)]
    inputs = p.source_verification_inputs("matrix", "local", 3)
    # after the lane's rounds ended and what their jobs wrote was seen
    assert inputs["writes"] == [p.files(s.id).writes for s in in_lane_order(p, "matrix", 3)]
    assert inputs["lane_0"] == ["results/datasets/local/lane-0/container_source/size-8M.json"]
    assert all("/lane-3/" in m for kind in ("container_source", "source_ds", "ria") for m in inputs[kind])
    lane_0 = p.source_verification_inputs("matrix", "local", 0)
    assert len(lane_0["writes"]) == len(p.suite("matrix")) and lane_0["lane_0"] == []
    site = p.source_verifications("site")
    assert site and all(v.startswith("results/sources/site/") for v in site)


def test_each_clone_job_is_handed_what_it_reads_by_name():
    p = plan_of(configured(workaround=["none", "prefetch"], method=["annex-get", "push-ora"]))
    for s in p.suite("matrix"):
        job = p.clone_job(s.id, 1)
        files = p.files(s.id)
        assert job.clone_dir == f"/work/local/clones/{s.id}/clone-1" and job.round == files.ticket
        if s.family == "push":
            assert job.origin == files.output_repository and job.image is None and job.prefetch is None
            assert set(job.inputs()) == {"location", "git_annex", "round", "origin"}
        else:
            assert job.origin == files.cloned() and job.image == files.needs()["container_source"]
            assert (job.prefetch is not None) == (s.axes["workaround"] == "prefetch")


def test_a_push_scenario_reads_no_input_dataset_and_delivers_into_its_own_round():
    p = plan_of(configured(method=["push-ora"], storage_sibling=["off"], workaround=["none"]))
    for s in p.suite("matrix"):
        files = p.files(s.id)
        assert files.needs() == {} and p.shared_repositories(s.id) == {}
        assert files.output_dir == f"/work/local/src/outputs/{s.id}/round-1"
        assert s.id in p.of_family("push") and files.output_verified in p.output_verifications("matrix")
    assert not any(p.lane_datasets("matrix", "local", 0).values())


def test_a_failed_run_summary_reads_every_expected_clone():
    p = plan_of()
    expected = p.expected_clones("matrix")
    assert len(expected) == 2 * len(p.suite("matrix"))
    e = expected[0]
    s = p.scenarios[e["scenario"]["scenario"]]
    assert e["record"] == layout.RECORD.format(scenario=s.id, clone=0)
    assert e["log"] == f"results/logs/run_clone_job/{s.id}/clone-0.log"
    assert e["probe"] == "results/locations/local.json"


def test_a_babs_scenario_where_babs_cannot_run_is_refused_in_one_line():
    config = configured(method=["babs"])
    with pytest.raises(ValueError, match="^method babs: no SLURM here$"):
        build(config, fresh(config, babs_problem="method babs: no SLURM here"), Executor(2))
    assert plan_of(configured(method=["annex-get"]), fresh(configured(), babs_problem="no SLURM"))
