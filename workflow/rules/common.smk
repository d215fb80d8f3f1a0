# Configuration checks, the scenario table and the input functions of all rules.
import json
import os
import sys
import time
from argparse import Namespace
from pathlib import Path

import pandas as pd

from snakemake.exceptions import WorkflowError
from snakemake.logging import logger
from snakemake.utils import validate

try:
    from annex_race import versions
    from annex_race.capacity import (
        GIT_ANNEX_INSTALL,
        Need,
        check_free_space,
        hardlinks_likely,
    )
    from annex_race.datasets import parse_size
    from annex_race.lanes import LaneError, assign_lanes, resolve_lanes
    from annex_race.local_pool_patch import widen_local_pool
    from annex_race.locations import check_locations
    from annex_race.paths import check_root
    from annex_race.rounds import open_round, scenario_round
    from annex_race.scenarios import AXES, check_table, normalize_axes, scenario_table
    from annex_race.slurm_state_patch import apply_slurm_state_patch
    from annex_race.reporting import CARD
    from annex_race.summary import OUTPUTS, collect_records, write_results
except ModuleNotFoundError as e:
    raise WorkflowError(
        f"{e.msg}: set up with `bash tools/setup.sh` and activate .venv"
    ) from None


RUN_STARTED = time.time()  # a clone job that started earlier belongs to another run
# snakemake-executor-plugin-slurm 2.8.0 never sees `CANCELLED by <uid>` as failed and
# waits for such a job forever: read every SLURM state by its first word
apply_slurm_state_patch(workflow)


# ---- configuration: every check runs before anything is created ---------------


def config_error(error):
    """One line naming the offending config key by its full path (`backoff.annex_retry`,
    `locations.laptop.source_root`, `scenarios[0]`); an axis's value is named by
    itself, not by its place in the list (`--config` gives a one-value list)."""
    parts = [str(p) for p in error.absolute_path]
    if len(parts) == 2 and parts[0] in AXES:
        parts.pop()
    path = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in parts).lstrip(".")
    return (
        f"config key '{path}': {error.message}" if path else f"config: {error.message}"
    )


normalize_axes(config)
try:
    validate(config, schema="../schemas/config.schema.yaml")
except WorkflowError as e:  # validate() wraps jsonschema's error in a multi-line one
    raise WorkflowError(config_error(e.__context__)) from None
try:  # each raises ValueError with one line naming the key
    GIT_ANNEX_CACHE = check_root(
        "git_annex_cache", config["git_annex_cache"], workflow.basedir
    )
    # a job Snakemake started takes the list the main process cached
    config["git_annex"] = versions.expand_versions(
        config["git_annex"],
        GIT_ANNEX_CACHE,
        max_age=versions.DAY if workflow.is_main_process else None,
    )
    MATRIX = scenario_table(config)  # what `snakemake` runs
    # what `snakemake check` runs, with the newest release configured as the upgrade
    upgrade = [v for v in config["git_annex"] if v != versions.SYSTEM]
    CHECK = check_table(config, max(upgrade, key=versions.version_key, default=None))
    SCENARIOS = pd.concat([MATRIX, CHECK])  # every scenario a rule may run
    LOCATIONS = check_locations(
        config["locations"], SCENARIOS["location"].unique(), workflow.basedir
    )
except ValueError as e:
    raise WorkflowError(str(e)) from None
# the only trees the workflow ever deletes in (paths.safe_remove)
ROOTS = sorted(
    {
        str(root)
        for loc in LOCATIONS.values()
        for root in (loc.source_root, loc.clone_root)
    }
    | {str(GIT_ANNEX_CACHE)}
)


def check_git_annex_versions():
    """Refuse a git-annex version PyPI does not have, before anything is made. The
    index is asked only about versions neither installed nor in the cached list,
    and never by a job that Snakemake started (it re-reads this file)."""
    if not workflow.is_main_process:
        return
    unknown = versions.unknown_versions(
        SCENARIOS["git_annex"].unique(), GIT_ANNEX_CACHE
    )
    if unknown is None:
        logger.warning(
            "annex-race: the package index cannot be reached to check the git-annex "
            "versions; installing them will tell"
        )
    elif unknown:
        raise WorkflowError(
            f"config key 'git_annex': {unknown[0]} is not a version of PyPI's git-annex package"
        )


check_git_annex_versions()
# the site's git-annex, resolved afresh by every run (never the environment's copy);
# if only `snakemake check` would use it, a failure to find it is said when it does
SYSTEM_GIT_ANNEX = None
if workflow.is_main_process:
    try:
        SYSTEM_GIT_ANNEX = versions.resolve_system(
            config["git_annex_system"], [Path(sys.executable).parent, GIT_ANNEX_CACHE]
        )
    except versions.VersionError as e:
        if versions.SYSTEM in MATRIX["git_annex"].values:
            raise WorkflowError(str(e)) from None
        SYSTEM_GIT_ANNEX = {"error": str(e)}
    if versions.SYSTEM in MATRIX["git_annex"].values:
        logger.info(
            f"annex-race: git_annex system is {SYSTEM_GIT_ANNEX['reported']} "
            f"({SYSTEM_GIT_ANNEX['source']})"
        )


# ---- rounds: the scenario is the unit of work ------------------------------------


def get_records(scenario):
    n = SCENARIOS.loc[scenario, "n_clones"]
    return [f"results/records/{scenario}/clone-{clone}.json" for clone in range(n)]


def check_rounds():
    """The round each scenario's clones run in (annex_race.rounds), from its records.
    A scenario with some records missing, unreadable or of different rounds reruns
    as a whole: say so before it does."""
    rounds = {s: scenario_round(get_records(s)) for s in SCENARIOS.index}
    for scenario, r in rounds.items():
        if r.problems and workflow.is_main_process:
            logger.info(
                f"annex-race: scenario {scenario} is incomplete ({'; '.join(r.problems)}): "
                f"all its {SCENARIOS.loc[scenario, 'n_clones']} clones rerun, round {r.number}"
            )
    return rounds


ROUNDS = check_rounds()
# the scenarios that run (not complete): only they take a turn (rule take_turn)
TO_RUN = [s for s, r in ROUNDS.items() if not r.complete]


# ---- lanes: which scenarios run side by side ------------------------------------

try:
    # a scenario's clone jobs must all run at once (lanes × n_clones of them); a job
    # Snakemake started needs no lanes (only local rules' inputs depend on them)
    LANES = (
        resolve_lanes(
            config["lanes"],
            max(len(MATRIX), len(CHECK)),
            int(SCENARIOS["n_clones"].max()),
            workflow.resource_settings.cores,
            workflow.resource_settings.nodes,  # --jobs: set for a cluster
        )
        if workflow.is_main_process
        else 1
    )
except LaneError as e:
    raise WorkflowError(str(e)) from None
# which lane each scenario runs in, and the scenario before it there; a complete
# scenario keeps the lane it ran in (a slice makes no dataset for what it keeps)
KEPT_LANES = {s: r.lane for s, r in ROUNDS.items() if r.complete}
# `snakemake` and `snakemake check` run on their own (see get_check_inputs), so each
# has its own chains in the same lanes
LANE_OF, PREVIOUS = (
    {**m, **c}
    for m, c in zip(
        assign_lanes(MATRIX, LANES, config["backoff"], KEPT_LANES),
        assign_lanes(CHECK, LANES, config["backoff"], KEPT_LANES),
    )
)
if workflow.resource_settings.nodes is None:
    # the local executor queues jobs beyond --cores + 5, even those with threads: 0
    # such as clone jobs; a sibling queued behind the others would never reach them
    widen_local_pool(workflow, LANES * int(SCENARIOS["n_clones"].max()))
if workflow.is_main_process:
    logger.info(
        f"annex-race: {len(MATRIX)} scenarios in {len(set(map(LANE_OF.get, MATRIX.index)))} lanes"
    )
    for loc in LOCATIONS.values():
        logger.info(
            f"annex-race: location {loc.name}: source_root {loc.source_root}, "
            f"clone_root {loc.clone_root}"
        )


wildcard_constraints:
    scenario="|".join(SCENARIOS.index),
    location="|".join(LOCATIONS),
    part="matrix|check",
    clone=r"\d+",
    round=r"\d+",
    size=r"[1-9][0-9]*[KMG]?",
    ss="on|off",
    via="(_via-ssh)?",
    version=r"system|[0-9]+\.[0-9]{8}(\.post[0-9]+)?",


# ---- where the datasets live ---------------------------------------------------


def get_system_git_annex(wildcards):
    """What `system` resolved to in this run (a param: when it changes, the install
    and the scenarios that use it run again)."""
    return SYSTEM_GIT_ANNEX if wildcards.version == versions.SYSTEM else None


def get_dataset_dir(wildcards, output):
    """The dataset whose manifest is `output[0]` lives at the same relative path
    under its location's source_root: results/datasets/local/source_ds/size-8M.json
    describes <source_root of local>/source_ds/size-8M."""
    manifest = Path(output[0]).relative_to(f"results/datasets/{wildcards.location}")
    return str(LOCATIONS[wildcards.location].source_root / manifest.with_suffix(""))


def get_location_roots(wildcards):
    loc = LOCATIONS[wildcards.location]
    return {"source_root": str(loc.source_root), "clone_root": str(loc.clone_root)}


def get_clone_dir(wildcards):
    location = LOCATIONS[SCENARIOS.loc[wildcards.scenario, "location"]]
    return str(location.clone_root / wildcards.scenario / f"clone-{wildcards.clone}")


# ---- the scenarios -------------------------------------------------------------


def get_scenario(wildcards):
    """The scenario's axis values, as plain Python values for the record."""
    row = SCENARIOS.loc[[wildcards.scenario], list(AXES)].to_dict("records")[0]
    return {"scenario": wildcards.scenario, **row}


def get_manifest(location, kind, size, lane=0, ss=None, transport="local"):
    """Where a dataset's manifest is (see the rules in datasets.smk). Over ssh, clones
    reach container_source through source_ds's .gitmodules URL, so source_ds and its
    stores have an ssh variant."""
    if kind == "prefetch":  # one for all lanes, from lane 0
        return f"results/datasets/{location}/prefetch/size-{size}.json"
    via = "_via-ssh" if transport == "ssh" else ""
    name = f"size-{size}_ss-{ss}{via}" if kind == "ria" else f"size-{size}"
    name += via if kind == "source_ds" else ""
    return f"results/datasets/{location}/lane-{lane}/{kind}/{name}.json"


def get_ssh_host(wildcards):
    """For the ssh variant of source_ds: the host its .gitmodules URL names."""
    return config["ssh"]["host"] if wildcards.via else None


def get_clone_datasets(scenario, lane=None):
    """The manifests of the datasets a scenario's clones use, in its lane, by kind:
    container_source (for the key), what they clone (`cloned`: an input RIA store,
    or source_ds itself) and, for the prefetch workaround, the prefetched copy."""
    row = SCENARIOS.loc[scenario]
    lane = LANE_OF[scenario] if lane is None else lane
    manifest = lambda kind, **ss: get_manifest(
        row.location, kind, row.image_size, lane, transport=row.transport, **ss
    )
    manifests = {
        "container_source": manifest("container_source"),
        "cloned": (
            manifest("source_ds")
            if row.clone_from == "source"
            else manifest("ria", ss=row.storage_sibling)
        ),
    }
    if row.workaround == "prefetch":
        manifests["prefetch"] = manifest("prefetch")
    return manifests


def get_clone_inputs(wildcards):
    """What a clone job reads: its location's probe, its git-annex and its barrier's
    token, which names its lane and that lane's datasets (open_barrier): a scenario
    that ran is not rerun because a later slice of the matrix puts it in another lane.
    """
    row = SCENARIOS.loc[wildcards.scenario]
    return {
        "location": f"results/locations/{row.location}.json",
        "git_annex": f"results/git-annex/{row.git_annex}.json",
        "barrier": get_barrier_token(wildcards),
    }


def get_barrier_datasets(wildcards):
    """For open_barrier's token: the scenario's lane and its datasets there."""
    return {
        "lane": LANE_OF[wildcards.scenario],
        **get_clone_datasets(wildcards.scenario),
    }


def get_dataset_priority(wildcards):
    """Datasets lane by lane, lane 0's first (and the prefetched copy, which comes
    from lane 0): each lane starts its scenarios as soon as its own datasets are
    there, not once every lane's are. Clone jobs hold no core and are not held up."""
    return LANES - int(wildcards.get("lane", 0))


def get_row_notes():
    """The notes of explicit scenario rows (e.g. what the seed notes say), by scenario."""
    notes = MATRIX.drop(columns=list(AXES), errors="ignore")
    return {s: row for s, row in notes.to_dict("index").items() if any(row.values())}


def get_barrier_token(wildcards):
    """The token of the scenario's round. A job Snakemake started re-reads this file
    while its siblings write their records: it takes the round whose token is open."""
    barriers = f"results/barriers/{wildcards.scenario}"
    round = (
        ROUNDS[wildcards.scenario].number
        if workflow.is_main_process
        else open_round(barriers)
    )
    return f"{barriers}/round-{round}.token"


def get_expected_clones(table=MATRIX):
    """Every clone of the scenarios in `table`: its record, its log, its scenario's
    axis values, and its location's probe (what the summary needs to rebuild a clone
    whose job died without a record)."""
    return [
        {
            "record": f"results/records/{scenario}/clone-{clone}.json",
            "log": f"results/logs/clone_and_get/{scenario}/clone-{clone}.log",
            "scenario": get_scenario(Namespace(scenario=scenario)),
            "clone": clone,
            "probe": f"results/locations/{table.loc[scenario, 'location']}.json",
        }
        for scenario in table.index
        for clone in range(table.loc[scenario, "n_clones"])
    ]


def get_check_inputs(wildcards):
    """What `snakemake check` reads: its scenarios' records and the check of their
    sources. It shares lanes and datasets with the matrix, so it runs on its own."""
    others = set(workflow.dag_settings.targets) - {"check"}
    if others:
        raise WorkflowError(
            f"run `snakemake check` on its own, not with {', '.join(sorted(others))}"
        )
    return {
        "records": [c["record"] for c in get_expected_clones(CHECK)],
        "sources": get_source_checks("check"),
    }


def say_what_the_check_found():
    """After `snakemake check`: its paragraph, on the terminal too."""
    if "check" in workflow.dag_settings.targets and Path("results/check.md").exists():
        logger.info(Path("results/check.md").read_text())


def summarize_failed_run():
    """After a run that failed: the summary of what there is, clones whose job died
    rebuilt from their logs (annex_race.faults). Its files are dated back to 1970, so
    that the next run, which redoes the incomplete scenarios, writes them anew."""
    try:
        records = collect_records(get_expected_clones(), since=RUN_STARTED)
        rebuilt = [r for r in records if r.reconstructed]
        if not rebuilt:
            return
        causes = pd.Series([r.cause for r in rebuilt]).value_counts()
        banner = [
            f"**This run did not finish.** {len(rebuilt)} clone jobs ended without a "
            f"record ({', '.join(f'{c}: {n}' for c, n in causes.items())}); they are rebuilt "
            "from their logs below and their scenarios are INCONCLUSIVE. Rerun the same "
            "command: every incomplete scenario reruns as a whole, complete ones are kept.",
            "",
        ]
        write_results(
            records,
            config["max_skew"],
            OUTPUTS,
            config["heatmap"],
            notes=get_row_notes(),
            banner=banner,
            configfiles=get_configfiles(),
        )
        for path in OUTPUTS.values():
            os.utime(path, (0, 0))
        logger.error(f"annex-race: what this run observed is in {OUTPUTS['summary']}")
    except Exception as e:  # never hide the failure that brought us here
        logger.error(f"annex-race: could not summarize the failed run: {e}")


def get_configfiles():
    """The configuration files given on top of config/config.yaml (profiles' and
    --configfile's), as the bug report's command, run in the checkout, must repeat
    them: relative to the checkout where they are in it."""
    checkout = Path(workflow.basedir).resolve()
    files = [Path(f).resolve() for f in workflow.overwrite_configfiles]
    return [
        str(f.relative_to(checkout)) if f.is_relative_to(checkout) else str(f)
        for f in files
        if f != checkout / "config" / "config.yaml"
    ]


def get_card_labels(wildcards):
    """The labels of a scenario card in the report (summarize_results): the axes a
    reader sorts by, and the verdict (from the card's file name)."""
    row = MATRIX.loc[wildcards.scenario]
    return {
        "git-annex": row["git_annex"],
        "method": row["method"],
        "workaround": row["workaround"],
        "verdict": wildcards.verdict,
    }


def get_part(scenario):
    """The scenarios run together with `scenario`: the matrix, or `snakemake check`'s."""
    return CHECK if scenario in CHECK.index else MATRIX


def get_lane_datasets(location, lane, table=MATRIX):
    """Manifests of a lane's datasets in a location: those its scenarios use (a lane
    makes no dataset it does not need). Lane 0 always has container_source, whose
    image the other lanes link to, and the prefetched copy, fetched from its origin:
    no dataset job may touch an origin while gets race from it (the other lanes copy
    lane 0's image without a get)."""
    rows = table[(table["location"] == location) & (table.index.map(LANE_OF) == lane)]
    manifests = {
        m for scenario in rows.index for m in get_clone_datasets(scenario).values()
    }
    manifests |= {
        get_manifest(
            location, "source_ds", row.image_size, lane, transport=row.transport
        )
        for row in rows.itertuples()
    }
    if lane == 0:
        rows = table[table["location"] == location]
        manifests |= {
            get_manifest(location, "container_source", size)
            for size in rows["image_size"].unique()
        }
        manifests |= {
            get_manifest(location, "prefetch", size)
            for size in rows.loc[rows["workaround"] == "prefetch", "image_size"]
        }
    return sorted(manifests)


def get_source_checks_inputs(wildcards):
    """A lane's source datasets in a location (what the clones fetched from), and the
    records of the lane's scenarios there: the check runs once they are done, while
    other lanes may still run (it touches no other lane's origin). Lane 0's check
    reads the image every lane links to in full, so it waits for every clone."""
    lane = int(wildcards.lane)
    part = CHECK if wildcards.part == "check" else MATRIX
    datasets = [
        Path(d)
        for d in get_lane_datasets(wildcards.location, lane, part)
        if Path(d).parent.parent.name == f"lane-{lane}"  # not the prefetched copy
    ]
    inputs = {
        kind: [str(d) for d in datasets if d.parent.name == kind]
        for kind in ("container_source", "source_ds", "ria")
    }
    rows = part[part["location"] == wildcards.location]
    if lane:
        rows = rows[rows.index.map(LANE_OF) == lane]
    # a later lane's image is lane 0's (hardlinked): what lane 0's check verifies
    lane_0 = [
        get_manifest(wildcards.location, "container_source", size)
        for size in rows["image_size"].unique()
        if lane
    ]
    return inputs | {
        "lane_0": lane_0,
        "records": [r for s in rows.index for r in get_records(s)],
    }


def get_source_checks(part="matrix"):
    """The checks of the sources after the matrix, or after `snakemake check`: one per
    lane in use in each location, and lane 0's, which holds the image."""
    table = CHECK if part == "check" else MATRIX
    lanes = table.groupby("location").apply(lambda rows: set(rows.index.map(LANE_OF)))
    return [
        f"results/sources/{part}/{location}/lane-{lane}.json"
        for location, used in lanes.items()
        for lane in sorted(used | {0})
    ]


def get_turn_inputs(wildcards):
    """What must be done before a scenario takes its turn: its lane's datasets (no
    dataset job may touch an origin while gets race from it), and the records of the
    scenario before it in its lane, if any (scenarios in a lane share their origins,
    so each waits for the one before it)."""
    location = SCENARIOS.loc[wildcards.scenario, "location"]
    before = PREVIOUS[wildcards.scenario]
    part = get_part(wildcards.scenario)
    return get_lane_datasets(location, LANE_OF[wildcards.scenario], part) + (
        get_records(before) if before else []
    )


def get_turn(wildcards):
    """open_barrier's input: the scenario's turn. Only a scenario that runs takes one
    (see TO_RUN); a complete one keeps the turn it took, read as ancient, so that a
    slice of the matrix that changes who comes before it neither reruns it nor makes
    anything for it. The turn of a scenario that runs is a plain input: with snakemake
    9.27, a job that must run only for an ancient input hides why the jobs after it
    must run too (snakemake/snakemake#4166), and its clones would be skipped."""
    turn = f"results/barriers/{wildcards.scenario}/turn"
    return ancient(turn) if ROUNDS[wildcards.scenario].complete else turn


# ---- free space: what the selected scenarios write, checked before they start ----


def get_space_needs():
    """What the selected scenarios will write under each root (capacity.Need), not
    counting datasets that exist already; every copy a full one, but a later lane's
    copies of lane 0's image where the location's probe found hardlinks working. Each
    lane makes only the datasets of its own scenarios."""
    needs = []
    for name, loc in LOCATIONS.items():
        rows = SCENARIOS[SCENARIOS["location"] == name]
        probe = Path(f"results/locations/{name}.json")
        linked = (
            json.loads(probe.read_text())["hardlink"]
            if probe.exists()
            else hardlinks_likely(loc.source_root)
        )
        cost = {}  # manifest -> the bytes of the dataset it describes
        for scenario, row in rows.iterrows():
            image = parse_size(row.image_size)
            # lane 0's container_source holds the image the other lanes link to
            cost[get_manifest(name, "container_source", row.image_size)] = image
            lane = LANE_OF[scenario]
            full = image if lane == 0 or not linked else 0
            manifests = get_clone_datasets(scenario, lane)
            cost[manifests["container_source"]] = full
            # source_ds hardlinks its container_source's image (a copy where it cannot)
            source_ds = get_manifest(name, "source_ds", row.image_size, lane)
            cost[source_ds] = 0 if linked else image
            if row.clone_from == "ria" and row.storage_sibling == "on":
                # the store's copy, until it is linked to container_source's
                cost[manifests["cloned"]] = full
            if row.workaround == "prefetch":
                cost[get_manifest(name, "prefetch", row.image_size)] = image
        datasets = sum(n for manifest, n in cost.items() if not Path(manifest).exists())
        checks = rows[(rows["clone_from"] == "ria") & (rows["storage_sibling"] == "on")]
        datasets += max((parse_size(size) for size in checks["image_size"]), default=0)
        needs.append(
            Need(
                f"locations.{name}.source_root",
                loc.source_root,
                datasets,
                "datasets, RIA stores and their check",
            )
        )
        biggest = max(parse_size(size) for size in rows["image_size"])
        # a scenario's clones are removed when it is done: one scenario per lane at once
        lanes = len(set(rows.index.map(LANE_OF)))
        at_once = (
            sum(rows["n_clones"])
            if config["keep_clones"]
            else lanes * rows["n_clones"].max()
        )
        needs.append(
            Need(
                f"locations.{name}.clone_root",
                loc.clone_root,
                int(at_once) * biggest,
                f"{at_once} clones",
            )
        )
    missing = [
        v
        for v in SCENARIOS["git_annex"].unique()
        if v != versions.SYSTEM and not versions.installed(GIT_ANNEX_CACHE, v)
    ]
    needs.append(
        Need(
            "git_annex_cache",
            GIT_ANNEX_CACHE,
            len(missing) * GIT_ANNEX_INSTALL,
            f"{len(missing)} git-annex versions",
        )
    )
    return needs


if workflow.is_main_process:
    try:
        check_free_space(get_space_needs())
    except ValueError as e:
        raise WorkflowError(str(e)) from None
