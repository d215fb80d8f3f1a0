"""Lanes: how many, and which scenario runs in which."""

import pandas as pd
import pytest

from annex_race.lanes import LaneError, assign_lanes, expected_seconds, job_slots, resolve_lanes

BACKOFF = {"annex_retry": 12, "annex_retry_delay": 1}


def table(workarounds):
    rows = [{"image_size": "8M", "annex_bwlimit": "1MiB", "workaround": w} for w in workarounds]
    return pd.DataFrame(rows, index=[f"s{i}" for i in range(len(rows))])


@pytest.mark.parametrize(
    "setting, scenarios, n_clones, cores, jobs, lanes",
    [
        ("auto", 18, 2, 2, None, 3),  # local, 2 cores: 7 workers for siblings that wait
        ("auto", 2, 2, 2, None, 2),  # never more lanes than scenarios
        ("auto", 18, 2, 1, 10, 5),  # a cluster: as many as --jobs allows
        ("auto", 18, 8, 1, 8, 1),
        (2, 18, 2, 2, None, 2),
        (4, 18, 2, 1, 8, 4),
    ],
)
def test_how_many_lanes(setting, scenarios, n_clones, cores, jobs, lanes):
    assert resolve_lanes(setting, scenarios, n_clones, job_slots(cores, jobs), "--jobs") == lanes


@pytest.mark.parametrize(
    "args, message",
    [
        ((4, 18, 2, 6, "--jobs"), "config key 'lanes': 4 lanes of 2 clone jobs run at once, but --jobs allows 6"),
        (("auto", 18, 16, 7, "--cores (2, + 5 for jobs that wait)"),
         "config key 'n_clones': 16 clone jobs of a scenario must run at once, "
         "but --cores (2, + 5 for jobs that wait) allows 7"),
    ],
)
def test_more_siblings_than_can_run_at_once_are_refused_naming_the_key(args, message):
    with pytest.raises(LaneError, match=message.replace("(", r"\(").replace(")", r"\)").replace("+", r"\+")):
        resolve_lanes(*args)


def test_the_long_scenarios_are_spread_over_the_lanes():
    t = table(["none", "retry-backoff", "none", "retry-backoff", "none", "retry-backoff"])
    assert expected_seconds(t.loc["s1"], BACKOFF) > expected_seconds(t.loc["s0"], BACKOFF)
    lane_of, previous = assign_lanes(t, 3, BACKOFF)
    assert sorted(lane_of[s] for s in ("s1", "s3", "s5")) == [0, 1, 2]
    # within a lane, matrix order: each waits for the one before it there
    for scenario, before in previous.items():
        if before:
            assert lane_of[before] == lane_of[scenario]
            assert list(t.index).index(before) < list(t.index).index(scenario)
    assert sum(before is None for before in previous.values()) == 3


def test_one_lane_is_the_matrix_in_order():
    t = table(["none"] * 4)
    lane_of, previous = assign_lanes(t, 1, BACKOFF)
    assert set(lane_of.values()) == {0}
    assert previous == {"s0": None, "s1": "s0", "s2": "s1", "s3": "s2"}
