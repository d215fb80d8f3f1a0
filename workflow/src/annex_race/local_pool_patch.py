"""Give the thread pool of Snakemake's local executor room for jobs that wait.

Why: the local executor (snakemake 9.27.1, executors/local.py) runs every job in a
ThreadPoolExecutor of `--cores + 5` workers. Its scheduler starts jobs declaring
`threads: 0` without limit, since they hold no core; a job beyond the pool's workers
is then reported as running but waits in the pool's queue until another job ends.
Clone jobs hold no core: they wait at their barrier, then on I/O. A sibling stuck
in that queue never reaches the barrier while the others wait there for it, so on
2 cores no more than 7 clone jobs (3 lanes of 2 siblings) could run side by side.

What: once the executor has made its pool, replace it by one with `extra` more
workers (the clone jobs that run at once: lanes x n_clones), so that every job the
scheduler starts really runs. Jobs with threads still share --cores as before.

Use (in the Snakefile, i.e. in the Snakemake process that runs the executor; see
workflow/rules/common.smk):

    from annex_race.local_pool_patch import widen_local_pool
    widen_local_pool(workflow, extra)

Guard: written for snakemake 9.27.1 exactly. With any other installed version, or if
the executor no longer keeps `workers` and `pool`, it raises a WorkflowError naming
this file instead of silently doing nothing: check whether the new version sizes its
pool for zero-thread jobs (then drop this module) or re-validate the patch and add
the version to SUPPORTED_VERSIONS.
"""

import concurrent.futures
import functools
import importlib.metadata

SUPPORTED_VERSIONS = {"9.27.1"}
DIST = "snakemake"
_MARK = "__annex_race_pool_patch__"


def _error(msg):
    from snakemake_interface_common.exceptions import WorkflowError

    return WorkflowError(f"{__file__}: {msg}")


def widen_local_pool(workflow, extra):
    """Make the local executor's pool `extra` workers larger than Snakemake makes
    it. Returns True if the patch is installed now, False if it was already (then
    `extra` is updated) or is not needed (a job's own process: it runs no pool)."""
    if not workflow.is_main_process:
        return False
    version = importlib.metadata.version(DIST)
    if version not in SUPPORTED_VERSIONS:
        raise _error(
            f"written for {DIST} {sorted(SUPPORTED_VERSIONS)}, but {version} is installed. "
            "Check whether the local executor's pool (executors/local.py) now has a worker "
            "for every job with threads: 0; then drop or re-validate this patch."
        )
    from snakemake.executors import local

    current = local.Executor.__post_init__
    if getattr(current, _MARK, False):  # the Snakefile parsed twice: keep one wrapper
        current.extra = extra
        return False

    @functools.wraps(current)
    def __post_init__(self):
        current(self)
        if not isinstance(getattr(self, "workers", None), int) or not isinstance(
            getattr(self, "pool", None), concurrent.futures.ThreadPoolExecutor
        ):
            raise _error(
                f"{DIST} {version}'s local executor keeps no `workers` and `pool`: "
                "this patch does not apply to it."
            )
        self.pool.shutdown(wait=False)  # nothing ran in it yet
        self.workers += __post_init__.extra
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=self.workers)

    __post_init__.extra = extra
    setattr(__post_init__, _MARK, True)
    local.Executor.__post_init__ = __post_init__
    return True
