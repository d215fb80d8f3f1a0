"""Send everything a job prints, its own and its subprocesses', to its log file."""

import os
import sys


def open_log(path):
    """Point stdout and stderr (file descriptors 1 and 2) at `path`; return the file."""
    log = open(path, "a", buffering=1)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    return log
