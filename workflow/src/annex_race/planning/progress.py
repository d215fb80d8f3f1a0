"""Progress: what earlier runs left on disk and what this machine has, observed
once, before the plan is built. This is the planning stage's one step that reads
the disk or probes anything; the plan (planning/plan.build) is a pure function of
the configuration, this value and the executor.
"""

import glob
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..core import layout
from ..core.methods import BABS, family
from ..core.record import RecordError, read_record
from ..core.roots import filesystem_type
from ..core.versions import SYSTEM, installed

# filesystems that cannot give a file a second name
NO_HARDLINKS = {"vfat", "exfat", "msdos", "fuseblk"}


@dataclass(frozen=True)
class ScenarioProgress:
    """What one scenario's earlier rounds left."""

    # per clone: its CloneRecord, the line why it cannot be read, or None (missing)
    records: tuple = ()
    tickets: frozenset = frozenset()  # rounds that were opened
    snapshots: frozenset = frozenset()  # rounds whose shared repositories were seen before
    writes: frozenset = frozenset()  # rounds whose jobs' writes were seen after


@dataclass(frozen=True)
class Progress:
    scenarios: dict = field(default_factory=dict)  # scenario id -> ScenarioProgress
    hardlinks: dict = field(default_factory=dict)  # location -> whether a hardlink works there
    installed: frozenset = frozenset()  # git-annex versions in git_annex_cache
    made: frozenset = frozenset()  # the manifests of datasets and output repositories made
    babs_problem: str | None = None  # why BABS scenarios cannot run here (None: they can)


def _rounds(workdir, pattern, scenario):
    """The round numbers of the files of `pattern` that exist for `scenario`."""
    found = glob.glob(str(Path(glob.escape(str(workdir))) / pattern.format(scenario=glob.escape(scenario), round="*")))
    return frozenset(int(Path(p).stem.removeprefix("round-")) for p in found
                     if Path(p).stem.removeprefix("round-").isdigit())


def read_records(workdir, scenario, n_clones):
    """Each clone's record: a CloneRecord, why it cannot be read, or None."""
    records = []
    for clone in range(n_clones):
        path = Path(workdir) / layout.RECORD.format(scenario=scenario, clone=clone)
        try:
            records.append(read_record(path))
        except RecordError as e:
            records.append(str(e) if Path(path).exists() else None)
    return tuple(records)


def scenario_progress(workdir, scenario, n_clones):
    return ScenarioProgress(read_records(workdir, scenario, n_clones), _rounds(workdir, layout.ROUND, scenario),
                            _rounds(workdir, layout.SNAPSHOT, scenario), _rounds(workdir, layout.WRITES, scenario))


def hardlink_works(workdir, location, roots):
    """Whether a later lane's image will be a hardlink: as the location's probe found,
    or, before it ran (nothing may be created yet), as likely: yes on POSIX filesystems."""
    probe = Path(workdir) / layout.LOCATION_PROBE.format(location=location)
    if probe.exists():
        return json.loads(probe.read_text())["hardlink"]
    return filesystem_type(roots["source_root"]) not in NO_HARDLINKS


def babs_ready(babs_env, which=shutil.which):
    """None if BABS scenarios can run here, else the one line why not: BABS submits
    its own sbatch array, so it needs SLURM, and its environment (tools/setup.sh)."""
    missing = [tool for tool in ("sbatch", "sacct", "squeue") if which(tool) is None]
    if missing:
        return f"method babs: BABS submits its own SLURM job array, and {missing[0]} is not on PATH"
    if not (Path(babs_env) / "bin" / "babs").exists():
        return f"babs_env: no BABS in {babs_env} (set it up with `bash tools/setup.sh --babs`)"
    return None


def _made(workdir, *patterns):
    """The files of `patterns` (relative, as the plan names them) that exist under `workdir`."""
    found = (glob.glob(str(Path(glob.escape(str(workdir))) / p), recursive=True) for p in patterns)
    return frozenset(str(Path(f).relative_to(workdir)) for files in found for f in files)


def observe(tables, config, git_annex_cache, workdir="."):
    """Progress of the scenarios in `tables` (planning/matrix.tables) under
    `workdir`'s results/, and what this machine has for `config`."""
    n_clones = {sid: int(n) for table in tables.values() for sid, n in table["n_clones"].items()}
    methods = {m for table in tables.values() for m in table["method"]}
    wanted = {v for table in tables.values() for v in table["git_annex"]} - {SYSTEM}
    locations = config["locations"]
    return Progress(
        scenarios={sid: scenario_progress(workdir, sid, n) for sid, n in n_clones.items()},
        hardlinks={name: hardlink_works(workdir, name, locations[name]) for name in config["location"]},
        installed=frozenset(v for v in wanted if installed(git_annex_cache, v)),
        made=_made(workdir, layout.DATASETS.format(location="**") + "/*.json",
                   layout.OUTPUT_REPOSITORY.format(scenario="*", round="*")),
        babs_problem=babs_ready(config["babs_env"]) if any(family(m) == BABS for m in methods) else None,
    )
