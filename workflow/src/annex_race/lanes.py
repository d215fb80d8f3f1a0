"""Lanes: scenarios side by side, each lane with origins of its own.

Scenarios that fetch from one origin must not overlap (a second scenario's gets would
race the first's for the same lock), so within a lane they run one after another.
Each lane has its own copy of the dataset chain (container_source -> source_ds ->
input RIA stores, the image hardlinked), so scenarios in different lanes share no
repository and no lock, and run at once.
"""

import re

from .datasets import parse_size

# Snakemake's local executor runs jobs in a pool of --cores + 5 workers (snakemake
# 9.27, executors/local.py); clone jobs hold no core (threads: 0) but each holds a
# worker while it waits at the barrier, so at most this many siblings run at once
LOCAL_EXTRA_WORKERS = 5


def job_slots(cores, jobs):
    """How many clone jobs can run at once: --jobs where a job limit is set (a cluster),
    else the local executor's workers."""
    return jobs if jobs is not None else (cores or 1) + LOCAL_EXTRA_WORKERS


class LaneError(ValueError):
    """A lanes setting the executor cannot honour."""


def resolve_lanes(setting, n_scenarios, n_clones, slots, option):
    """The number of lanes: `setting` (an int, or `auto`: as many as the job `slots`
    allow), never more than there are scenarios. Every lane's clone jobs must be able
    to run at once, else siblings wait at a barrier for a job that cannot start:
    lanes × n_clones <= slots (`option` says how to raise them)."""
    if n_clones > slots:
        raise LaneError(
            f"config key 'n_clones': {n_clones} clone jobs of a scenario must run at once, "
            f"but {option} allows {slots}; {option.split(' ')[0]} {n_clones} or more is needed"
        )
    lanes = max(1, slots // n_clones) if setting == "auto" else int(setting)
    if lanes * n_clones > slots:
        raise LaneError(
            f"config key 'lanes': {lanes} lanes of {n_clones} clone jobs run at once, "
            f"but {option} allows {slots}; use fewer lanes or raise {option.split(' ')[0]}"
        )
    return max(1, min(lanes, n_scenarios))


def _bytes_per_second(bwlimit):
    """annex.bwlimit (e.g. `1MiB`) in bytes per second, None if unlimited."""
    if not bwlimit:
        return None
    number, unit = re.fullmatch(r"([0-9.]+)([KMGT]?)i?B", bwlimit).groups()
    return float(number) * 1024 ** " KMGT".index(unit or " ")


def expected_seconds(row, backoff):
    """A rough guess of how long a scenario takes, to spread the long ones over the
    lanes: its copy where annex.bwlimit says how long (it does not slow the storage
    sibling's copy, and a prefetched image is not copied), about three copies where
    the loser retries with backoff."""
    rate = _bytes_per_second(row["annex_bwlimit"])
    throttled = rate and row.get("storage_sibling") != "on" and row["workaround"] != "prefetch"
    copy = parse_size(row["image_size"]) / rate if throttled else 0.5
    return 3.0 + copy * (3 if row["workaround"] == "retry-backoff" else 1)


def assign_lanes(table, lanes, backoff):
    """Scenario id -> lane, and the scenario before each in its lane (or None): the
    longest expected scenarios first, each to the lane with the least expected work
    so far (ties to the lowest lane), each lane in matrix order. Deterministic."""
    cost = {s: expected_seconds(row, backoff) for s, row in table.iterrows()}
    load = [0.0] * lanes
    lane_of = {}
    for scenario in sorted(table.index, key=lambda s: (-cost[s], list(table.index).index(s))):
        lane = min(range(lanes), key=lambda k: (load[k], k))
        lane_of[scenario] = lane
        load[lane] += cost[scenario]
    previous, last = {}, {}
    for scenario in table.index:  # matrix order within a lane
        previous[scenario] = last.get(lane_of[scenario])
        last[lane_of[scenario]] = scenario
    return lane_of, previous
