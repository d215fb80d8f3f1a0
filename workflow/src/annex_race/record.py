"""The clone record: what one clone job observed, as a typed contract.

The clone job writes one record per clone (annex_race.clone_job); the summary, the
timeline, the tests and the benchmarks read them. `CloneRecord` is the one place
that names the fields. `write_record` and `read_record` validate on the way out and
on the way in, so a missing or mistyped field is one line naming it, not a KeyError
deep inside pandas.
"""

import json
import os
import types
import typing
from dataclasses import asdict, dataclass, fields
from pathlib import Path


class RecordError(ValueError):
    """A record that does not follow the contract (one line, naming file and field)."""


@dataclass
class ScenarioFields:
    """A scenario's id and its axis values (scenarios.AXES, in that order): the first
    fields of every clone record and of every summary row."""

    scenario: str
    location: str
    clone_from: str
    transport: str
    storage_sibling: str
    method: str
    image_size: str | int
    n_clones: int
    annex_retry: int
    annex_retry_delay: float
    annex_bwlimit: str
    git_annex: str
    workaround: str


@dataclass
class CloneRecord(ScenarioFields):
    # the job
    clone: int
    round: int  # the scenario's run its barrier opened (see rounds)
    lane: int  # whose origins it fetched from (see lanes)
    host: str
    pid: int
    slurm_job_id: str | None
    slurm_node: str | None
    log: str
    git_annex_version: str | None  # what the git-annex that ran reported
    git_annex_source: str | None  # where it came from: PyPI, PATH: /usr/bin/git-annex, ...
    datalad_version: str
    # the location, as probed once for all its jobs (locations.probe_location)
    fs_source: str
    fs_clone: str
    same_filesystem: bool
    reflink: bool  # cp --reflink=always works from source_root to clone_root
    origin: str | None  # where `containers` was installed from
    # phases, as unix times
    t_job_start: float
    t_clone_start: float | None  # None: the job died before (see `reconstructed`)
    t_clone_end: float | None
    t_barrier_arrive: float | None
    t_barrier_release: float | None  # None: the barrier did not release
    barrier_release_at: float | None  # the release time all siblings computed
    barrier: str  # released | timeout | sibling-gave-up
    t_get_start: float | None  # None: no get (the clone failed)
    t_get_end: float | None
    t_record: float
    # what happened
    phase: str  # the last phase reached: clone | get
    attempts: list  # logparse.attempt_events
    attempt_starts: list  # when each attempt of the get started (logparse.attempt_starts)
    attempt_starts_inferred: bool  # from git-annex's retry schedule (DataLad hides them)
    exit_code: int | None
    verify_error: str | None
    outcome: str  # ok | failed
    failure_messages: list
    cause: str | None  # logparse.classify_failure, None when ok
    evidence: list
    # how the content got into the clone (logparse.classify_arrival), None if it did not
    arrival: str | None
    arrival_evidence: str | None
    prefetch_seconds: float | None  # the prefetch workaround's one setup transfer
    # True: the job died without writing this; rebuilt from its log (faults.reconstruct)
    reconstructed: bool

    def asdict(self):
        return asdict(self)


FIELDS = tuple(f.name for f in fields(CloneRecord))
# A scenario's verdict (summary.scenario_summary decides it from its records).
PASS, FAIL, INCONCLUSIVE = "PASS", "FAIL", "INCONCLUSIVE"
_HINTS = typing.get_type_hints(CloneRecord)
LIST_FIELDS = tuple(name for name in FIELDS if _HINTS[name] is list)  # JSON text in tables


def _allowed(hint):
    """Python types a JSON value of annotation `hint` may have."""
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    allowed = set()
    for option in options:
        allowed.add(type(None) if option is None else typing.get_origin(option) or option)
        if option is float:
            allowed.add(int)  # JSON writes 2.0 as 2 only if asked to; accept both
    return tuple(allowed)


def _type_name(hint):
    return " | ".join("null" if t is type(None) else t.__name__ for t in typing.get_args(hint) or (hint,))


def validate(data, source="record"):
    """`data` (a dict read from JSON) as a CloneRecord; RecordError names the first problem."""
    if not isinstance(data, dict):
        raise RecordError(f"{source}: a record is a JSON object, not {type(data).__name__}")
    if missing := [name for name in FIELDS if name not in data]:
        raise RecordError(f"{source}: record field '{missing[0]}' is missing")
    if unknown := sorted(set(data) - set(FIELDS)):
        raise RecordError(f"{source}: record field '{unknown[0]}' is not part of the record")
    for name in FIELDS:
        value, allowed = data[name], _allowed(_HINTS[name])
        if isinstance(value, bool) and bool not in allowed or not isinstance(value, allowed):
            raise RecordError(
                f"{source}: record field '{name}' is {value!r}, expected {_type_name(_HINTS[name])}"
            )
    return CloneRecord(**data)


def write_record(path, record):
    """Validate `record` (CloneRecord or dict) and write it atomically as JSON."""
    data = record.asdict() if isinstance(record, CloneRecord) else record
    validate(data, str(path))
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.rename(path)  # a reader never sees half a record


def read_record(path):
    """The record in `path`, validated; RecordError (one line) if it cannot be used."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError) as e:
        raise RecordError(f"{path}: cannot read the record: {e}") from None
    except ValueError as e:
        raise RecordError(f"{path}: not JSON ({e})") from None
    return validate(data, str(path))


def get_start_skew(starts):
    """Seconds between the first and the last get start of one scenario's clones, from
    their `t_get_start` values; None if any clone never started its get."""
    starts = list(starts)
    if not starts or any(s is None or s != s for s in starts):  # s != s: NaN
        return None
    return max(starts) - min(starts)
