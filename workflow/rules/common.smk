# Validation, the plan (annex_race.plan: built here once, loaded by every job process)
# and the input functions of all rules.
import sys
import time
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.logging import logger
from snakemake.utils import validate

try:
    from annex_race import compat, layout, plan, versions
    from annex_race.capacity import ensure_free_space
    from annex_race.locations import validate_locations
    from annex_race.paths import validate_root
    from annex_race.reporting import rerun_configfiles
    from annex_race.scenarios import config_error, normalize_axes
except ModuleNotFoundError as e:
    raise WorkflowError(
        f"{e.msg}: set up with `bash tools/setup.sh` and activate .venv"
    ) from None


RUN_STARTED = time.time()  # a clone job that started earlier belongs to another run


def plan_this_run():
    """Every check before anything is made (ValueError: one line naming the key),
    then the plan, and what `system` resolves to."""
    normalize_axes(config)
    try:
        validate(config, schema="../schemas/config.schema.yaml")
    except WorkflowError as e:  # it wraps jsonschema's error in a multi-line one
        raise ValueError(config_error(e.__context__)) from None
    cache = validate_root(
        "git_annex_cache", config["git_annex_cache"], workflow.basedir
    )
    config["git_annex"] = versions.expand_versions(config["git_annex"], cache)
    locations = validate_locations(
        config["locations"], config["location"], workflow.basedir
    )
    upgrade = [v for v in config["git_annex"] if v != versions.SYSTEM]
    the_plan = plan.build(
        config,
        locations,
        cache,
        workflow.resource_settings.cores,
        workflow.resource_settings.nodes,  # --jobs: set for a cluster
        compat.install(workflow, logger.warning),
        max(upgrade, key=versions.version_key, default=None),
    )
    wanted = {s.axes["git_annex"] for s in the_plan.scenarios.values()}
    if warning := versions.validate_known(wanted, cache):
        logger.warning(f"annex-race: {warning}")
    in_matrix = {s.axes["git_annex"] for s in the_plan.suite("matrix")}
    in_matrix = versions.SYSTEM in in_matrix
    system = versions.site_git_annex(  # resolved afresh by every run
        config["git_annex_system"], [Path(sys.executable).parent, cache], in_matrix
    )
    if in_matrix:
        logger.info(
            f"annex-race: git_annex system is {system['reported']} ({system['source']})"
        )
    ensure_free_space(the_plan.space_needs(config["keep_clones"]))
    for line in the_plan.describe():
        logger.info(f"annex-race: {line}")
    return the_plan, system


if workflow.is_main_process:
    try:
        PLAN, SYSTEM_GIT_ANNEX = plan_this_run()
    except ValueError as e:
        raise WorkflowError(str(e)) from None
else:  # a job Snakemake started: what the main process planned, as it planned it
    PLAN, SYSTEM_GIT_ANNEX = plan.load(), None
    config.update(PLAN.config)  # as the main process validated it


def one_of(ids):
    """A wildcard constraint matching exactly `ids` (none: `(?!)` matches nothing)."""
    return "|".join(ids) or "(?!)"


wildcard_constraints:
    scenario=one_of(PLAN.scenarios),
    location="|".join(PLAN.locations),
    suite="|".join(plan.SUITES),
    clone=r"\d+",
    lane=r"\d+",
    round=r"\d+",
    size=r"[1-9][0-9]*[KMG]?",
    storage_sibling="on|off",
    transport="local|ssh",
    version=r"system|[0-9]+\.[0-9]{8}(\.post[0-9]+)?",


def configfiles():
    return rerun_configfiles(workflow.basedir, workflow.overwrite_configfiles)


# ---- input functions -------------------------------------------------------------


def of_scenario(question):
    """An input function asking the plan `question` of the wildcards' scenario."""
    return lambda wildcards: getattr(PLAN, question)(wildcards.scenario)


def get_system_git_annex(wildcards):
    """What `system` resolved to (a param: when it changes, its scenarios rerun)."""
    return SYSTEM_GIT_ANNEX if wildcards.version == versions.SYSTEM else None


def get_location_roots(wildcards):
    return PLAN.locations[wildcards.location]


def get_dataset_dir(wildcards, output):
    return PLAN.dataset_dir(wildcards.location, output[0])


def get_dataset_priority(wildcards):
    """Lane by lane, lane 0 first: a lane's scenarios start once its datasets are made."""
    return PLAN.lanes - int(wildcards.get("lane", 0))


def get_ssh_host(wildcards):
    return config["ssh"]["host"] if wildcards.transport == "ssh" else None


def get_lane(wildcards):
    return PLAN.scenarios[wildcards.scenario].lane


def get_scenario(wildcards):
    return {"scenario": wildcards.scenario, **PLAN.scenarios[wildcards.scenario].axes}


def get_method(wildcards):
    return PLAN.scenarios[wildcards.scenario].axes["method"]


def get_clone_dir(wildcards):
    return PLAN.clone_dir(wildcards.scenario, int(wildcards.clone))


def get_barriers(wildcards):
    return layout.BARRIERS.format(scenario=wildcards.scenario)


def get_source_verification_inputs(wildcards):
    w = wildcards
    return PLAN.source_verification_inputs(w.suite, w.location, int(w.lane))


def get_scratch(wildcards):
    return str(Path(PLAN.locations[wildcards.location]["source_root"]) / ".checks")


def get_site_check_inputs(wildcards):
    """`snakemake check` shares lanes and datasets with the matrix: it runs on its own."""
    others = set(workflow.dag_settings.targets) - {"check"}
    if others:
        raise WorkflowError(
            f"run `snakemake check` on its own, not with {', '.join(sorted(others))}"
        )
    return {
        "records": [c["record"] for c in PLAN.expected_clones("site")],
        "sources": PLAN.source_verifications("site"),
        "writes": PLAN.all_writes("site"),
    }


def get_card_labels(wildcards):
    """A scenario card's labels in the report: axes to sort by, and its verdict."""
    axes = PLAN.scenarios[wildcards.scenario].axes
    labels = {
        k: axes[k.replace("-", "_")] for k in ("git-annex", "method", "workaround")
    }
    return labels | {"verdict": wildcards.verdict}


def summarize_failed_run():
    """After a run that failed: what it observed (summary.summarize_failed_run)."""
    from annex_race.summary import summarize_failed_run

    try:
        settings = dict(max_skew=config["max_skew"], max_rounds=config["max_rounds"])
        settings |= dict(heatmap=config["heatmap"])
        settings |= dict(notes=PLAN.row_notes(), configfiles=configfiles())
        settings |= dict(writes=PLAN.all_writes("matrix"))
        expected = PLAN.expected_clones("matrix")
        if summarize_failed_run(expected, RUN_STARTED, layout.OUTPUTS, **settings):
            logger.error("annex-race: what this run observed is in results/summary.md")
    except Exception as e:  # never hide the failure that brought us here
        logger.error(f"annex-race: could not summarize the failed run: {e}")
