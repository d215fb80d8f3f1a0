"""What every job does first: send its output to its log, find its tools."""

import os
import sys
from pathlib import Path


def start_job(log_path):
    """Point stdout and stderr (fds 1 and 2) at `log_path` and return the open log.

    The bin directory of the Python running the job (the venv, with datalad and
    the default git-annex) goes on PATH, so jobs work without an activated venv.
    """
    tools = str(Path(sys.executable).parent)
    if tools not in os.environ["PATH"].split(os.pathsep):
        os.environ["PATH"] = f"{tools}{os.pathsep}{os.environ['PATH']}"
    log = open(log_path, "a", buffering=1)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    return log


def _stat(pid):
    """(parent pid, start time) of a process, from /proc; None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), fields[19]


def snakemake_process(pid=None):
    """(pid, start time) of the nearest Snakemake process this one runs under (its
    job runs in a shell Snakemake started), or None."""
    pid = pid or os.getppid()
    while pid > 1 and (stat := _stat(pid)):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return None
        if any(part.endswith((b"snakemake", b"snakemake/__main__.py")) or part == b"snakemake"
               for part in cmdline[:3]):
            return pid, stat[1]
        pid = stat[0]
    return None


def still_running(process):
    """Whether the process snakemake_process found is still the one running."""
    return process is None or (_stat(process[0]) or (None, None))[1] == process[1]
