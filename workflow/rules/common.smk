import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "scripts"))

from annex_race import git_annex
from annex_race.paths import check_root
from annex_race.scenarios import normalize_axes, scenario_table

# ---- configuration: checked before anything is created ----------------------


def config_error(error):
    """One line naming the offending config key and value."""
    where = next((str(p) for p in error.absolute_path if isinstance(p, str)), None)
    return (
        f"config key '{where}': {error.message}"
        if where
        else f"config: {error.message}"
    )


normalize_axes(config)
try:
    validate(config, schema="../schemas/config.schema.yaml")
except WorkflowError as e:  # validate() wraps jsonschema's error in a multi-line one
    raise WorkflowError(config_error(e.__context__)) from None
try:  # each raises ValueError with one line naming the key
    SOURCE_ROOT = check_root("source_root", config["source_root"])
    CLONE_ROOT = check_root("clone_root", config["clone_root"])
    SCENARIOS = scenario_table(config)
except ValueError as e:
    raise WorkflowError(str(e)) from None
ROOTS = [str(SOURCE_ROOT), str(CLONE_ROOT)]


# ---- where things live -------------------------------------------------------

GIT_ANNEX = f"{SOURCE_ROOT}/git-annex/{{version}}"

CONTAINER_SOURCE = f"{SOURCE_ROOT}/container_source/size-{{size}}"
SOURCE_DS = f"{SOURCE_ROOT}/source_ds/size-{{size}}"
PREFETCH = f"{SOURCE_DS}.prefetch"
INPUT_RIA = f"{SOURCE_ROOT}/ria/size-{{size}}_ss-{{ss}}"
CLONE = f"{CLONE_ROOT}/{{scenario}}/clone-{{clone}}"
BARRIERS = "results/barriers/{scenario}"
RECORD = "results/records/{scenario}/clone-{clone}"


def check_git_annex_versions():
    """Stop before anything is made if a requested git-annex is not on PyPI.

    Asked once, by the Snakemake process the user started, and only for versions
    not installed yet; when the index cannot be reached, the install rule decides.
    """
    wanted = [
        v
        for v in SCENARIOS["git_annex"].unique()
        if v != git_annex.SYSTEM
        and not Path(GIT_ANNEX.format(version=v) + ".json").exists()
    ]
    if not wanted or workflow.remote_exec:
        return
    available = git_annex.available_versions()
    for version in wanted:
        if available is not None and version not in available:
            raise WorkflowError(
                f"config key 'git_annex': {version} is not a version of PyPI's git-annex package"
            )


check_git_annex_versions()


wildcard_constraints:
    scenario="|".join(SCENARIOS.index),
    clone=r"\d+",
    size=r"[1-9][0-9]*[KMG]?",
    ss="on|off",
    version=r"system|[0-9]+\.[0-9]{8}(\.post[0-9]+)?",


# ---- input functions ----------------------------------------------------------


def scenario_params(wildcards):
    """The scenario's axis values, as plain Python values for the JSON record."""
    row = SCENARIOS.loc[[wildcards.scenario]].to_dict("records")[0]
    return {"scenario": wildcards.scenario, **row}


def scenario_inputs(wildcards):
    """Manifests a clone job reads: datasets, its git-annex, a prefetched copy."""
    row = SCENARIOS.loc[wildcards.scenario]
    inputs = {
        "container_source": CONTAINER_SOURCE.format(size=row.image_size) + ".json",
        "ria": INPUT_RIA.format(size=row.image_size, ss=row.storage_sibling) + ".json",
        "git_annex": GIT_ANNEX.format(version=row.git_annex) + ".json",
    }
    if row.workaround == "prefetch":
        inputs["prefetch"] = PREFETCH.format(size=row.image_size) + ".json"
    return inputs


def siblings_fit(wildcards):
    """Stop up front if a scenario's clone jobs can never all run at once: with
    fewer cores (local) or jobs (cluster) than n_clones they would wait in vain."""
    n = SCENARIOS.loc[wildcards.scenario, "n_clones"]
    if workflow.remote_exec or workflow.dryrun:
        return
    limit, option = (
        (workflow.nodes, "--jobs")
        if workflow.non_local_exec
        else (workflow.cores, "--cores")
    )
    if n > limit:
        raise WorkflowError(
            f"scenario {wildcards.scenario}: its n_clones={n} clone jobs must run at once, "
            f"but {option} is {limit}; use {option} {n} or more"
        )


def barrier_token(wildcards):
    siblings_fit(wildcards)
    return f"{BARRIERS}/token".format(scenario=wildcards.scenario)


def records(scenario):
    n = SCENARIOS.loc[scenario, "n_clones"]
    return [
        f"{RECORD}.json".format(scenario=scenario, clone=clone) for clone in range(n)
    ]


def all_records():
    return [path for scenario in SCENARIOS.index for path in records(scenario)]


def previous_scenario(wildcards):
    """Records of the scenario before this one (in matrix order), if any."""
    i = SCENARIOS.index.get_loc(wildcards.scenario)
    return records(SCENARIOS.index[i - 1]) if i else []
