"""The plan's storage: written once when a run starts and held under a lock while
the run lives; loaded by every job process of the run."""

import fcntl
import json
import os
from dataclasses import asdict
from pathlib import Path

from ..core import layout
from ..core.files import write_atomic
from .plan import Plan, Scenario

_held = None  # the lock on the plan this process wrote, held until it ends


class PlanInUse(ValueError):
    """Another run in the same working directory holds its plan."""


class PlanMissing(ValueError):
    """A job process found no plan: its run did not write one."""


def _hold(path):
    """Hold the lock beside `path` for as long as this process lives: another run
    in the same directory (`snakemake check` during the matrix, a second terminal)
    would replace the plan under the first one's jobs, and its scenarios share their
    lanes' origins, so it is refused (PlanInUse)."""
    global _held
    lock_path = str(path.absolute().with_suffix(".lock"))
    if _held is not None and _held.name == lock_path:
        return
    lock = open(lock_path, "a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        holder = lock.read().strip() or "?"
        lock.close()
        raise PlanInUse(
            f"{path}: another run of annex-race in this directory (pid {holder}) is "
            "using its plan; wait for it to end (its scenarios share origins with this run's)"
        ) from None
    except OSError:  # a filesystem without locks: nothing to guard with
        pass
    lock.truncate(0)
    lock.write(str(os.getpid()))
    lock.flush()
    if _held is not None:
        _held.close()
    _held = lock


def write(plan, path=layout.PLAN):
    """Write the plan for this run's jobs, holding it while this process lives."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _hold(path)
    write_atomic(path, json.dumps(asdict(plan), indent=1) + "\n")


def load(path=layout.PLAN):
    """The plan the main process wrote when the run started."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise PlanMissing(
            f"{path}: no plan; a job of annex-race runs only inside a run that wrote one "
            "(not with --no-hooks)"
        ) from None
    scenarios = {sid: Scenario(**{**s, "problems": tuple(s["problems"])}) for sid, s in data["scenarios"].items()}
    return Plan(data["lanes"], scenarios, data["locations"], tuple(data["roots"]), data["git_annex_cache"],
                data["config"])
