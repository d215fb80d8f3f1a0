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
