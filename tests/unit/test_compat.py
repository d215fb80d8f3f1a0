"""The workarounds (annex_race.driver.compat) on the real executors: Snakemake's local
executor and its pool, and snakemake-executor-plugin-slurm's status handling fed
sacct states (no SLURM needed)."""

import asyncio
import subprocess
import threading
from types import SimpleNamespace

import pytest
from snakemake.executors import local

from annex_race.driver import compat

plugin = pytest.importorskip("snakemake_executor_plugin_slurm")


@pytest.fixture(autouse=True)
def restore():
    """Undo every hook: the classes and the module are the real ones."""
    kept = (local.Executor.__post_init__, plugin.Executor.__post_init__, plugin.query_job_status)
    yield
    local.Executor.__post_init__, plugin.Executor.__post_init__, plugin.query_job_status = kept


# ---- the local executor's pool ------------------------------------------------------


def waiting_jobs_running_at_once(ex, n):
    """Submit `n` jobs that wait for each other through the executor's own
    run_single_job (its job preparation stood in for) and count how many run at once."""
    started, release = threading.Semaphore(0), threading.Event()

    def wait():
        started.release()
        release.wait(5)

    ex.job_args_and_prepare = lambda job: ()
    ex.cached_or_run = lambda job, run, *args: job.body()
    job = SimpleNamespace(is_shadow=False, is_run=False, is_template_engine=False, body=wait)
    futures = [ex.run_single_job(job) for _ in range(n)]
    running = sum(started.acquire(timeout=0.5) for _ in range(n))
    release.set()
    for f in futures:
        f.result()
    return running


def test_unaided_the_pool_queues_jobs_beyond_cores_plus_5():
    assert waiting_jobs_running_at_once(compat.bare_local_executor(local.Executor, 2), 12) == 7


def test_the_pool_grows_for_every_waiting_job_once_the_executor_is_made():
    workflow = SimpleNamespace(is_main_process=True, resource_settings=SimpleNamespace(cores=2, nodes=None))
    assert compat.install(workflow, warn=pytest.fail) is None  # no cap on the lanes
    ex = compat.bare_local_executor(local.Executor, 2, hooked=True)
    assert ex.workers == 7
    assert waiting_jobs_running_at_once(ex, 12) == 12
    assert ex.workers == 12  # grown on demand, one worker per waiting job
    compat.install(workflow, warn=pytest.fail)  # installed twice: hooked once
    assert compat._HOOKED in vars(local.Executor.__post_init__)
    assert getattr(local.Executor.__post_init__, compat._HOOKED).__qualname__ == "Executor.__post_init__"


def test_without_a_pool_to_grow_the_run_goes_on_with_one_warning_and_capped_lanes(monkeypatch):
    def __post_init__(self):  # a future executor that keeps no pool of workers
        self.slots = 3

    monkeypatch.setattr(local.Executor, "__post_init__", __post_init__)
    warnings = []
    workflow = SimpleNamespace(is_main_process=True, resource_settings=SimpleNamespace(cores=2, nodes=None))
    assert compat.install(workflow, warn=warnings.append) == 7
    assert len(warnings) == 1 and "lanes are capped at what its 2 + 5 workers run at once" in warnings[0]
    assert local.Executor.__post_init__ is __post_init__  # nothing hooked


def test_a_job_process_hooks_nothing():
    before = local.Executor.__post_init__
    assert compat.install(SimpleNamespace(is_main_process=False), warn=pytest.fail) is None
    assert local.Executor.__post_init__ is before


# ---- the SLURM plugin's status handling -------------------------------------------


class _Log:
    def __getattr__(self, level):
        return lambda *a, **k: None


def slurm_executor():
    """The plugin's Executor with what check_active_jobs reads (its __post_init__
    needs a real workflow)."""
    ex = plugin.Executor.__new__(plugin.Executor)
    ex.workflow = SimpleNamespace(executor_settings=SimpleNamespace(
        init_seconds_before_status_checks=2, status_attempts=1,
        keep_successful_logs=True, requeue=False, status_command="sacct"))
    ex.logger, ex.status_rate_limiter, ex.run_uuid = _Log(), compat._NoThrottle(), "test"
    ex.next_seconds_between_status_checks = 2
    ex._preemption_warning, ex._failed_nodes = False, set()
    ex._status_query_calls = ex._status_query_failures = 0
    ex._status_query_total_seconds = ex._status_query_max_seconds = 0.0
    ex._status_query_min_seconds, ex._status_query_cycle_rows = None, []
    return ex


@pytest.fixture
def sacct_says(monkeypatch):
    """Stand in for sacct's answer (the plugin's query_job_status) and for the
    other SLURM commands the plugin runs; no SLURM is needed."""
    answer = {}

    async def query_job_status(command, logger):
        return {"42": answer["state"]}, 0.01

    monkeypatch.setattr(plugin, "query_job_status", query_job_status)
    monkeypatch.setattr(plugin, "get_min_job_age", lambda: 300)
    monkeypatch.setattr(plugin, "is_query_tool_available", lambda name: True)
    monkeypatch.setattr(plugin, "subprocess", SimpleNamespace(
        check_output=lambda *a, **k: "", PIPE=None, CalledProcessError=subprocess.CalledProcessError))
    return answer


def outcome(ex, state, sacct_says):
    """'failed', 'success' or 'running' for a job whose sacct State is `state`."""
    sacct_says["state"] = state
    seen = {}
    ex.report_job_success = lambda j: seen.setdefault("r", "success")
    ex.report_job_error = lambda j, **k: seen.setdefault("r", "failed")

    async def run():
        job = SimpleNamespace(external_jobid="42", aux={})
        return [j async for j in ex.check_active_jobs([job])]

    yielded = asyncio.run(run())
    del ex.report_job_success, ex.report_job_error
    return seen.get("r") or ("running" if yielded else "?")


CANCELLED_FORMS = ["CANCELLED by 0", "CANCELLED by 1234", "CANCELLED+"]


def test_the_probe_sees_the_installed_plugin_wait_for_a_cancelled_job_and_changes_nothing():
    """Documents the bug of plugin 2.8.0: fails once upstream fixes it (then the
    workaround stands aside by itself)."""
    ex = slurm_executor()
    before = {k: list(v) if isinstance(v, list) else v for k, v in vars(ex).items()}
    query = plugin.query_job_status
    assert compat.cancelled_read_as_failed(ex) is False
    assert vars(ex) == before and plugin.query_job_status is query


@pytest.mark.parametrize("state", CANCELLED_FORMS)
def test_unaided_the_plugin_takes_a_cancelled_job_for_running(sacct_says, state):
    assert outcome(slurm_executor(), state, sacct_says) == "running"


@pytest.mark.parametrize("state", CANCELLED_FORMS + ["CANCELLED", "TIMEOUT", "OUT_OF_MEMORY",
                                                     "NODE_FAIL", "DEADLINE", "BOOT_FAIL", "FAILED"])
def test_once_fixed_the_plugin_reports_every_failure(sacct_says, state):
    ex = slurm_executor()
    assert compat.fix_cancelled_states(ex, warn=pytest.fail) == "applied"
    assert compat.cancelled_read_as_failed(ex) is True  # the probe sees the fix
    assert compat.fix_cancelled_states(ex, warn=pytest.fail) == "not needed"
    assert outcome(ex, state, sacct_says) == "failed"


@pytest.mark.parametrize("state,expected", [("COMPLETED", "success"), ("RUNNING", "running"),
                                            ("PENDING", "running"), ("REQUEUED", "running")])
def test_once_fixed_the_plugin_leaves_other_states_alone(sacct_says, state, expected):
    ex = slurm_executor()
    compat.fix_cancelled_states(ex, warn=pytest.fail)
    assert outcome(ex, state, sacct_says) == expected


def test_a_plugin_that_cannot_be_probed_gets_the_reading_with_one_warning(monkeypatch):
    monkeypatch.setattr(plugin.Executor, "check_active_jobs", None)
    warnings = []
    assert compat.fix_cancelled_states(slurm_executor(), warn=warnings.append) == "applied"
    assert len(warnings) == 1 and "could not probe" in warnings[0]


def test_the_fix_is_hooked_into_the_making_of_the_slurm_executor():
    workflow = SimpleNamespace(is_main_process=True, resource_settings=SimpleNamespace(cores=2, nodes=4))
    compat.install(workflow, warn=pytest.fail)
    hooked = plugin.Executor.__post_init__
    assert getattr(hooked, compat._HOOKED).__qualname__ == "Executor.__post_init__"


# ---- the wait between looks at the jobs -----------------------------------------------


def test_unaided_the_plugin_waits_longer_after_each_look_in_which_no_job_ended(sacct_says):
    """Documents the plugin's back-off: 10 s more after each look without an end."""
    ex = slurm_executor()
    for _ in range(3):
        outcome(ex, "RUNNING", sacct_says)
    assert ex.next_seconds_between_status_checks == 2 + 30


def test_a_capped_executor_never_sleeps_longer_than_the_cap(sacct_says, monkeypatch):
    ex = slurm_executor()
    slept = []

    async def sleep(seconds):
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    ex.workflow.remote_execution_settings = SimpleNamespace(seconds_between_status_checks=10)
    assert compat.cap_status_interval(ex, 5, warn=pytest.fail) is True
    for _ in range(3):
        outcome(ex, "RUNNING", sacct_says)
        asyncio.run(ex.sleep())
    assert slept == [5, 5, 5]


def test_an_executor_without_an_interval_is_left_as_it_is_with_one_warning():
    warnings = []
    ex = SimpleNamespace()
    assert compat.cap_status_interval(ex, 5, warn=warnings.append) is False
    assert len(warnings) == 1 and vars(ex) == {}
