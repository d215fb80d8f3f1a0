"""Clone jobs that could not write their record, rebuilt from what is known.

A job killed, cancelled or timed out leaves its log: the line its guard wrote when
the job started (pid, host, SLURM job id) and, if the job died, the guard's line
saying so (guard.py). With the SLURM job's state from `sacct` where there is one, that
is enough to put the clone in the table as what happened to it: cause `killed`,
`timeout`, `cancelled`, `error` (the job itself failed) or `lost` (nothing says why),
never a verdict on git-annex. A record that exists but cannot be read gets a row
saying what is wrong with it (cause `unreadable-record`).
"""

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..core.log_lines import DIED, STARTED, STEP
from ..core.record import CloneRecord, RecordError, read_record

# sacct's state (first word) -> cause
SLURM_CAUSES = {
    "CANCELLED": "cancelled",
    "PREEMPTED": "cancelled",
    "TIMEOUT": "timeout",
    "DEADLINE": "timeout",
    "OUT_OF_MEMORY": "killed",
    "NODE_FAIL": "killed",
    "BOOT_FAIL": "killed",
}
FAULTS = ("killed", "timeout", "cancelled", "error", "lost", "unreadable-record")

def first_word(state):
    """First word of a SLURM state, without sacct's truncation mark '+'."""
    words = state.split()
    return words[0].rstrip("+") if words else state.strip()


_LINE = re.compile(r"^(\d+\.\d+) (.*)$")
_START = re.compile(re.escape(STARTED) + r" pid=(\d+) host=(\S+) slurm_job_id=(\S+)")


@dataclass
class Attempt:
    """The last attempt of a clone job, as its log tells it."""

    started: float
    pid: int
    host: str
    slurm_job_id: str | None
    lines: list = field(default_factory=list)  # [(unix time or None, text)] after the start

    def first(self, needle):
        return next(((t, text) for t, text in self.lines if needle in text), (None, None))


def last_attempt(log_path):
    """The last attempt recorded in a clone job's log, or None."""
    try:
        text = Path(log_path).read_text(errors="replace")
    except OSError:
        return None
    attempt = None
    for raw in text.splitlines():
        m = _LINE.match(raw)
        t, line = (float(m.group(1)), m.group(2)) if m else (None, raw)
        if start := _START.search(line):
            job_id = start.group(3)
            attempt = Attempt(t, int(start.group(1)), start.group(2), None if job_id == "-" else job_id)
        elif attempt:
            attempt.lines.append((t, line))
    return attempt


def slurm_state(job_id):
    """What `sacct` says of a SLURM job (e.g. `CANCELLED by 0`), or None."""
    try:
        out = subprocess.run(["sacct", "-n", "-X", "-P", "-o", "State", "-j", str(job_id)],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else None


def diagnose(attempt, state=None):
    """(cause, evidence) of a job that ended without its record."""
    if state and (cause := SLURM_CAUSES.get(first_word(state))):
        return cause, [f"SLURM job {attempt.slurm_job_id}: {state}"]
    _, died = attempt.first(DIED)
    if died:
        return "killed", [died]
    if tb := [text for _, text in attempt.lines if text.startswith("Traceback")]:
        last = next((text for _, text in reversed(attempt.lines) if text.strip()), tb[0])
        return "error", [last.strip()]
    last = next((text for _, text in reversed(attempt.lines) if text.strip()), "(empty log)")
    return "lost", [f"no record; the log ends: {last.strip()[:200]}"]


def _stub(scenario, clone, log_path, probe, **known):
    """A record of a clone that did not write one: what is `known`, the rest empty."""
    return CloneRecord(**{
        **scenario, "clone": clone, "round": 0, "lane": -1, "host": "", "pid": 0, "slurm_job_id": None,
        "slurm_node": None, "log": str(log_path), "git_annex_version": None, "git_annex_provenance": None,
        "datalad_version": "",
        **{k: probe[k] for k in ("fs_source", "fs_clone", "same_filesystem", "reflink")},
        "origin": None, "t_job_start": 0.0, "t_clone_start": None, "t_clone_end": None,
        "t_barrier_arrive": None, "t_barrier_release": None, "barrier_release_at": None,
        "barrier": "not reached", "t_get_start": None, "t_get_end": None, "t_record": 0.0,
        "phase": "clone", "attempts": [], "attempt_starts": [], "attempt_starts_inferred": False, "exit_code": None, "verify_error": None,
        "outcome": "failed", "failure_messages": [], "cause": None, "evidence": [],
        "arrival": None, "arrival_evidence": None, "prefetch_seconds": None, "reconstructed": True,
        "delivered": None, "delivery_evidence": None, "pushed": None, "steps": [],
        **known,
    })


def reconstruct(scenario, clone, log_path, probe, since=0.0, state_of=slurm_state):
    """The record of a clone job that died, from its log's last attempt (if that began
    at `since` or later: an older one belongs to an earlier run), else None."""
    attempt = last_attempt(log_path)
    if attempt is None or attempt.started is None or attempt.started < since:
        return None
    state = state_of(attempt.slurm_job_id) if attempt.slurm_job_id else None
    cause, evidence = diagnose(attempt, state)
    t_get, _ = attempt.first("$ ")
    t_barrier, barrier = attempt.first("barrier: ")
    t_died, _ = attempt.first(DIED)
    _, installed = attempt.first("containers installed from ")
    # the step it died in: the last a whole job began, else the get if it began
    steps = [text.split(STEP, 1)[1].split()[0] for _, text in attempt.lines if STEP in text]
    return _stub(
        scenario, clone, log_path, probe,
        host=attempt.host, pid=attempt.pid, slurm_job_id=attempt.slurm_job_id,
        t_job_start=attempt.started, t_clone_start=attempt.started, t_barrier_arrive=t_barrier,
        barrier=barrier.split("barrier: ", 1)[1].split()[0] if barrier else "not reached",
        t_get_start=t_get, t_get_end=t_died if t_get else None,
        t_record=t_died or attempt.started, phase="get" if t_get else "clone",
        origin=installed.split("containers installed from ", 1)[1].split()[0] if installed else None,
        failure_messages=evidence, cause=cause, evidence=evidence,
        failed_step=steps[-1] if steps else "get" if t_get else "clone",
    )


def read_or_rebuild(path, scenario, clone, log_path, probe, since=0.0, state_of=slurm_state):
    """The record at `path`; if it cannot be read, a row saying why; if it does not
    exist, the clone rebuilt from its log (reconstruct), or None if it never ran."""
    try:
        return read_record(path)
    except RecordError as e:
        if Path(path).exists():
            return _stub(scenario, clone, log_path, probe, cause="unreadable-record",
                         evidence=[str(e)], failure_messages=[str(e)])
    return reconstruct(scenario, clone, log_path, probe, since, state_of)
