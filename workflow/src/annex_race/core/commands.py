"""Run a command a job takes, timestamping every line of its output as it arrives.

(A *run* is one invocation of the workflow; what a job executes is a *command*.)"""

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field

from .log_lines import HANG


@dataclass
class Finished:
    """A command that ended: when, how, and every line it printed."""

    cmd: list
    started: float
    ended: float
    exit_code: int
    lines: list = field(default_factory=list)  # [(unix time, text)], stdout and stderr merged

    @property
    def text(self):
        return [text for _, text in self.lines]


# DataLad passes git-annex's stderr (with its debug lines) through only at log
# level 5 with outputs logged; otherwise it keeps it to itself
DATALAD_DEBUG_ENV = {"DATALAD_LOG_LEVEL": "5", "DATALAD_LOG_OUTPUTS": "1"}


def git_config_env(settings):
    """Environment that sets git config for git, git-annex and DataLad alike.

    GIT_CONFIG_COUNT/KEY/VALUE (git >= 2.31) reach every git and git-annex process
    the command starts, including those DataLad starts, so all three methods run
    with the same settings. Empty values are left out.
    """
    items = [(k, str(v)) for k, v in settings.items() if v not in ("", None)]
    env = {"GIT_CONFIG_COUNT": str(len(items))}
    for i, (key, value) in enumerate(items):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    return env


def group_processes(pgid):
    """`pid command` of each process still in process group `pgid`."""
    out = subprocess.run(["ps", "-o", "pid=,args=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [" ".join(line.split()) for line in out.splitlines() if line.strip()]


def _watch_idle(proc, lines, idle_timeout, log, stop):
    """Stop `proc`'s process group once it has printed nothing for `idle_timeout`
    seconds, first logging where it hung (its last line, what still runs)."""
    last = time.time()
    seen = 0
    while not stop.wait(1.0):
        if len(lines) != seen:
            seen, last = len(lines), time.time()
        elif time.time() - last > idle_timeout:
            still = group_processes(proc.pid)
            where = lines[-1][1].strip()[:200] if lines else "before any output"
            note = (f"{HANG} no output for {idle_timeout:g} s; stopped; last line: {where}; "
                    f"still running: {' | '.join(still) or 'nothing'}")
            lines.append((time.time(), note))
            log.write(f"{lines[-1][0]:.3f} {note}\n")
            log.flush()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            return


def run_logged(cmd, log, cwd=None, env=None, annotate=None, on_start=None, idle_timeout=None):
    """Run `cmd`, appending `<unix time> <line>` to the open file `log` as lines arrive.

    `annotate(text)` may return more lines to log right after a line (e.g. what the
    caller observed at that moment); they become part of the run's lines. The command
    runs in a process group of its own; `on_start(pgid)` is told which, so that it can
    be stopped as a whole (see guard.py). If the caller is interrupted, it is. A
    command that prints nothing for `idle_timeout` seconds hangs: its group is
    stopped and a line starting with HANG says where it was.
    """
    started = time.time()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        bufsize=1,
        start_new_session=True,
    )
    if on_start:
        on_start(proc.pid)
    lines, stop = [], threading.Event()
    if idle_timeout:
        threading.Thread(target=_watch_idle, args=(proc, lines, idle_timeout, log, stop), daemon=True).start()
    try:
        return _follow(proc, cmd, started, log, annotate, lines)
    except BaseException:  # Ctrl-C, SIGTERM: the command's group goes with us
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        raise
    finally:
        stop.set()


def _follow(proc, cmd, started, log, annotate, lines):
    for raw in proc.stdout:
        now = time.time()
        # progress meters redraw with \r: keep each redraw as its own line
        for text in raw.rstrip("\n").split("\r"):
            if not text.strip():
                continue
            lines.append((now, text))
            log.write(f"{now:.3f} {text}\n")
            for note in annotate(text) if annotate else ():
                lines.append((time.time(), note))
                log.write(f"{lines[-1][0]:.3f} {note}\n")
        log.flush()
    exit_code = proc.wait()
    return Finished(cmd=list(cmd), started=started, ended=time.time(), exit_code=exit_code, lines=lines)
