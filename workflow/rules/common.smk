# Validation, the plan (annex_race.planning: built here once, loaded by every job
# process) and the input functions of all rules, each a question to the plan.
import time
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.logging import logger
from snakemake.utils import validate

try:
    from annex_race.core import layout, versions
    from annex_race.driver import compat
    from annex_race.planning import plan_file
    from annex_race.planning.matrix import config_error, normalize_axes
    from annex_race.planning.plan import SUITES, Executor
    from annex_race.planning.start import plan_run
    from annex_race.report.pages import rerun_configfiles
    from annex_race.report.summary import summarize_failed_run
except ModuleNotFoundError as e:
    raise WorkflowError(
        f"{e.msg}: set up with `bash tools/setup.sh` and activate .venv"
    ) from None


RUN_STARTED = time.time()  # a clone job that started earlier belongs to another run


def validated(config):
    """The configuration as the schema allows it; ValueError: one line naming the key."""
    normalize_axes(config)
    try:
        validate(config, schema="../schemas/config.schema.yaml")
    except WorkflowError as e:  # it wraps jsonschema's error in a multi-line one
        raise ValueError(config_error(e.__context__)) from None
    return config


if workflow.is_main_process:
    try:
        PLAN, SYSTEM_GIT_ANNEX = plan_run(
            validated(config),
            workflow.basedir,
            Executor(
                workflow.resource_settings.cores,
                workflow.resource_settings.nodes,  # --jobs: set for a cluster
                compat.install(workflow, logger.warning),
            ),
            logger,
        )
    except ValueError as e:
        raise WorkflowError(str(e)) from None
else:  # a job Snakemake started: what the main process planned, as it planned it
    PLAN, SYSTEM_GIT_ANNEX = plan_file.load(), None
    config.update(PLAN.config)  # as the main process validated it


def one_of(ids):
    """A wildcard constraint matching exactly `ids` (none: `(?!)` matches nothing)."""
    return "|".join(ids) or "(?!)"


wildcard_constraints:
    scenario=one_of(PLAN.scenarios),
    location="|".join(PLAN.locations),
    suite="|".join(SUITES),
    clone=r"\d+",
    lane=r"\d+",
    round=r"\d+",
    size=r"[1-9][0-9]*[KMG]?",
    storage_sibling="on|off",
    transport="local|ssh",
    version=r"system|[0-9]+\.[0-9]{8}(\.post[0-9]+)?",


# the summary's settings: its rules' and, after a failed run, summarize_failed_run's
SUMMARY = PLAN.summary_settings(
    rerun_configfiles(workflow.basedir, workflow.overwrite_configfiles)
)


# ---- input functions -------------------------------------------------------------


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


def get_scenario(wildcards):
    return {"scenario": wildcards.scenario, **PLAN.scenarios[wildcards.scenario].axes}


def get_round_inputs(wildcards):
    return PLAN.round_inputs(wildcards.scenario)


def get_round_opening(wildcards):
    return PLAN.round_opening(wildcards.scenario)


def get_git_annex(wildcards):
    return PLAN.files(wildcards.scenario).git_annex


def get_location_probe(wildcards):
    return PLAN.files(wildcards.scenario).location_probe


def get_records(wildcards):
    return PLAN.files(wildcards.scenario).records


def get_clone_logs(wildcards):
    return PLAN.files(wildcards.scenario).logs


def get_output_dir(wildcards):
    return PLAN.files(wildcards.scenario).output_dir


def get_verify_dir(wildcards):
    return PLAN.files(wildcards.scenario).verify_dir


def get_clone_job(wildcards):
    return PLAN.clone_job(wildcards.scenario, int(wildcards.clone)).asdict()


def get_clone_node(wildcards):
    return PLAN.clone_node(int(wildcards.clone))


def get_clone_job_inputs(wildcards):
    return PLAN.clone_job(wildcards.scenario, int(wildcards.clone)).inputs()


def get_compare_inputs(wildcards):
    return PLAN.compare_inputs(wildcards.scenario)


def get_babs_project(wildcards):
    return PLAN.babs_project(wildcards.scenario).asdict()


def get_babs_project_inputs(wildcards):
    return PLAN.babs_project_inputs(wildcards.scenario)


def get_babs_run(wildcards):
    return PLAN.files(wildcards.scenario).babs_run


def get_babs_task(wildcards):
    return PLAN.files(wildcards.scenario).babs_task(int(wildcards.clone))


def get_source_verification_inputs(wildcards):
    w = wildcards
    return PLAN.source_verification_inputs(w.suite, w.location, int(w.lane))


def get_scratch(wildcards):
    return str(Path(PLAN.locations[wildcards.location]["source_root"]) / layout.SCRATCH)


def get_site_check_inputs(wildcards):
    """`snakemake check` shares lanes and datasets with the matrix: it runs on its own."""
    others = set(workflow.dag_settings.targets) - {"check"}
    if others:
        raise WorkflowError(
            f"run `snakemake check` on its own, not with {', '.join(sorted(others))}"
        )
    return PLAN.summary_inputs("site")


def get_card_labels(wildcards):
    """A scenario card's labels in the report: axes to sort by, and its verdict."""
    return PLAN.card_labels(wildcards.scenario, wildcards.verdict)
