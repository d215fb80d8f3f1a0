"""The clone record: what one clone job observed, as a typed contract.

The clone job writes one record per clone (jobs/clone_job.py; a BABS task's is read
from BABS's log, jobs/babs.py); the summary, the timeline, the tests and the
benchmarks read them. `CloneRecord` is the one place that names the fields.
`write_record` and `read_record` validate on the way out and on the way in, so a
missing or mistyped field, or one its method's family does not fill
(core/methods.FILLS), is one line naming it, not a KeyError deep inside pandas.
"""

import json
import types
import typing
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .files import write_atomic
from .methods import BABS, FAMILY_FIELDS, METHODS, PUSH, fills


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
    deliver: str
    image_size: str | int
    n_clones: int
    start: str
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
    git_annex_provenance: str | None  # where it came from: PyPI, PATH: /usr/bin/git-annex, ...
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
    phase: str  # the last phase reached: clone | get (a push operation's: clone | push)
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
    # a BABS task's result is in the output RIA after `babs merge` (None: no BABS)
    delivered: bool | None
    delivery_evidence: str | None  # why not: the first line of BABS's log that says it
    # a push operation (annex_race.push_job): what the job saved and pushed ({branch,
    # commit, key, file}; None: no push), and each step it ran at the barrier
    # ({step, command, t_start, t_end, exit_code, remote_said})
    pushed: dict | None
    steps: list
    # a whole job (a get method whose scenario delivers): the stand-in's `datalad run`
    # ({command, t_start, t_end, exit_code, commit}; None: not run), its delivery's
    # start and end (its steps are `steps`, what it delivered `pushed`), and the
    # verifyremote workaround's seconds in the job before the barrier
    run: dict | None = None
    t_deliver_start: float | None = None
    t_deliver_end: float | None = None
    verify_seconds: float | None = None
    # the step the job failed in: clone | get | run | deliver (None: it did not fail);
    # outcome and cause are the job's, i.e. that step's
    failed_step: str | None = None
    # the task of a SLURM job array it ran as (None: not an array task)
    slurm_array_job_id: str | None = None
    slurm_array_task_id: str | None = None
    # CPU seconds by phase ({phase: [the job's own, its children's]}: git, git-annex
    # and their helpers are the children; the job's own is Python, DataLad's included)
    cpu: dict | None = None

    def asdict(self):
        return asdict(self)


FIELDS = tuple(f.name for f in fields(CloneRecord))
# A scenario's verdict (scenario_verdict decides it from its records).
PASS, FAIL, INCONCLUSIVE = "PASS", "FAIL", "INCONCLUSIVE"
# Causes from outside git-annex and DataLad: a clone that failed of one says nothing
# about their concurrency, so its scenario is INCONCLUSIVE and a rerun tries again.
EXTERNAL_CAUSES = frozenset(
    {"killed", "cancelled", "requeued", "timeout", "lost", "error", "unreadable-record", "no-sibling"})
_HINTS = typing.get_type_hints(CloneRecord)
# lists and mappings: JSON text in tables
JSON_FIELDS = tuple(name for name in FIELDS if _HINTS[name] is list or _HINTS[name] == dict | None)


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


# fields renamed since records were first written: a record of an earlier run reads
RENAMED = {"git_annex_source": "git_annex_provenance"}
# fields added since: a record of an earlier run has their value of then
ADDED = {"deliver": "none", "run": None, "t_deliver_start": None, "t_deliver_end": None, "verify_seconds": None,
         "failed_step": None, "start": "barrier", "slurm_array_job_id": None, "slurm_array_task_id": None,
         "cpu": None}


def validate(data, source="record"):
    """`data` (a dict read from JSON) as a CloneRecord; RecordError names the first problem."""
    if not isinstance(data, dict):
        raise RecordError(f"{source}: a record is a JSON object, not {type(data).__name__}")
    data = ADDED | {RENAMED.get(name, name): value for name, value in data.items()}
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
    if data["method"] not in METHODS:
        raise RecordError(f"{source}: record field 'method' is {data['method']!r}, not a method")
    if filled := [name for name in sorted(FAMILY_FIELDS - set(fills(data["method"], data["deliver"])))
                  if data[name] not in (None, [])]:
        raise RecordError(f"{source}: record field '{filled[0]}' is set, but method {data['method']} does not fill it")
    return CloneRecord(**data)


def write_record(path, record):
    """Validate `record` (CloneRecord or dict) and write it atomically as JSON."""
    data = record.asdict() if isinstance(record, CloneRecord) else record
    validate(data, str(path))
    write_atomic(path, json.dumps(data, indent=2) + "\n")  # a reader never sees half a record


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


def _get_spans(records):
    return [(r["clone"], r["t_get_start"], r["t_get_end"]) for r in records
            if r["t_get_start"] is not None and r["t_get_end"] is not None]


def overlapped(records):
    """{clone: True if its get ran while another clone's get ran} (the gets of a
    scheduled start race only where they overlap; the first of two that overlap races
    too: its git-annex may take the lock after the second's)."""
    spans = _get_spans(records)
    return {clone: any(other != clone and begun < end and start < ended for other, begun, ended in spans)
            for clone, start, end in spans}


def _joined(records):
    """How many gets started while another's ran (all but the first, if they raced)."""
    spans = _get_spans(records)
    return sum(any(other != clone and begun <= start < ended for other, begun, ended in spans)
               for clone, start, _ in spans)


def overlap_note(records, n_expected):
    """'k of N gets overlapped another's' (a scheduled start's verdict says it)."""
    k = sum(overlapped(records).values())
    return f"{k} of {n_expected} gets overlapped another's"


def scenario_verdict(records, n_expected, max_skew):
    """(verdict, detail) of one scenario from its clones' records (mappings with the
    record's fields): PASS, FAIL with a cause of git-annex's or DataLad's, or
    INCONCLUSIVE with what made it so."""
    records = list(records)
    faults = [r for r in records if r["reconstructed"]]
    if faults:  # a job that died tells nothing about git-annex
        causes = ", ".join(dict.fromkeys(r["cause"] for r in faults))
        return INCONCLUSIVE, f"{len(faults)} of {n_expected} clone jobs ended without a record ({causes})"
    if len(records) < n_expected:
        return INCONCLUSIVE, f"{n_expected - len(records)} of {n_expected} records missing"
    not_released = [r["barrier"] for r in records if r["barrier"] not in ("released", "scheduled")]
    if not_released:
        return INCONCLUSIVE, f"not concurrent: barrier {not_released[0]}"
    outside = [r for r in records if r["outcome"] != "ok" and r["cause"] in EXTERNAL_CAUSES]
    if outside:
        return INCONCLUSIVE, "; ".join(
            f"clone {r['clone']}: {r['cause']} ({(r['evidence'] or ['no evidence'])[0]})" for r in outside)
    skew = get_start_skew(r["t_get_start"] for r in records)
    if skew is None:
        return INCONCLUSIVE, "not concurrent: a get never started"
    # a scheduled start is not meant to be concurrent: its gets race where they overlap;
    # at a barrier, many gets on few cores start over more than max_skew, yet they
    # raced if each but the first started while another's ran
    scheduled = all(r.get("start") == "scheduled" for r in records)
    if skew > max_skew and not scheduled and _joined(records) < len(records) - 1:
        return INCONCLUSIVE, f"not concurrent: gets started {skew:.2f} s apart"
    note = f"; {overlap_note(records, n_expected)}" if scheduled else ""
    failed = [r for r in records if r["outcome"] != "ok"]
    if failed:
        return FAIL, f"{len(failed)} of {n_expected} failed{note}"
    return PASS, note.removeprefix("; ")


# The steps of a whole job, in order, and the phases whose failure counts against
# each (a failed clone against the first step: a record without failed_step, of an
# earlier run or a push operation, against its only step).
STEPS = ("get", "run", "deliver")
_COUNTS = {"get": ("clone", "get", None), "run": ("run",), "deliver": ("deliver",)}


def job_steps(method, deliver):
    """The steps a scenario's jobs take: a push operation's one is its delivery."""
    kind = METHODS[method].family
    if kind == PUSH:
        return ("deliver",)
    return ("get",) if deliver == "none" and kind != BABS else STEPS


def step_verdicts(records, n_expected, max_skew, lost=()):
    """{step: (verdict, detail)} for each step its scenario's jobs take (job_steps),
    and "job": PASS only if every step of every job passed and no result a job
    reported delivered is `lost` (clones whose result the output repository lacks).
    A step no job reached is left out; a job that died, or did not race, makes every
    step INCONCLUSIVE, as it makes the job."""
    records = list(records)
    job = scenario_verdict(records, n_expected, max_skew)
    if job[0] != INCONCLUSIVE and lost:
        job = FAIL, f"{len(lost)} of {n_expected} results lost in the output repository"
    if not records:
        return {"job": job}
    steps = job_steps(records[0]["method"], records[0].get("deliver", "none"))
    verdicts, earlier = {}, ()
    for i, step in enumerate(steps):
        counts = _COUNTS[step] + (("clone", None) if i == 0 else ())
        reached = [r for r in records if r["outcome"] == "ok" or r.get("failed_step") not in earlier]
        earlier += counts
        if job[0] == INCONCLUSIVE:
            verdicts[step] = job
        elif not reached:
            continue
        elif step == "deliver" and lost:
            verdicts[step] = FAIL, f"{len(lost)} of {len(reached)} results lost in the output repository"
        elif failed := [r for r in reached if r["outcome"] != "ok" and r.get("failed_step") in counts]:
            verdicts[step] = FAIL, f"{len(failed)} of {len(reached)} failed"
        else:
            verdicts[step] = PASS, ""
    return {**verdicts, "job": job}
