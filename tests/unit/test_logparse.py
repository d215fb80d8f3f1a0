"""classify_failure and the attempt parser on real captured output.

The fixtures in tests/fixtures/logs are real git-annex and DataLad output (see the
README there for how each was produced); the file name says what happened.
"""

import json
from pathlib import Path

import pytest

from annex_race.observe.logparse import (
    PROBE_PREFIX,
    attempt_events,
    attempt_starts,
    classify_arrival,
    classify_failure,
    failure_messages,
    symptoms,
)

LOGS = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
MANIFEST = {
    entry["file"]: entry for entry in map(json.loads, (LOGS / "manifest.jsonl").read_text().splitlines())
}


def texts(name):
    raw = (LOGS / name).read_text(errors="replace")
    return [t for t in raw.replace("\r", "\n").splitlines() if t.strip()]


def timed(name):
    """[(arrival time, text)] as the capture saw them (timestamps/<name>.ts)."""
    rows = (LOGS / "timestamps" / f"{name}.ts").read_text(errors="replace").splitlines()
    split = [(row.split(" ", 2) + ["", ""])[:3] for row in rows]
    return [(float(t), text) for t, _, text in split if text.strip()]


def exit_code(name):
    rc = MANIFEST[name]["rc"]
    return 128 - rc if rc < 0 else rc  # as a shell reports a signal


def logs(prefix):
    return sorted(p.name for p in LOGS.glob(f"{prefix}*.log"))


@pytest.mark.parametrize(
    "prefix, cause",
    [
        ("transfer-lock__annex-get__", "transfer-lock"),
        ("pidlock__", "pidlock"),
        ("remote-unavailable__", "remote-unavailable"),
        ("permission__annex-get__", "permission"),
        ("verification__annex-get__10.20260115", "verification"),
        ("verification__datalad-get__10.20260115__dldebug", "verification"),
        ("verification__containers-run__10.20260115__dldebug", "verification"),
        ("killed__", "killed"),
    ],
)
def test_each_kind_is_recognised(prefix, cause):
    names = logs(prefix)
    assert names
    for name in names:
        diagnosis = classify_failure(texts(name), exit_code(name))
        assert diagnosis.cause in ({cause, "timeout"} if cause == "killed" else {cause}), name
        assert diagnosis.evidence, name


def test_transfer_lock_evidence_is_the_lock_message():
    diagnosis = classify_failure(texts("transfer-lock__annex-get__10.20260115.log"), 1)
    assert diagnosis.evidence[0] == "transfer already in progress, or unable to take transfer lock"


@pytest.mark.parametrize("method", ["datalad-get", "containers-run"])
def test_datalad_hides_the_lock_message_and_the_origin_probe_supplies_it(method):
    name = f"transfer-lock__{method}__10.20260115__dldebug.log"
    lines = texts(name)
    assert classify_failure(lines, 1).cause == "other"  # DataLad alone: no reason given
    probe = f"{PROBE_PREFIX} /o/.git/annex/transfer/download/lck/lck.KEY held by pid 4242"
    diagnosis = classify_failure(lines + [probe], 1)
    assert diagnosis.cause == "transfer-lock"
    assert probe in diagnosis.evidence


def test_a_probe_that_found_no_lock_is_no_evidence():
    lines = texts("transfer-lock__datalad-get__10.20260115.log")
    assert classify_failure(lines + [f"{PROBE_PREFIX}: none held on KEY in /o"], 1).cause == "other"


@pytest.mark.parametrize(
    "name",
    ["permission__datalad-get__10.20260115.log", "verification__datalad-get__10.20261026.log",
     "verification__annex-get__10.20261026.log"],
)
def test_no_reason_in_the_output_is_other_with_the_first_error_line(name):
    diagnosis = classify_failure(texts(name), 1)
    assert diagnosis.cause == "other"
    assert "failed" in diagnosis.evidence[0]


def test_retries_of_the_loser_are_timed():
    events = attempt_events(timed("transfer-lock__annex-get__10.20260115.log"))
    assert [e["event"] for e in events] == ["transfer", "failed", "retry", "failed", "retry", "failed"]
    failed = [e["t"] for e in events if e["event"] == "failed"]
    assert [round(t - failed[0], 1) for t in failed] == [0.0, 1.0, 3.0]  # annex.retry=3: 1 s, then 2 s
    assert [e["delay"] for e in events if e["event"] == "retry"] == [1.0, 2.0]


@pytest.mark.parametrize(
    "name, event, count",
    [
        # failed attempts, counted once each (DataLad repeats them in dict dumps)
        ("transfer-lock__annex-get__10.20260115__retry0.log", "failed", 1),
        ("transfer-lock__annex-get__10.20260115__retry2.log", "failed", 2),
        ("ok__annex-get__10.20260115__loser-retry8-retrydelay1.log", "failed", 4),
        ("transfer-lock__datalad-get__10.20260115.log", "failed", 3),
        ("transfer-lock__containers-run__10.20260115__dldebug.log", "failed", 3),
        # transfers started, in plain and in DataLad output
        ("ok__annex-get__10.20261026.log", "transfer", 1),
        ("ok__datalad-get__10.20260115__dldebug.log", "transfer", 1),
        ("verification__datalad-get__10.20260115__dldebug.log", "transfer", 9),
        ("transfer-lock__datalad-get__10.20260115__dldebug.log", "transfer", 0),
    ],
)
def test_attempt_events_are_counted(name, event, count):
    events = attempt_events([(0.0, t) for t in texts(name)])
    assert sum(e["event"] == event for e in events) == count


def test_failure_messages_skip_debug_chatter():
    messages = failure_messages(texts("transfer-lock__annex-get__10.20260115.log"))
    assert messages[:2] == [
        "transfer already in progress, or unable to take transfer lock",
        "failed to retrieve content from remote",
    ]
    assert not any(m.startswith("[") for m in messages)


ARRIVAL_LOGS = Path(__file__).resolve().parents[1] / "fixtures" / "arrival"
ARRIVAL_RC = {
    e["file"]: e["rc"]
    for e in map(json.loads, (ARRIVAL_LOGS / "manifest.jsonl").read_text().splitlines())
}


@pytest.mark.parametrize("name", sorted(name for name, rc in ARRIVAL_RC.items() if rc == 0))
def test_how_the_content_arrived_is_read_from_the_debug_output(name):
    """The file name says how the content arrived (see the README there)."""
    raw = (ARRIVAL_LOGS / name).read_text(errors="replace")
    lines = [t for t in raw.replace("\r", "\n").splitlines() if t.strip()]
    arrival = classify_arrival(lines)
    assert arrival.how == name.split("__")[0], arrival
    assert arrival.evidence


def test_arrival_needs_the_debug_output():
    assert classify_arrival(texts("ok__datalad-get__10.20260115.log")).how == "unknown"
    assert classify_arrival(texts("ok__annex-get__10.20260115.log")).how == "copy"


def test_every_attempt_start_of_the_loser_is_read_or_inferred():
    # plain git-annex announces each retry: the starts are observed
    events = attempt_events(timed("transfer-lock__annex-get__10.20260115.log"))
    starts, inferred = attempt_starts(events, t_get_start=events[0]["t"] - 0.05, retry_delay=1)
    assert not inferred and len(starts) == 3
    assert [round(b - a, 1) for a, b in zip(starts, starts[1:])] == [1.0, 2.0]
    # under DataLad the failures come at the end: the starts follow git-annex's schedule
    lines = [(100.0 + i, t) for i, t in enumerate(texts("transfer-lock__datalad-get__10.20260115__dldebug.log"))]
    starts, inferred = attempt_starts(attempt_events(lines), t_get_start=100.0, retry_delay=2)
    assert inferred and starts == [100.0, 102.0, 106.0]


# what 16 jobs initialising one store on GlusterFS from two nodes said (10.20260213)
@pytest.mark.parametrize("said, names", [
    ("Detected a filesystem where Sqlite does not work. / (SQLite3 returned ErrorIO while attempting to perform "
     "prepare \"PRAGMA journal_mode=WAL;\": disk I/O error) / Remote origin: Not initialized.", ("sqlite-unusable",)),
    ("Detected a filesystem without fifo support. / Disabling ssh connection caching. / Remote origin: git "
     "[Param \"config\",Param \"annex.version\",Param \"10\"] failed", ("no-fifo", "config-write")),
    ("Remote origin: Git refuses to operate in this repository, / probably because it is owned by someone else.",
     ("dubious-ownership",)),
    ("Remote origin: Not initialized.", ()),
])
def test_what_git_annex_said_while_it_went_on_is_named(said, names):
    assert symptoms(said) == names
