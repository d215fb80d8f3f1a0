"""The local executor workaround: the real Executor.__post_init__ of Snakemake's local
executor, with and without annex_race.local_pool_patch, and what the pool then runs
at once."""

import importlib.metadata
import threading
from types import SimpleNamespace

import pytest
from snakemake.executors import local
from snakemake_interface_common.exceptions import WorkflowError

from annex_race import local_pool_patch

MAIN = SimpleNamespace(is_main_process=True)


@pytest.fixture
def original():
    """Undo the patch after each test: the class is Snakemake's own."""
    before = local.Executor.__post_init__
    yield before
    local.Executor.__post_init__ = before


def executor(cores):
    """A local Executor as far as __post_init__ makes it (no workflow needed)."""
    ex = local.Executor.__new__(local.Executor)
    ex.workflow = SimpleNamespace(
        execution_settings=SimpleNamespace(use_threads=False, keep_incomplete=False),
        resource_settings=SimpleNamespace(cores=cores),
    )
    local.Executor.__post_init__(ex)
    return ex


def running_at_once(ex, jobs):
    """How many of `jobs` jobs that wait for each other run in the pool at once."""
    started, release = threading.Semaphore(0), threading.Event()

    def job():
        started.release()
        release.wait(5)

    futures = [ex.pool.submit(job) for _ in range(jobs)]
    n = sum(started.acquire(timeout=0.5) for _ in range(jobs))
    release.set()
    for f in futures:
        f.result()
    ex.pool.shutdown()
    return n


def test_without_the_patch_siblings_beyond_cores_plus_5_wait_in_the_queue(original):
    assert running_at_once(executor(2), 12) == 7


def test_with_the_patch_every_sibling_runs(original):
    assert local_pool_patch.widen_local_pool(MAIN, 12) is True
    ex = executor(2)
    assert ex.workers == 2 + 5 + 12
    assert running_at_once(ex, 12) == 12


def test_applied_twice_it_wraps_once_and_takes_the_new_size(original):
    local_pool_patch.widen_local_pool(MAIN, 4)
    assert local_pool_patch.widen_local_pool(MAIN, 10) is False
    assert executor(1).workers == 1 + 5 + 10


def test_a_job_process_is_left_alone(original):
    assert local_pool_patch.widen_local_pool(SimpleNamespace(is_main_process=False), 12) is False
    assert local.Executor.__post_init__ is original


def test_another_snakemake_version_is_refused_loudly(original, monkeypatch):
    monkeypatch.setattr(importlib.metadata, "version", lambda dist: "9.99.0")
    with pytest.raises(WorkflowError, match="written for snakemake .*9.99.0 is installed"):
        local_pool_patch.widen_local_pool(MAIN, 12)
    assert local.Executor.__post_init__ is original
