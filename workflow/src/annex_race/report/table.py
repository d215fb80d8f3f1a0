"""The data a run reports, before any rendering: results/results.tsv (one row per
clone, from the records) and results/scenarios.tsv (one row per scenario: every
axis, its verdict and cause, what its jobs wrote, what its output repository
held). The findings, the figures, the pages and the tests read these tables;
Markdown and HTML are renderings of them."""

import json
import types
import typing
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import pandas as pd

from ..core.axes import AXES, ROW_NOTES
from ..core.record import (FIELDS, INCONCLUSIVE, JSON_FIELDS, CloneRecord, ScenarioFields, get_start_skew,
                           overlapped, step_verdicts)
from ..observe.faults import read_or_rebuild


@dataclass
class ScenarioRow(ScenarioFields):
    """One row of scenarios.tsv: a scenario's axis values and what its clones showed."""

    verdict: str  # the job's: PASS | FAIL | INCONCLUSIVE (core/record.step_verdicts)
    detail: str  # "1 of 2 failed", why INCONCLUSIVE
    cause: str  # the causes of the failed clones, most frequent first
    first_failure: str
    evidence: str
    slowest_get_s: float
    winner_get_s: float | None  # the slowest get that succeeded
    fastest_get_s: float | None  # the fastest get that succeeded: how long one copy takes
    prefetch_s: float | None
    median_get_s: float
    skew_ms: float | None
    # how many gets ran while another's ran, and how many of those failed (a
    # scheduled start races only there; at a barrier every get overlaps)
    overlapped: int
    failed_overlapped: int
    # from the first job's start to the last record (what a scenario of N costs), and
    # the slowest delivery of a job (a flock queue's wait included; None: no delivery)
    wall_s: float
    slowest_deliver_s: float | None
    arrival: str  # how the content arrived in the clones that got it
    git_annex_run: str  # the versions the clones reported
    git_annex_provenance: str  # where that git-annex came from (PyPI, PATH: …)
    fs_source: str
    fs_clone: str
    # what its jobs wrote into the repositories they share (observe/snapshot.py):
    # clean | written | harmed, "" where not observed; what, in few words
    sources: str = ""
    written: str = ""
    # BABS scenarios: how many tasks' results reached the output RIA after `babs
    # merge` ("3 of 4"), and why not, from the first task's log that says ("" elsewhere)
    delivered: str = ""
    delivery_evidence: str = ""
    # push operations: what the verification of the round's output repository found
    # ("whole: …", "lost …", problems; "" elsewhere)
    output: str = ""
    # each step's verdict and the causes of the jobs that failed in it ("": the
    # scenario's jobs do not take that step, or none reached it); the verifyremote
    # workaround's slowest time in a job
    get_verdict: str = ""
    get_cause: str = ""
    run_verdict: str = ""
    deliver_verdict: str = ""
    deliver_cause: str = ""
    verify_s: float | None = None
    # an explicit row's notes (config `scenarios`, e.g. what the seed notes say)
    test: str = ""
    seed_location: str = ""
    seed_says: str = ""


SUMMARY_COLUMNS = tuple(f.name for f in fields(ScenarioRow))
TIME_FIELDS = [f for f in FIELDS if f.startswith("t_") or f in ("barrier_release_at", "prefetch_seconds",
                                                                 "verify_seconds")]
# what results.tsv adds to each record
DERIVED = {"clone_s": float, "get_s": float, "transfers": int, "failed_attempts": int, "first_failure": str,
           "overlapped": bool}


def collect_records(expected, since=0.0):
    """The records of the `expected` clones (dicts: record, log, scenario, clone,
    probe), each read, or, where it cannot be, a row saying why or the clone rebuilt
    from its log (observe/faults.read_or_rebuild); clones that never ran are left out."""
    records = []
    for e in expected:
        probe = json.loads(Path(e["probe"]).read_text()) if Path(e["probe"]).exists() else {
            "fs_source": "", "fs_clone": "", "same_filesystem": False, "reflink": False}
        record = read_or_rebuild(e["record"], e["scenario"], e["clone"], e["log"], probe, since)
        if record is not None:
            records.append(record)
    return records


def records_table(records):
    """One row per clone attempt (CloneRecords), with derived durations; lists kept
    as JSON text."""
    table = pd.DataFrame([r.asdict() for r in records], columns=FIELDS)
    for column in TIME_FIELDS:  # NaN, not None, where nothing happened (no get at all)
        table[column] = pd.to_numeric(table[column]).astype(float)
    table["clone_s"] = table["t_clone_end"] - table["t_clone_start"]
    table["get_s"] = table["t_get_end"] - table["t_get_start"]
    table["transfers"] = table["attempts"].map(lambda ev: sum(e["event"] == "transfer" for e in ev))
    table["failed_attempts"] = table["attempts"].map(lambda ev: sum(e["event"] == "failed" for e in ev))
    table["first_failure"] = table["failure_messages"].map(lambda m: m[0] if m else "")
    table["overlapped"] = False
    for _, group in table.groupby("scenario"):
        table.loc[group.index, "overlapped"] = group["clone"].map(overlapped(group.to_dict("records"))).eq(True)
    for column in JSON_FIELDS:
        table[column] = table[column].map(json.dumps)
    return table.sort_values(["scenario", "clone"]).reset_index(drop=True)


def scenario_summary(table, max_skew, max_rounds=None, writes=None, verified=None, notes=None):
    """One row per scenario (ScenarioRow) from the results table: its axis values,
    verdict, first failure, timings, skew; what its jobs wrote into shared
    repositories (`writes`: scenario -> observe/snapshot.after_round); what its output
    repository held (`verified`: scenario -> observe/output.verify_output); its notes
    (`notes`: scenario -> an explicit row's notes). An INCONCLUSIVE scenario whose
    records are of round `max_rounds` is not rerun: its detail says so."""
    rows = []
    writes, verified, notes = writes or {}, verified or {}, notes or {}
    for scenario, group in table.groupby("scenario", sort=True):
        first = group.iloc[0]
        records = [{**r, "evidence": json.loads(r["evidence"])} for r in group.to_dict("records")]
        output = verified.get(scenario)
        lost = list(output["lost"].values()) if output else []
        steps = step_verdicts(records, int(first["n_clones"]), max_skew, lost)
        verdict, detail = steps["job"]
        if verdict == INCONCLUSIVE and not group["reconstructed"].any():
            rounds = int(group["round"].max())
            detail += (f"; after {rounds} rounds (max_rounds) it is not rerun" if max_rounds and rounds >= max_rounds
                       else "; a rerun tries again")
        failed = group[group["outcome"] != "ok"]
        ok = group[group["outcome"] == "ok"]
        causes = failed["cause"].dropna().value_counts()
        skew = get_start_skew(group["t_get_start"])
        rows.append(ScenarioRow(
            scenario=scenario,
            **{axis: first[axis] for axis in AXES},
            verdict=verdict,
            detail=detail,
            cause=", ".join((["lost-result"] if lost else []) + list(causes.index)),
            first_failure=lost[0] if lost else failed["first_failure"].iloc[0] if len(failed) else "",
            evidence=lost[0] if lost else " / ".join(json.loads(failed["evidence"].iloc[0])) if len(failed) else "",
            slowest_get_s=group["get_s"].max(),
            winner_get_s=ok["get_s"].max() if len(ok) else None,
            fastest_get_s=ok["get_s"].min() if len(ok) else None,
            prefetch_s=group["prefetch_seconds"].max(),
            median_get_s=group["get_s"].median(),
            skew_ms=None if skew is None else 1000 * skew,
            overlapped=int(group["overlapped"].sum()),
            failed_overlapped=int((group["overlapped"] & (group["outcome"] != "ok")).sum()),
            wall_s=group["t_record"].max() - group["t_job_start"].min(),
            slowest_deliver_s=(group["t_deliver_end"] - group["t_deliver_start"]).max(),
            arrival=", ".join(sorted(ok["arrival"].dropna().unique())),
            git_annex_run=", ".join(sorted(group["git_annex_version"].dropna().unique())),
            git_annex_provenance=", ".join(sorted(group["git_annex_provenance"].dropna().unique())),
            fs_source=", ".join(sorted(group["fs_source"].unique())),
            fs_clone=", ".join(sorted(group["fs_clone"].unique())),
            sources=writes.get(scenario, {}).get("verdict", ""),
            written=writes.get(scenario, {}).get("written", ""),
            **delivery(group),
            output=output_text(output),
            **step_columns(steps, group, lost),
            **{n: str(notes.get(scenario, {}).get(n) or "") for n in ROW_NOTES},
        ))
    return pd.DataFrame([asdict(r) for r in rows], columns=SUMMARY_COLUMNS)


def step_columns(steps, group, lost):
    """A scenario row's step verdicts, the causes of the jobs failed in each step, and
    the verifyremote workaround's slowest time."""
    failed = group[group["outcome"] != "ok"]

    def causes(*phases):
        found = failed[failed["failed_step"].isin(phases)]["cause"].dropna().value_counts()
        return ", ".join(list(found.index))

    deliver_cause = ", ".join(filter(None, ["lost-result" if lost else "", causes("deliver")]))
    return {"get_verdict": steps.get("get", ("",))[0], "get_cause": causes("clone", "get") if "get" in steps else "",
            "run_verdict": steps.get("run", ("",))[0], "deliver_verdict": steps.get("deliver", ("",))[0],
            "deliver_cause": deliver_cause if "deliver" in steps else "",
            "verify_s": group["verify_seconds"].max()}


def output_text(output):
    """What the verification of a push round's output repository found, in a few words."""
    if not output:
        return ""
    if output["lost"] or output["problems"]:
        return "; ".join([*(f"lost: {why}" for why in output["lost"].values()), *output["problems"]])
    return f"whole: {len(output['verified'])} verifications passed"


def delivery(group):
    """How many of a BABS scenario's tasks delivered their result, and why not."""
    if group["delivered"].isna().all():
        return {"delivered": "", "delivery_evidence": ""}
    why = group["delivery_evidence"].dropna()
    return {"delivered": f"{int((group['delivered'] == True).sum())} of {len(group)}",  # noqa: E712
            "delivery_evidence": why.iloc[0] if len(why) else ""}


# ---- as files ---------------------------------------------------------------------


def _options(hint):
    return typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)


def _read(path, hints):
    """A table written by `write`, each column back in the type its field has:
    numbers (empty: NaN), text (empty: "", or NaN where the field may be None),
    booleans (empty: None); lists and mappings stay JSON text."""
    nullable = [name for name, hint in hints.items() if type(None) in _options(hint)]
    numeric = [name for name, hint in hints.items() if {int, float} & set(_options(hint)) and str not in _options(hint)]
    text = [name for name, hint in hints.items() if str in _options(hint) or hint in (list, dict)
            or dict in _options(hint)]
    booleans = [name for name, hint in hints.items() if bool in _options(hint)]
    table = pd.read_csv(path, sep="\t", keep_default_na=False, dtype={name: str for name in text + booleans},
                        na_values={name: [""] for name in set(numeric) | (set(nullable) & set(text))})
    for name in booleans:
        table[name] = table[name].map({"True": True, "False": False, "": None})
    for name in numeric:
        table[name] = pd.to_numeric(table[name])
    return table


def write(table, path):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, sep="\t", index=False)


def read_results(path):
    """results/results.tsv as records_table made it."""
    return _read(path, typing.get_type_hints(CloneRecord) | DERIVED)


def read_scenarios(path):
    """results/scenarios.tsv as scenario_summary made it."""
    return _read(path, typing.get_type_hints(ScenarioRow))
