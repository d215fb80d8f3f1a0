"""Normalise SLURM job states read by snakemake-executor-plugin-slurm 2.8.0.

Why: the plugin's status poll (`sacct -X --parsable2 --format=JobIdRaw,State ...`)
returns the State column verbatim, and `check_active_jobs` compares it with
`==` / `in fail_stati`.  sacct prints a job cancelled with scancel as
`CANCELLED by <uid>` (and, in fixed-width output, `CANCELLED+`), which matches
neither, so the job is yielded back as "still running" on every poll and
Snakemake waits for it forever (a SIGTERM does not help: Snakemake then waits
for its running jobs to finish).

What: wrap the plugin's `query_job_status` coroutine so that every state is cut
to its first word and trailing `+` (`CANCELLED by 0` -> `CANCELLED`,
`CANCELLED+` -> `CANCELLED`); all other states pass unchanged.  The plugin's own
failure handling then reports the job as failed.

Use (in the Snakefile, i.e. in the Snakemake process that runs the executor; see
workflow/rules/common.smk):

    from annex_race.slurm_state_patch import apply_slurm_state_patch
    apply_slurm_state_patch(workflow)

Guard: the patch is written for plugin 2.8.0 exactly.  With any other
installed version, or if the call site it relies on has changed, it raises a
WorkflowError naming this file instead of silently doing nothing: check
whether the new version fixes the bug (then drop this module) or re-validate
the patch and add the version to SUPPORTED_VERSIONS.
"""

import asyncio
import functools
import importlib.metadata

SUPPORTED_VERSIONS = {"2.8.0"}
DIST = "snakemake-executor-plugin-slurm"
_MARK = "__annex_race_state_patch__"


def normalise_state(raw: str) -> str:
    """First word of a SLURM state, without sacct's truncation mark '+'."""
    words = raw.split()
    return words[0].rstrip("+") if words else raw.strip()


def _error(msg):
    from snakemake_interface_common.exceptions import WorkflowError

    return WorkflowError(f"{__file__}: {msg}")


def apply_slurm_state_patch(workflow=None):
    """Install the wrapper; returns True if installed now, False if not needed.

    Not needed: in a remote job process (`--mode remote`: no status polling
    there), when the SLURM plugin is not installed, or when already applied.
    """
    if workflow is not None and getattr(workflow, "remote_exec", False):
        return False
    try:
        version = importlib.metadata.version(DIST)
    except importlib.metadata.PackageNotFoundError:
        return False  # no SLURM plugin, nothing to patch
    if version not in SUPPORTED_VERSIONS:
        raise _error(
            f"written for {DIST} {sorted(SUPPORTED_VERSIONS)}, but {version} is "
            "installed. Check whether this version compares the first word of "
            "sacct's State (CANCELLED by <uid>); then drop or re-validate this patch."
        )

    import snakemake_executor_plugin_slurm as plugin
    from snakemake_executor_plugin_slurm import job_status_query

    current = plugin.query_job_status
    if getattr(current, _MARK, False):
        return False  # applied already (Snakefile parsed twice, e.g. by a module)

    # The call site this patch relies on: Executor.check_active_jobs looks up
    # the global name `query_job_status` in the package's __init__ module
    # (`from .job_status_query import query_job_status`), awaits it and gets
    # ({jobid: state}, seconds).  Patching only job_status_query would miss it.
    code = plugin.Executor.check_active_jobs.__code__
    if (
        current is not job_status_query.query_job_status
        or not asyncio.iscoroutinefunction(current)
        or "query_job_status" not in code.co_names
        or "fail_stati" not in code.co_varnames
    ):
        raise _error(
            f"{DIST} {version} does not look like the release this patch was "
            "written for (query_job_status / check_active_jobs changed)."
        )

    original = current
    reported = set()

    @functools.wraps(original)
    async def query_job_status(command, logger):
        status_of_jobs, duration = await original(command, logger)
        if status_of_jobs is None:
            return status_of_jobs, duration
        normalised = {}
        for jobid, raw in status_of_jobs.items():
            state = normalise_state(raw)
            if state != raw and (jobid, raw) not in reported:
                reported.add((jobid, raw))
                logger.info(
                    f"SLURM job {jobid}: sacct state '{raw}' read as '{state}' "
                    "(annex-race workaround for plugin 2.8.0)"
                )
            normalised[jobid] = state
        return normalised, duration

    setattr(query_job_status, _MARK, True)
    query_job_status.original = original
    plugin.query_job_status = query_job_status  # the name check_active_jobs uses
    job_status_query.query_job_status = query_job_status  # for any other caller
    return True
