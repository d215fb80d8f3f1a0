"""A get job's clone, in a process of its own:

    python -m annex_race.jobs.install URL CLONE_DIR LOG

clones the dataset at URL (the input RIA store, or source_ds itself) with DataLad,
installs (does not get) its `containers` subdataset, appends what it found to LOG,
and prints one JSON line: {"origin": where `containers` came from, "cpu": its own CPU
seconds}. DataLad's modules and objects (~20 MB) leave with this process, so that
hundreds of jobs waiting at their barrier hold only what they need.
"""

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from ..core.image import SUBDATASET
from ..core.log_lines import UUID_LINE


def log_origin_uuid(clone_dir, url, log):
    """Log the annex uuid the clone finds its origin to have: where a job initialised
    the origin, the logs tell which (snapshot.seen_uuids)."""
    uuid = subprocess.run(["git", "-C", str(clone_dir), "config", "remote.origin.annex-uuid"],
                          capture_output=True, text=True).stdout.strip()
    log.write(f"{time.time():.3f} annex-race: {UUID_LINE} {uuid or 'none'} ({url})\n")


def clone_and_install(url, clone_dir, log):
    """Clone, install `containers`; return where that came from."""
    from . import datalad_commands

    ds = datalad_commands.clone(url, clone_dir)
    datalad_commands.dataset(clone_dir, "get", "subdatasets")
    log_origin_uuid(clone_dir, url, log)
    ds.get(SUBDATASET, get_data=False, result_renderer="disabled")
    url = ds.subdatasets(path=SUBDATASET, result_renderer="disabled")[0]["gitmodule_url"]
    origin = subprocess.run(
        ["git", "-C", str(Path(clone_dir) / SUBDATASET), "remote", "get-url", "origin"],
        capture_output=True, text=True,
    ).stdout.strip()
    log.write(f"{time.time():.3f} containers installed from {origin} (.gitmodules: {url})\n")
    return origin


def install_apart(url, clone_dir, log):
    """clone_and_install in a child process (its output goes to the job's log); returns
    (origin, the child's own CPU seconds). A failure raises RuntimeError with the
    child's last line."""
    log.flush()
    done = subprocess.run([sys.executable, "-m", __name__, url, str(clone_dir), log.name],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        log.write(done.stderr)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise RuntimeError(lines[-1] if lines else f"exit code {done.returncode}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["origin"], result["cpu"]


def main(url, clone_dir, log_path):
    with open(log_path, "a", buffering=1) as log:
        origin = clone_and_install(url, clone_dir, log)
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"origin": origin, "cpu": own.ru_utime + own.ru_stime}))


if __name__ == "__main__":
    main(*sys.argv[1:])
