"""Workarounds for other people's code, in one place.

Each is hooked into the executor it fixes, and acts when that executor is created,
after a probe of that very executor shows the behaviour it fixes. No version is
compared: a newer Snakemake or plugin is never refused. Where a workaround cannot
apply, the run goes on and says so in one warning. The ready-to-file upstream
reports are in docs/development.md.

1. Snakemake's local executor (executors/local.py) runs every job in a thread pool
   of `--cores + 5` workers, while its scheduler starts any number of jobs with
   `threads: 0`. A job beyond the pool is reported running but waits in the pool's
   queue: a clone job stuck there never reaches its barrier, where its siblings wait
   for it. The executor already grows its pool on demand for group jobs (run_job);
   make_room_for_waiting_jobs grows it the same way for any job that would wait.
   Without it, `lanes` is capped at what the pool runs at once.
2. snakemake-executor-plugin-slurm (2.8.0, check_active_jobs) compares sacct's
   State verbatim: `CANCELLED by <uid>` (scancel) and `CANCELLED+` match no failure
   state, so the job is "running" forever. read_slurm_states_by_first_word cuts
   every state to its first word first (snakemake/snakemake-executor-plugin-slurm,
   issue to file: docs/development.md).
3. The same plugin waits 10 s longer before each look at its jobs' states in which
   none ended, up to 180 s: a round of annex-race ends minutes after its jobs did,
   and a lane's next round waits for that. Where `slurm_status_interval` is set,
   cap_status_interval makes that the longest wait.
"""

import asyncio
import concurrent.futures
import copy
import functools
import subprocess
import sys
from contextlib import contextmanager
from types import SimpleNamespace

from ..observe.faults import first_word

_HOOKED = "__annex_race_hook__"
PROBE_JOB = "annex-race-probe"


def install(workflow, warn):
    """Hook the workarounds into their executors (in the main process only) and
    return how many jobs the local executor runs at once: None where it will make
    room for every job it starts, else --cores + 5 (after one warning)."""
    if not workflow.is_main_process:
        return None
    try:
        import snakemake_executor_plugin_slurm as slurm
    except ImportError:
        pass
    else:
        interval = getattr(workflow, "config", {}).get("slurm_status_interval")

        def fix(executor):
            fix_cancelled_states(executor, warn)
            if interval:
                cap_status_interval(executor, interval, warn)

        _on_creation(slurm.Executor, fix)
    from snakemake.executors import local

    if not local_pool_can_grow(local.Executor):
        cores = workflow.resource_settings.cores or 1
        if workflow.resource_settings.nodes is None:
            warn(
                "annex-race: cannot give the local executor's thread pool room for waiting jobs "
                f"(snakemake's executors/local.py changed): lanes are capped at what its {cores} + 5 "
                "workers run at once"
            )
        return cores + 5
    _on_creation(local.Executor, make_room_for_waiting_jobs)
    return None


def _on_creation(cls, fix):
    """Run `fix(executor)` right after `cls` has made an executor (once per class)."""
    original = getattr(cls.__post_init__, _HOOKED, cls.__post_init__)

    @functools.wraps(original)
    def __post_init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        fix(self)

    setattr(__post_init__, _HOOKED, original)
    cls.__post_init__ = __post_init__


# ---- 1. the local executor's pool ------------------------------------------------


def bare_local_executor(cls, cores, hooked=False):
    """A local executor as far as its own __post_init__ makes it (no workflow, no
    job), or with the hook run too: what the probe and the tests look at."""
    ex = cls.__new__(cls)
    ex.workflow = SimpleNamespace(
        execution_settings=SimpleNamespace(use_threads=False, keep_incomplete=False),
        resource_settings=SimpleNamespace(cores=cores),
    )
    post_init = cls.__post_init__
    (post_init if hooked else getattr(post_init, _HOOKED, post_init))(ex)
    return ex


def local_pool_can_grow(cls):
    """Probe: does the executor keep its jobs in a thread pool of `workers`, submitted
    by run_single_job, as make_room_for_waiting_jobs expects?"""
    try:
        ex = bare_local_executor(cls, 1)
    except Exception:
        return False
    pool = getattr(ex, "pool", None)
    if isinstance(pool, concurrent.futures.ThreadPoolExecutor):
        pool.shutdown(wait=False)
        return isinstance(getattr(ex, "workers", None), int) and callable(
            getattr(cls, "run_single_job", None)
        )
    return False


def make_room_for_waiting_jobs(executor):
    """Grow the executor's pool by a worker whenever a job would wait for one, the
    way its run_job grows it for a group job: a larger pool, the old one finishing
    what it runs. The scheduler still shares --cores among jobs with threads."""
    pool = getattr(executor, "pool", None)  # the real executor, just made: no second probe
    if not (isinstance(pool, concurrent.futures.ThreadPoolExecutor) and isinstance(executor.workers, int)):
        return
    original = type(executor).run_single_job
    busy = set()  # futures of this executor's jobs that have not ended

    def run_single_job(job):
        if len(busy) >= executor.workers:
            executor.workers += 1
            executor.pool = concurrent.futures.ThreadPoolExecutor(max_workers=executor.workers)
        future = original(executor, job)
        busy.add(future)
        future.add_done_callback(busy.discard)
        return future

    executor.run_single_job = run_single_job


# ---- 2. SLURM states like `CANCELLED by 0` --------------------------------------


class _NoThrottle:
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False


@contextmanager
def _swapped(obj, **values):
    """Set attributes of `obj` for a moment; an attribute `obj` did not have of its
    own (e.g. a method of its class) is removed again."""
    before = {name: (name in vars(obj), getattr(obj, name)) for name in values}
    for name, value in values.items():
        setattr(obj, name, value)
    try:
        yield
    finally:
        for name, (had, value) in before.items():
            if had:
                setattr(obj, name, value)
            else:
                delattr(obj, name)


def cancelled_read_as_failed(executor):
    """Probe: feed `CANCELLED by 0` through this executor's own status handling
    (check_active_jobs), sacct's answer and the SLURM commands stood in for: True if
    it reports the job failed, False if it takes it for running. Leaves the
    executor as it was."""
    module = sys.modules[type(executor).__module__]
    outcome = []

    async def sacct_says(command, logger):
        return {PROBE_JOB: "CANCELLED by 0"}, 0.0

    async def poll():
        job = SimpleNamespace(external_jobid=PROBE_JOB, aux={})
        return [j async for j in executor.check_active_jobs([job])]

    state = {k: copy.copy(v) if isinstance(v, (list, dict, set)) else v for k, v in vars(executor).items()}
    no_commands = SimpleNamespace(check_output=lambda *a, **k: "", PIPE=subprocess.PIPE,
                                  CalledProcessError=subprocess.CalledProcessError)
    # sacct's answer goes where the plugin's query is: beneath the first-word
    # reading, if that is installed, so that the probe sees it
    current = module.query_job_status
    query = (current, _HOOKED) if getattr(current, _HOOKED, None) else (module, "query_job_status")
    try:
        with _swapped(query[0], **{query[1]: sacct_says}), \
             _swapped(module, get_min_job_age=lambda: 300,
                      is_query_tool_available=lambda name: True, subprocess=no_commands), \
             _swapped(executor, status_rate_limiter=_NoThrottle(),
                      report_job_success=lambda job, **k: outcome.append("success"),
                      report_job_error=lambda job, **k: outcome.append("failed")):
            # in a thread of its own: the caller may be inside an event loop
            with concurrent.futures.ThreadPoolExecutor(1) as thread:
                still_running = thread.submit(asyncio.run, poll()).result(timeout=30)
    finally:
        vars(executor).clear()
        vars(executor).update(state)
    return outcome == ["failed"] and not still_running


def read_slurm_states_by_first_word(module, log):
    """Make the plugin read every sacct state by its first word (`CANCELLED by 0` ->
    `CANCELLED`), at the name its check_active_jobs calls; True if installed now."""
    current = module.query_job_status
    if getattr(current, _HOOKED, None):
        return False

    @functools.wraps(current)
    async def query_job_status(command, logger):
        states, duration = await getattr(query_job_status, _HOOKED)(command, logger)
        if states is None:
            return states, duration
        read = {job: first_word(raw) for job, raw in states.items()}
        for job, raw in states.items():
            if read[job] != raw:
                log(f"SLURM job {job}: sacct state '{raw}' read as '{read[job]}' (annex-race, compat)")
        return read, duration

    setattr(query_job_status, _HOOKED, current)
    module.query_job_status = query_job_status
    return True


def fix_cancelled_states(executor, warn):
    """Right after the SLURM executor is made: probe it, and where it would wait for
    a cancelled job forever, make it read states by their first word."""
    module = sys.modules[type(executor).__module__]
    try:
        if cancelled_read_as_failed(executor):
            return "not needed"
    except Exception as e:  # the plugin changed: the normalisation is harmless anyway
        warn(f"annex-race: could not probe how the SLURM plugin reads `CANCELLED by <uid>` ({e!r}); "
             "reading sacct states by their first word")
    if not asyncio.iscoroutinefunction(getattr(module, "query_job_status", None)):
        warn("annex-race: the SLURM plugin has no query_job_status: a job cancelled with scancel "
             "may be waited for until it times out")
        return "cannot apply"
    read_slurm_states_by_first_word(module, executor.logger.info)
    return "applied"


# ---- 3. the SLURM plugin's wait between looks at its jobs --------------------------


def cap_status_interval(executor, seconds, warn):
    """Make `seconds` the longest wait between two looks at the jobs' states: the
    remote executor sleeps `next_seconds_between_status_checks`, which the plugin
    grows while no job ends. Probed: where the executor has no such wait, nothing
    is changed, with one warning."""
    if not (hasattr(executor, "next_seconds_between_status_checks")
            and asyncio.iscoroutinefunction(getattr(executor, "sleep", None))):
        warn("annex-race: slurm_status_interval: the SLURM executor has no status-check interval to cap; "
             "it polls as it does")
        return False
    original = executor.sleep

    async def sleep():
        if (executor.next_seconds_between_status_checks or 0) > seconds:
            executor.next_seconds_between_status_checks = seconds
        await original()

    executor.sleep = sleep
    return True
