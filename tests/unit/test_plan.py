"""The plan, built from the real default configuration without running Snakemake:
lanes, rounds and the order in each lane, the datasets each lane makes, the source
verifications, the free space, and what the summary of a failed run reads."""

import json
import os
from pathlib import Path

import pytest
import yaml
from snakemake.utils import validate

from annex_race import layout, plan
from annex_race.capacity import GIT_ANNEX_INSTALL
from annex_race.locations import Location
from annex_race.scenarios import normalize_axes
from helpers import ROOT, make_record

M = 1024**2


def configured(**overrides):
    """config/config.yaml with `overrides`, as the workflow validates it."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text()) | overrides
    normalize_axes(config)
    validate(config, str(ROOT / "workflow" / "schemas" / "config.schema.yaml"))
    return config


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """The plan reads records at their paths under results/, as the workflow does."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def build(tmp_path, config=None, cores=2, jobs=None, local_slots=None):
    config = config or configured()
    locations = {name: Location(name, tmp_path / name / "src", tmp_path / name / "clones")
                 for name in config["location"]}
    return plan.build(config, locations, tmp_path / "cache", cores, jobs, local_slots,
                      fixed_version="10.20261026")


def write_records(p, scenario, rounds, lane, **observed):
    """Valid records of a scenario; `observed`: fields of its last clone's record."""
    s = p.scenarios[scenario]
    for clone, round_ in enumerate(rounds):
        path = Path(layout.RECORD.format(scenario=scenario, clone=clone))
        path.parent.mkdir(parents=True, exist_ok=True)
        record = make_record(scenario=scenario, clone=clone, n=len(rounds)) | s.axes
        if clone == len(rounds) - 1:
            record |= observed
        path.write_text(json.dumps(record | {"round": round_, "lane": lane}))


def open_ticket(p, scenario, observed=False):
    """The round's ticket; `observed`: and the round's writes (it ran to its end)."""
    for path in [p.round_ticket(scenario)] + ([p.writes(scenario)] if observed else []):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text("{}")


def in_lane_order(p, suite, lane):
    return [s for s in p.suite(suite) if s.lane == lane]


def test_the_default_matrix_runs_in_six_lanes_each_in_table_order(workdir):
    p = build(workdir)
    assert p.lanes == 6 and len(p.suite("matrix")) == 18
    assert {s.lane for s in p.suite("matrix")} == set(range(6))
    for lane in range(6):
        chain = in_lane_order(p, "matrix", lane)
        assert [s.before for s in chain] == [None] + [s.id for s in chain[:-1]]
        assert all(s.round == 1 and not s.complete and not s.problems for s in chain)
    assert all(s.id.startswith("check_") for s in p.suite("site"))


def test_a_local_pool_without_room_gets_fewer_lanes(workdir):
    assert build(workdir, local_slots=7).lanes == 3
    assert build(workdir, cores=1, jobs=4).lanes == 2  # a cluster: --jobs 4, 2 clones each


def test_a_complete_scenario_keeps_its_lane_waits_for_nothing_and_holds_up_no_one(workdir):
    first = build(workdir)
    done = in_lane_order(first, "matrix", 2)[0]
    write_records(first, done.id, [1, 1], lane=2)
    open_ticket(first, done.id, observed=True)
    p = build(workdir)
    s = p.scenarios[done.id]
    assert (s.complete, s.round, s.lane) == (True, 1, 2)
    assert done.id not in p.running()  # no round to open: no rule runs for it
    after = [x for x in in_lane_order(p, "matrix", 2) if x.id != done.id]
    assert after[0].before is None  # the lane's first scenario that runs
    assert done.id not in {x.before for x in p.scenarios.values()}


def test_a_scenario_with_a_record_missing_or_of_another_round_reruns_as_a_whole(workdir):
    first = build(workdir)
    a, b = in_lane_order(first, "matrix", 0)[:2]
    write_records(first, a.id, [1], lane=0)  # clone 1 died without a record
    write_records(first, b.id, [2, 1], lane=0)
    p = build(workdir)
    assert (p.scenarios[a.id].round, p.scenarios[a.id].complete) == (2, False)
    assert p.scenarios[a.id].problems == ("record missing",)
    assert p.scenarios[b.id].round == 3 and "records of rounds [1, 2]" in p.scenarios[b.id].problems
    assert p.round_ticket(a.id) == f"results/rounds/{a.id}/round-2.json"
    # b's round opens after a's jobs ended and what they wrote was seen and put back
    assert p.scenarios[b.id].before == a.id and p.writes(a.id) in p.round_inputs(b.id)


def test_a_round_is_opened_once(workdir):
    """An interrupted round's barrier holds its arrivals: the rerun meets at a new one."""
    first = build(workdir)
    a, b = in_lane_order(first, "matrix", 1)[:2]
    open_ticket(first, a.id)  # opened, then the run was stopped before any record
    write_records(first, b.id, [1, 1], lane=1)  # complete, but its ticket was removed
    p = build(workdir)
    assert (p.scenarios[a.id].round, p.scenarios[a.id].complete) == (2, False)
    assert (p.scenarios[b.id].round, p.scenarios[b.id].complete) == (2, False)
    assert p.scenarios[b.id].problems == ("round ticket missing",)


def test_a_complete_scenario_whose_writes_cannot_be_observed_runs_again(workdir):
    first = build(workdir)
    s = first.suite("matrix")[0]
    write_records(first, s.id, [1, 1], lane=s.lane)
    open_ticket(first, s.id)  # its records are complete, but no snapshot was taken before
    again = build(workdir).scenarios[s.id]
    assert (again.complete, again.round) == (False, 2)
    assert "not observed" in again.problems[0]


def test_a_complete_scenario_not_yet_compared_is_compared_in_its_lane_order(workdir):
    """Its run stopped after its records, before the comparison: it is kept, and
    compared before the next scenario of its lane opens its round."""
    first = build(workdir)
    a, b = in_lane_order(first, "matrix", 0)[:2]
    write_records(first, a.id, [1, 1], lane=0)
    open_ticket(first, a.id)
    Path(first.snapshot(a.id)).parent.mkdir(parents=True, exist_ok=True)
    Path(first.snapshot(a.id)).write_text("{}")
    p = build(workdir)
    s = p.scenarios[a.id]
    assert (s.complete, s.round, s.compared) == (True, 1, False)
    assert a.id not in p.running() and a.id in p.comparing()
    assert p.scenarios[b.id].before == a.id and p.writes(a.id) in p.round_inputs(b.id)


def test_every_scenario_snapshots_the_repositories_its_jobs_share(workdir):
    p = build(workdir)
    for s in p.suite("matrix"):
        shared = p.shared_repositories(s.id)
        manifests = {manifest for _, manifest, _ in shared.values()}
        assert manifests <= set(p.round_inputs(s.id)), s.id  # made before the round opens
        assert ("input RIA store" in shared) == (s.axes["clone_from"] == "ria")
        assert p.datasets(s.id)["container_source"] in manifests
    lane_0 = p.source_verification_inputs("matrix", "local", 0)
    assert set(lane_0["writes"]) == {p.writes(s.id) for s in p.suite("matrix") if s.axes["location"] == "local"}


def test_a_lane_makes_only_the_datasets_its_scenarios_read_and_before_they_start(workdir):
    p = build(workdir)
    for s in p.suite("matrix"):
        reads = set(p.datasets(s.id).values())
        assert reads <= set(p.round_inputs(s.id)), s.id
        for manifest in reads - {p.datasets(s.id).get("prefetch")}:
            assert f"/lane-{s.lane}/" in manifest
        ria = p.datasets(s.id)["cloned"]
        assert f"storage_sibling-{s.axes['storage_sibling']}_transport-{s.axes['transport']}" in ria
    for lane in range(1, p.lanes):
        made = p.lane_datasets("matrix", "local", lane)
        used = {m for s in in_lane_order(p, "matrix", lane) for m in p.datasets(s.id).values()}
        assert made["ria"] | made["container_source"] | made["prefetch"] <= used
        assert {s.axes["storage_sibling"] for s in in_lane_order(p, "matrix", lane)} == {
            "on" if "storage_sibling-on" in m else "off" for m in made["ria"]}
    lane_0 = p.lane_datasets("matrix", "local", 0)
    assert lane_0["prefetch"] == {"results/datasets/local/prefetch/size-8M.json"}
    assert "results/datasets/local/lane-0/container_source/size-8M.json" in lane_0["container_source"]


def test_each_lane_in_use_verifies_its_sources_and_lane_0_waits_for_every_clone(workdir):
    p = build(workdir)
    checks = p.source_verifications("matrix")
    assert checks == [f"results/sources/matrix/local/lane-{k}.json" for k in range(6)]
    inputs = p.source_verification_inputs("matrix", "local", 3)
    # after the lane's rounds ended and what their jobs wrote was seen
    assert inputs["writes"] == [p.writes(s.id) for s in in_lane_order(p, "matrix", 3)]
    assert inputs["lane_0"] == ["results/datasets/local/lane-0/container_source/size-8M.json"]
    assert all("/lane-3/" in m for kind in ("container_source", "source_ds", "ria") for m in inputs[kind])
    lane_0 = p.source_verification_inputs("matrix", "local", 0)
    assert len(lane_0["writes"]) == len(p.suite("matrix")) and lane_0["lane_0"] == []
    site = p.source_verifications("site")
    assert site and all(c.startswith("results/sources/site/") for c in site)


def test_free_space_counts_full_copies_only_where_hardlinks_do_not_work(workdir):
    config = configured(storage_sibling="on", method="annex-get", git_annex="10.20261026",
                        workaround="none", lanes=1)
    p = build(workdir, config)
    (s,) = p.suite("matrix")
    source, clones, cache = p.space_needs(False, ["10.20261026"], hardlinked=lambda name: True)
    # lane 0: the image in container_source and in the store, the store's
    # verification's copy and the prefetched copy of `snakemake check`'s scenarios
    # (planned beside the matrix); source_ds links container_source's image
    assert (source.key, source.nbytes) == ("locations.local.source_root", 4 * 8 * M)
    assert (clones.key, clones.nbytes) == ("locations.local.clone_root", 2 * 8 * M)
    assert (cache.key, cache.nbytes) == ("git_annex_cache", GIT_ANNEX_INSTALL)
    unlinked = p.space_needs(True, [], hardlinked=lambda name: False)
    assert unlinked[0].nbytes == 5 * 8 * M  # source_ds holds a copy too
    assert unlinked[1].nbytes == 12 * 8 * M and unlinked[2].nbytes == 0  # every clone kept: 6 scenarios
    made = {p.datasets(s.id)["container_source"]}  # a dataset that exists costs nothing
    again = p.space_needs(False, [], hardlinked=lambda name: True, exists=made.__contains__)
    assert again[0].nbytes == 3 * 8 * M


def test_a_failed_run_summary_reads_every_expected_clone(workdir):
    p = build(workdir)
    expected = p.expected_clones("matrix")
    assert len(expected) == 36
    e = expected[0]
    s = p.scenarios[e["scenario"]["scenario"]]
    assert e["record"] == f"results/records/{s.id}/clone-0.json"
    assert e["log"] == f"results/logs/clone_and_get/{s.id}/clone-0.log"
    assert e["probe"] == "results/locations/local.json"
    assert json.loads(json.dumps(e["scenario"])) == e["scenario"]  # plain values


def test_a_job_process_loads_the_plan_the_main_process_wrote(workdir):
    p = build(workdir)
    p.write()
    loaded = plan.load()
    assert loaded == p
    s = next(iter(p.scenarios))
    assert (loaded.datasets(s), loaded.round_inputs(s)) == (p.datasets(s), p.round_inputs(s))


def test_a_job_without_a_plan_says_so_in_one_line(workdir):
    with pytest.raises(plan.PlanMissing, match="results/plan.json: no plan"):
        plan.load()


def test_a_second_run_in_the_same_directory_is_refused_while_the_first_holds_its_plan(workdir):
    p = build(workdir)
    p.write()  # this process: the first run
    script = ("from annex_race import plan; import sys; "
              "plan.Plan(1, {}, {}, (), '/c').write()")
    import subprocess
    import sys
    second = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=workdir)
    assert second.returncode != 0
    assert f"another run of annex-race in this directory (pid {os.getpid()})" in second.stderr
    assert plan.load() == p  # the first run's plan stands
    p.write()  # the holder itself may write again


@pytest.mark.parametrize("observed, complete", [
    ({}, True),  # PASS
    ({"outcome": "failed", "cause": "transfer-lock", "evidence": ["transfer already in progress"]}, True),
    ({"outcome": "failed", "cause": "killed", "evidence": ["git-annex killed by signal 9"]}, False),
    ({"outcome": "failed", "cause": "requeued", "evidence": ["it arrived at this barrier before"]}, False),
    ({"barrier": "timeout", "t_get_start": None}, False),
    ({"t_get_start": 1000.0 + 5}, False),  # not concurrent
])
def test_only_an_honest_verdict_completes_a_scenario(workdir, observed, complete):
    first = build(workdir)
    s = first.suite("matrix")[0]
    write_records(first, s.id, [1, 1], lane=s.lane, **observed)
    open_ticket(first, s.id, observed=True)
    again = build(workdir).scenarios[s.id]
    assert (again.complete, again.round) == (complete, 1 if complete else 2)
    assert complete or again.problems[0].startswith("INCONCLUSIVE: ")


def test_after_max_rounds_an_inconclusive_scenario_is_kept(workdir):
    first = build(workdir, configured(max_rounds=2))
    s = first.suite("matrix")[0]
    write_records(first, s.id, [2, 2], lane=s.lane, outcome="failed", cause="killed", evidence=["x"])
    for pattern in (layout.ROUND, layout.WRITES):
        Path(pattern.format(scenario=s.id, round=2)).parent.mkdir(parents=True, exist_ok=True)
        Path(pattern.format(scenario=s.id, round=2)).write_text("{}")
    kept = build(workdir, configured(max_rounds=2)).scenarios[s.id]
    assert (kept.complete, kept.round) == (True, 2)
    assert build(workdir, configured(max_rounds=3)).scenarios[s.id].round == 3
