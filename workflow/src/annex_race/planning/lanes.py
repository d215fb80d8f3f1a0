"""Lanes: scenarios side by side, each lane with origins of its own.

Scenarios that fetch from one origin must not overlap (a second scenario's gets would
race the first's for the same lock), so within a lane they run one after another.
Each lane has its own copy of the dataset chain (container_source -> source_ds ->
input RIA stores, the image hardlinked; only the datasets its scenarios use), so
scenarios in different lanes share no repository and no lock, and run at once.
"""

import re

from ..core.image import parse_size

# On the local executor, clone jobs hold no core and are never queued behind each
# other (compat.make_room_for_waiting_jobs): about this many per core keep 2 cores
# busy, while more crowd out each other's clone and the lanes' dataset jobs
# (benchmarks/lanes.py --lanes N: on 2 cores, 8 lanes of 2 clones were slower than 6)
LOCAL_CLONES_PER_CORE = 6


class LaneError(ValueError):
    """A lanes setting the executor cannot honour."""


def resolve_lanes(setting, n_scenarios, n_clones, cores, jobs, local_slots=None):
    """The number of lanes: `setting` (an int, or `auto`), never more than there are
    scenarios. On a cluster (`jobs`: --jobs) every lane's clone jobs must be able to
    run at once, else siblings wait at a barrier for a job that cannot start:
    lanes x n_clones <= jobs, and `auto` is as many as that allows. On the local
    executor every job Snakemake starts runs, and `auto` is LOCAL_CLONES_PER_CORE
    clone jobs per core; where it runs only `local_slots` jobs at once (its pool
    could not be given room, see compat), no more lanes than those slots hold."""
    if jobs is not None and n_clones > jobs:
        raise LaneError(
            f"config key 'n_clones': {n_clones} clone jobs of a scenario must run at once, "
            f"but --jobs allows {jobs}; --jobs {n_clones} or more is needed"
        )
    if setting == "auto":
        slots = jobs if jobs is not None else LOCAL_CLONES_PER_CORE * (cores or 1)
        lanes = max(1, slots // n_clones)
    else:
        lanes = int(setting)
    if jobs is not None and lanes * n_clones > jobs:
        raise LaneError(
            f"config key 'lanes': {lanes} lanes of {n_clones} clone jobs run at once, "
            f"but --jobs allows {jobs}; use fewer lanes or raise --jobs"
        )
    if jobs is None and local_slots is not None:
        lanes = min(lanes, local_slots // n_clones)
        if lanes < 1:
            raise LaneError(
                f"config key 'n_clones': {n_clones} clone jobs of a scenario must run at once, "
                f"but the local executor runs {local_slots} jobs at once; raise --cores"
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
    the loser retries with backoff; a clone from a store with a storage sibling
    installs `containers` from the store too (about 3 s more, measured on 2 cores)."""
    rate = _bytes_per_second(row["annex_bwlimit"])
    on = row.get("storage_sibling") == "on"
    throttled = rate and not on and row["workaround"] != "prefetch"
    copy = parse_size(row["image_size"]) / rate if throttled else 0.5
    return 3.0 + 3.0 * on + copy * (3 if row["workaround"] == "retry-backoff" else 1)


def lane_datasets(row):
    """What a scenario needs made in its lane (see plan.Plan.lane_datasets):
    container_source and source_ds, and the input RIA
    store it clones, by what tells them apart."""
    chain = (row.get("location"), row["image_size"], row.get("transport"))
    if row.get("clone_from", "ria") != "ria":
        return ("source_ds", *chain)
    return ("ria", row.get("storage_sibling", "off"), *chain)


def share_lanes(work, lanes, scenarios):
    """Lanes per group of scenarios, by the groups' expected `work` (D'Hondt: each
    further lane to the group with the most work per lane if it had it), at least
    one each, never more than the group has `scenarios`. There must be no more
    groups than lanes."""
    count = dict.fromkeys(work, 1)
    for _ in range(lanes - len(work)):
        open_ = [g for g in work if count[g] < scenarios[g]]
        if not open_:
            break
        count[max(open_, key=lambda g: work[g] / (count[g] + 1))] += 1
    return count


def assign_lanes(table, lanes, backoff, kept=None):
    """Scenario id -> lane. Scenarios in `kept` (id -> lane: those that ran, complete) keep their lane, so
    that a later slice of the matrix makes no dataset for scenarios it does not run.

    Scenarios that need the same datasets made share lanes, so that a lane makes
    only what its scenarios use: the lanes are shared out among such groups by their
    expected work (a group per lane, the groups with the most work first, where
    there are fewer lanes than groups). Within a group, the longest expected
    scenarios first, each to the group's lane with the least expected work so far
    (ties to the lowest lane); each lane in matrix order. Deterministic."""
    kept = {s: lane for s, lane in (kept or {}).items() if s in table.index}
    order = list(table.index)
    table = table.drop(index=list(kept))
    cost = {s: expected_seconds(row, backoff) for s, row in table.iterrows()}
    groups = {}
    for s, row in table.iterrows():
        groups.setdefault(lane_datasets(row), []).append(s)
    work = {g: sum(cost[s] for s in members) for g, members in groups.items()}
    by_work = sorted(groups, key=lambda g: (-work[g], order.index(groups[g][0])))
    lanes_of = {}  # group -> its lanes
    if len(groups) > lanes:  # whole groups, each to the least loaded lane
        work_in = [0.0] * lanes
        for g in by_work:
            lane = min(range(lanes), key=lambda k: (work_in[k], k))
            lanes_of[g] = [lane]
            work_in[lane] += work[g]
    else:
        count, first = share_lanes(work, lanes, {g: len(m) for g, m in groups.items()}), 0
        for g in by_work:
            lanes_of[g], first = list(range(first, first + count[g])), first + count[g]
    load = [0.0] * lanes
    lane_of = dict(kept)
    for g in by_work:
        for scenario in sorted(groups[g], key=lambda s: (-cost[s], order.index(s))):
            lane = min(lanes_of[g], key=lambda k: (load[k], k))
            lane_of[scenario] = lane
            load[lane] += cost[scenario]
    return lane_of
