"""Rounds: the scenario, not the clone job, is the unit of work.

Every opening of a scenario's barrier is one round; each record says which round it
belongs to. A scenario is complete when every sibling has a valid record of one and
the same round, with an honest verdict. If not (a job was killed, cancelled, timed
out; a record is missing, garbled, or from another round), the next run opens the
next round, and because the clone jobs read the round's ticket (layout.ROUND, its
number in its name), the changed input makes Snakemake rerun every sibling together
through the fresh barrier, never one alone. Complete scenarios keep their round and
are not touched.

Every function here is pure: it decides from what planning/progress.py observed.
"""

from dataclasses import dataclass, field, replace

from ..core.record import INCONCLUSIVE, scenario_verdict


@dataclass(frozen=True)
class Round:
    number: int
    complete: bool
    problems: tuple = ()  # why the scenario is incomplete, one line each
    lane: int | None = None  # the lane a complete scenario ran in
    records: tuple = field(default=(), repr=False)  # a complete scenario's CloneRecords
    compared: bool = True  # what its jobs wrote was seen (a complete scenario's; else compared this run)


def scenario_round(records):
    """The round a scenario's records (progress: per clone a CloneRecord, why it
    cannot be read, or None) call for: theirs if they are complete, else the next."""
    read = [r for r in records if not isinstance(r, str) and r is not None]
    problems = ["record missing" if r is None else r for r in records if r is None or isinstance(r, str)]
    rounds = [r.round for r in read]
    if not problems and len(set(rounds)) > 1:
        problems.append(f"records of rounds {sorted(set(rounds))}")
    if not problems:
        return Round(rounds[0], True, (), read[0].lane, tuple(read))
    started = any(r is not None for r in records)  # else: it just never ran
    return Round(max(rounds, default=0) + 1, False, tuple(problems) if started else ())


def honest_or_next(r, max_skew, max_rounds):
    """A scenario is complete only with an honest verdict: PASS, or FAIL with a cause
    of git-annex's or DataLad's. One that ran to an INCONCLUSIVE end (a clone killed,
    cancelled, requeued, alone at its barrier; gets not concurrent) takes the next
    round, until it has had `max_rounds`: then it is kept, INCONCLUSIVE."""
    if not r.complete or r.number >= max_rounds:
        return r
    records = [x.asdict() for x in r.records]
    verdict, detail = scenario_verdict(records, records[0]["n_clones"], max_skew)
    if verdict != INCONCLUSIVE:
        return r
    return replace(r, number=r.number + 1, complete=False, problems=(f"INCONCLUSIVE: {detail}",))


def observed_writes(r, progress):
    """A complete scenario whose writes cannot be observed (no snapshot before its
    round: run before annex-race took them, or removed) runs again, in the next
    round. One with its snapshot but no comparison (its run stopped first) is
    compared this run."""
    seen = r.number in progress.snapshots or r.number in progress.writes
    if r.complete and r.number in progress.tickets and not seen:
        return replace(r, number=r.number + 1, complete=False,
                       problems=("what its jobs wrote into shared repositories was not observed",))
    return r


def opened_once(r, progress):
    """A round is opened once: its ticket names the barrier its siblings met at, and
    a second opening would meet the first one's arrivals. An incomplete scenario
    whose round was opened (an interrupted run) takes the next round; a complete
    one whose ticket is gone (results/rounds removed) runs again, in the next."""
    opened = r.number in progress.tickets
    if r.complete and not opened:
        return replace(r, number=r.number + 1, complete=False, problems=("round ticket missing",))
    if not r.complete and opened:
        return replace(r, number=r.number + 1)
    return r


def decide(progress, max_skew, max_rounds):
    """The round a scenario runs this run (or keeps), from its ScenarioProgress."""
    r = opened_once(observed_writes(honest_or_next(scenario_round(progress.records), max_skew, max_rounds),
                                    progress), progress)
    return replace(r, compared=r.number in progress.writes or not r.complete)
