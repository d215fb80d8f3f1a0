"""Lanes: how many, and which scenario runs in which."""

import pandas as pd
import pytest

from annex_race.planning.lanes import LaneError, assign_lanes, expected_seconds, resolve_lanes, share_lanes

BACKOFF = {"annex_retry": 12, "annex_retry_delay": 1}


def table(workarounds):
    rows = [{"image_size": "8M", "annex_bwlimit": "1MiB", "workaround": w} for w in workarounds]
    return pd.DataFrame(rows, index=[f"s{i}" for i in range(len(rows))])


@pytest.mark.parametrize(
    "setting, scenarios, n_clones, cores, jobs, lanes",
    [
        ("auto", 18, 2, 2, None, 6),  # local, 2 cores: 6 clone jobs per core
        ("auto", 2, 2, 2, None, 2),  # never more lanes than scenarios
        ("auto", 18, 16, 2, None, 1),  # local: 16 siblings still run at once
        ("auto", 18, 2, 1, 10, 5),  # a cluster: as many as --jobs allows
        ("auto", 18, 8, 1, 8, 1),
        (2, 18, 2, 2, None, 2),
        (9, 18, 2, 2, None, 9),  # local: any number, every job started runs
        (4, 18, 2, 1, 8, 4),
    ],
)
def test_how_many_lanes(setting, scenarios, n_clones, cores, jobs, lanes):
    assert resolve_lanes(setting, scenarios, n_clones, cores, jobs) == lanes


@pytest.mark.parametrize(
    "args, message",
    [
        ((4, 18, 2, 1, 6), "config key 'lanes': 4 lanes of 2 clone jobs run at once, but --jobs allows 6"),
        (("auto", 18, 16, 1, 7), "config key 'n_clones': 16 clone jobs of a scenario must run at once, "
                                 "but --jobs allows 7; --jobs 16 or more is needed"),
    ],
)
def test_more_siblings_than_a_cluster_runs_at_once_are_refused_naming_the_key(args, message):
    with pytest.raises(LaneError, match=message):
        resolve_lanes(*args)


def test_the_long_scenarios_are_spread_over_the_lanes():
    t = table(["none", "retry-backoff", "none", "retry-backoff", "none", "retry-backoff"])
    assert expected_seconds(t.loc["s1"], BACKOFF) > expected_seconds(t.loc["s0"], BACKOFF)
    lane_of = assign_lanes(t, 3, BACKOFF)
    assert sorted(lane_of[s] for s in ("s1", "s3", "s5")) == [0, 1, 2]
    assert sorted(lane_of[s] for s in ("s0", "s2", "s4")) == [0, 1, 2]


def test_one_lane_is_the_matrix_in_order():
    t = table(["none"] * 4)
    assert assign_lanes(t, 1, BACKOFF) == {"s0": 0, "s1": 0, "s2": 0, "s3": 0}


def matrix(storage_siblings, workaround="none"):
    rows = [{"location": "local", "image_size": "8M", "transport": "local", "clone_from": "ria",
             "storage_sibling": ss, "annex_bwlimit": "1MiB", "workaround": workaround}
            for ss in storage_siblings]
    return pd.DataFrame(rows, index=[f"s{i}" for i in range(len(rows))])


def test_scenarios_that_need_the_same_store_share_lanes():
    """A lane makes only the datasets its scenarios use: the store with a storage
    sibling in as few lanes as their work needs, not in every lane."""
    t = matrix(["off", "on"] * 6)
    lane_of = assign_lanes(t, 4, BACKOFF)
    on = {lane_of[s] for s in t.index if t.loc[s, "storage_sibling"] == "on"}
    off = {lane_of[s] for s in t.index if t.loc[s, "storage_sibling"] == "off"}
    assert not on & off
    assert on | off == {0, 1, 2, 3}  # every lane used
    assert len(off) > len(on)  # an unthrottled get from the store is the shorter one


def test_more_kinds_of_scenario_than_lanes_put_whole_kinds_in_a_lane():
    t = matrix(["off", "on", "off", "on"])
    t.loc[["s2", "s3"], "image_size"] = "16M"  # four kinds: two sizes, two stores
    lane_of = assign_lanes(t, 2, BACKOFF)
    assert set(lane_of.values()) == {0, 1}


def test_lanes_are_shared_out_by_work():
    many = {"a": 9, "b": 9}
    assert share_lanes({"a": 100.0, "b": 10.0}, 6, many) == {"a": 5, "b": 1}
    assert share_lanes({"a": 30.0, "b": 30.0}, 4, many) == {"a": 2, "b": 2}
    assert share_lanes({"a": 1.0, "b": 100.0}, 2, many) == {"a": 1, "b": 1}  # at least one each
    # never more lanes than a group has scenarios: the rest go to the others
    assert share_lanes({"a": 33.0, "b": 19.5}, 6, {"a": 3, "b": 3}) == {"a": 3, "b": 3}
    assert share_lanes({}, 3, {}) == {}


def test_six_scenarios_of_two_kinds_use_six_lanes():
    lane_of = assign_lanes(matrix(["off"] * 3 + ["on"] * 3), 6, BACKOFF)
    assert sorted(lane_of.values()) == [0, 1, 2, 3, 4, 5]


def test_a_scenario_that_ran_keeps_its_lane():
    """A later slice of the matrix (or a rerun) must not move what it does not run."""
    t = matrix(["off", "on"] * 3)
    lane_of = assign_lanes(t, 3, BACKOFF, kept={"s1": 2, "s3": 2, "s5": 2, "other": 0})
    assert [lane_of[s] for s in ("s1", "s3", "s5")] == [2, 2, 2]
    assert "other" not in lane_of
    everything_kept = assign_lanes(t, 3, BACKOFF, kept=dict.fromkeys(t.index, 1))
    assert set(everything_kept.values()) == {1}


def test_a_local_pool_without_room_caps_the_lanes_at_what_it_runs_at_once():
    """compat could not give the local executor's pool room: (cores + 5) // n_clones."""
    assert resolve_lanes("auto", 18, 2, 2, None, local_slots=7) == 3
    assert resolve_lanes(9, 18, 2, 2, None, local_slots=7) == 3
    assert resolve_lanes("auto", 18, 2, 2, 10, local_slots=7) == 5  # a cluster: --jobs decides
    with pytest.raises(LaneError, match="config key 'n_clones': 8 clone jobs .* runs 7 jobs at once"):
        resolve_lanes("auto", 18, 8, 2, None, local_slots=7)
