"""Rounds: the scenario, not the clone job, is the unit of work.

Every opening of a scenario's barrier is one round; each record says which round it
belongs to. A scenario is complete when every sibling has a valid record of one and
the same round. If not (a job was killed, cancelled, timed out; a record is missing,
garbled, or from another round), the next run opens the next round, and because
the clone jobs read the round's ticket (layout.ROUND, its number in its name), the
changed input makes Snakemake rerun every sibling together through the fresh
barrier, never one alone. Complete scenarios keep their round and are not touched.
The plan (annex_race.plan) decides each scenario's round once per run.
"""

from dataclasses import dataclass, field
from pathlib import Path

from .record import RecordError, read_record


@dataclass
class Round:
    number: int
    complete: bool
    problems: list  # why the scenario is incomplete, one line each
    lane: int | None = None  # the lane a complete scenario ran in
    records: list = field(default_factory=list)  # a complete scenario's CloneRecords


def scenario_round(record_paths):
    """The round a scenario's records call for: theirs if they are complete, else the next."""
    records, problems = [], []
    for path in record_paths:
        try:
            records.append(read_record(path))
        except RecordError as e:
            problems.append("record missing" if not Path(path).exists() else str(e))
    rounds = [r.round for r in records]
    if not problems and len(set(rounds)) > 1:
        problems.append(f"records of rounds {sorted(set(rounds))}")
    if not problems:
        return Round(rounds[0], True, [], records[0].lane, records)
    started = any(Path(p).exists() for p in record_paths)  # else: it just never ran
    return Round(max(rounds, default=0) + 1, False, problems if started else [])

