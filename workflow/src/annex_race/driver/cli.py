"""Driving the workflow from Python: the one place that builds its command line
(used by the tests and the benchmarks) and reads back a finished run."""

import resource
import subprocess
import sys
import tempfile
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ..core.layout import CHECKOUT
from ..core.record import read_record
from ..core.roots import safe_remove

ROOT = CHECKOUT  # the repository
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
CONFIG = ROOT / "config" / "config.yaml"


def snakemake_command(workdir, *args, config=(), configfiles=()):
    """`snakemake` on this repository's Snakefile in `workdir` (its results/ go there),
    with config/config.yaml, then `configfiles`, then `config` overrides."""
    cmd = [str(SNAKEMAKE), "-s", str(ROOT / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(CONFIG), *map(str, configfiles), *args]
    if config:
        cmd += ["--config", *config]
    return cmd


def run_snakemake(workdir, *args, config=(), configfiles=(), timeout=1800, **kwargs):
    """Run the workflow and return the CompletedProcess (output captured as text)."""
    return subprocess.run(snakemake_command(workdir, *args, config=config, configfiles=configfiles),
                          capture_output=True, text=True, timeout=timeout, **kwargs)


@contextmanager
def temporary_workdir(prefix, keep=False):
    """A fresh working directory (a benchmark's), removed afterwards through the
    guarded delete, unless `keep`."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield workdir
    finally:
        if keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            safe_remove(workdir, [workdir.parent])


def read_run(workdir):
    """The CloneRecords of a finished run, by scenario, each list ordered by clone."""
    records = defaultdict(list)
    for path in sorted(Path(workdir, "results", "records").glob("*/clone-*.json")):
        record = read_record(path)
        records[record.scenario].append(record)
    return {s: sorted(rs, key=lambda r: r.clone) for s, rs in records.items()}


def read_table(workdir):
    return pd.read_csv(Path(workdir, "results", "results.tsv"), sep="\t")


def children_cpu():
    """CPU seconds (user + system) of the children this process has waited for: a
    finished Snakemake run and every job it waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def descendants(pid):
    """Pids of the processes under `pid`, found through /proc."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
