"""A clone job's guard: what happens when the job dies before writing its record.

A clone job can be stopped at any moment: SIGKILL, Ctrl-C, scancel, a time limit, the
OOM killer. Its get runs in a process group of its own (so that it can be stopped as
a whole); if the job dies, that get must not live on to hold the origin's lock while
the next run's gets race, and its siblings must not wait at the barrier in vain.

So the job forks a guard first. The job tells it, over a pipe, what it is doing
(`barrier`, `released`, `get`, `done`). When the pipe closes without `done`, the job
has died: the guard kills the get's process group, marks the barrier given up if
the job had not passed it, and appends to the job's log how it ended, for the
summary to read back (observe/faults.reconstruct). Then it exits.
"""

import os
import signal
import time
from pathlib import Path

from ..core.log_lines import DIED, job_started_line


class Guard:
    """Fork the guard of the calling process (the clone job); `tell` it the phases."""

    def __init__(self, log_path):
        self.job = os.getpid()
        with open(log_path, "a") as log:
            log.write(job_started_line(self.job) + "\n")
        read_end, self._pipe = os.pipe()  # both close-on-exec: children never hold them
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.close(self._pipe)
                _guard(read_end, self.job, log_path)
            finally:
                os._exit(0)
        os.close(read_end)

    def tell(self, *words):
        """Tell the guard one fact: `barrier <dir> <member>`, `released`, `get <pgid>`."""
        os.write(self._pipe, (" ".join(map(str, words)) + "\n").encode())

    def done(self):
        """The record is written: the guard has nothing to do."""
        self.tell("done")
        os.close(self._pipe)
        os.waitpid(self.pid, 0)


def _guard(read_end, job, log_path):
    """The guard process: detached from the job's terminal and files, it waits for
    the pipe to close and cleans up after a job that died."""
    os.setsid()  # a Ctrl-C to the job's process group does not reach the guard
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # nobody waiting on the job's output waits on the guard
        os.dup2(devnull, fd)
    facts, buffer = {}, b""
    while chunk := os.read(read_end, 4096):
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            word, _, rest = line.decode().partition(" ")
            if word == "barrier":  # a whole job's second barrier: not passed yet
                facts.pop("released", None)
            facts[word] = rest
    if "done" in facts:
        return
    actions = []
    if "get" in facts:
        try:
            os.killpg(int(facts["get"]), signal.SIGKILL)
            actions.append(f"killed its get (process group {facts['get']})")
        except ProcessLookupError:
            pass
    if "barrier" in facts and "released" not in facts:
        directory, member = facts["barrier"].rsplit(" ", 1)
        (Path(directory) / f"gave-up-{member}").touch()
        actions.append("told its siblings at the barrier it gave up")
    phase = "get" if "get" in facts else "barrier" if "barrier" in facts else "clone"
    with open(log_path, "a") as log:
        log.write(f"{time.time():.3f} {DIED} pid={job} in phase {phase} without writing its record"
                  f"{': ' + ', '.join(actions) if actions else ''}\n")
