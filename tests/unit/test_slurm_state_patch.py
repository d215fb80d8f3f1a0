"""The SLURM plugin workaround (no SLURM needed): raw sacct states through
the real Executor.check_active_jobs of snakemake-executor-plugin-slurm, with and
without annex_race.slurm_state_patch.
"""

import asyncio
import importlib.metadata
import subprocess
from types import SimpleNamespace

import pytest

from annex_race import slurm_state_patch

plugin = pytest.importorskip("snakemake_executor_plugin_slurm")


class _Throttle:
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False


class _Log:
    def __getattr__(self, level):
        return lambda *a, **k: None


def _outcome(state):
    """'failed', 'success' or 'running' for a job whose sacct State is `state`."""
    ex = plugin.Executor.__new__(plugin.Executor)
    ex.workflow = SimpleNamespace(executor_settings=SimpleNamespace(
        init_seconds_before_status_checks=2, status_attempts=1,
        keep_successful_logs=True, requeue=False, status_command="sacct"))
    ex.logger, ex.status_rate_limiter, ex.run_uuid = _Log(), _Throttle(), "test"
    ex.next_seconds_between_status_checks = 2
    ex._preemption_warning, ex._failed_nodes = False, set()
    ex._status_query_calls = ex._status_query_failures = 0
    ex._status_query_total_seconds = ex._status_query_max_seconds = 0.0
    ex._status_query_min_seconds, ex._status_query_cycle_rows = None, []
    seen = {}
    ex.report_job_success = lambda j: seen.setdefault("r", "success")
    ex.report_job_error = lambda j, **k: seen.setdefault("r", "failed")

    async def run():
        job = SimpleNamespace(external_jobid="42", aux={})
        return [j async for j in ex.check_active_jobs([job])]

    yielded = asyncio.run(run())
    return seen.get("r") or ("running" if yielded else "?")


@pytest.fixture
def sacct_says(monkeypatch):
    """Make the plugin's status query return {'42': state}; no SLURM commands run."""
    def install(state, patched):
        async def fake_query(command, logger):
            return {"42": state}, 0.01

        monkeypatch.setattr(plugin, "query_job_status", fake_query)
        monkeypatch.setattr(plugin.job_status_query, "query_job_status", fake_query)
        monkeypatch.setattr(plugin, "get_min_job_age", lambda: 300)
        monkeypatch.setattr(plugin, "is_query_tool_available", lambda name: True)
        monkeypatch.setattr(plugin, "subprocess", SimpleNamespace(
            check_output=lambda *a, **k: "", PIPE=None,
            CalledProcessError=subprocess.CalledProcessError))
        if patched:
            assert slurm_state_patch.apply_slurm_state_patch() is True
    return install


CANCELLED_FORMS = ["CANCELLED by 0", "CANCELLED by 1234", "CANCELLED+"]


@pytest.mark.parametrize("state", CANCELLED_FORMS)
def test_unpatched_plugin_misses_cancelled_with_suffix(sacct_says, state):
    """Documents the bug in plugin 2.8.0: fails once upstream fixes it."""
    sacct_says(state, patched=False)
    assert _outcome(state) == "running"


@pytest.mark.parametrize("state", CANCELLED_FORMS + ["CANCELLED", "TIMEOUT", "OUT_OF_MEMORY",
                                                     "NODE_FAIL", "DEADLINE", "BOOT_FAIL", "FAILED"])
def test_patched_plugin_reports_failure(sacct_says, state):
    sacct_says(state, patched=True)
    assert _outcome(state) == "failed"


@pytest.mark.parametrize("state,expected", [("COMPLETED", "success"), ("RUNNING", "running"),
                                            ("PENDING", "running"), ("REQUEUED", "running")])
def test_patched_plugin_leaves_other_states_alone(sacct_says, state, expected):
    sacct_says(state, patched=True)
    assert _outcome(state) == expected


def test_other_plugin_version_fails_loudly(monkeypatch):
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda d: "9.9.9" if d == slurm_state_patch.DIST else real(d))
    with pytest.raises(Exception, match="written for snakemake-executor-plugin-slurm"):
        slurm_state_patch.apply_slurm_state_patch()


def test_not_applied_in_remote_job_process():
    assert slurm_state_patch.apply_slurm_state_patch(SimpleNamespace(remote_exec=True)) is False
