"""Reading git-annex and DataLad output: transfer attempts, failures, their cause.

Everything here works on the lines a get printed (plain git-annex, DataLad, or
DataLad at log level 5 with git-annex's debug output passed through), plus the
lines the clone job itself added to the log (origin lock probes, see
clone_get.probe_origin_locks). Nothing is inferred from version numbers.
"""

import ast
import re
from dataclasses import dataclass, field

from ..core.log_lines import HANG, PROBE_PREFIX

# a transfer starts: plain git-annex prints "(from origin...)"; DataLad (at log
# level 5) logs "Start annex action: {... 'note': 'from origin...'}"
_TRANSFER = re.compile(r"\(from ([^)\s]+?)\.\.\.\)|^\[INFO\] Start annex action: .*'note': 'from ([^']+?)\.\.\.'")
# an attempt failed (not where DataLad quotes the message inside a dict dump);
# plain git-annex then says how long it waits before the next attempt
_FAILED = re.compile(r"(?<!')(failed to retrieve content from remote|Gave up waiting for pid lock file)")
_DELAY = re.compile(r"\(Delaying (\d+(?:\.\d+)?)s before retrying")

# git-annex's own debug chatter: "[2026-11-25 18:13:31.79] (Utility.Process) ..."
_DEBUG = re.compile(r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[.\d]*\] \(")
_DATALAD_DEBUG = re.compile(r"^\[(DEBUG|Level \d+|INFO)\] ")
_ERRORISH = re.compile(
    r"failed|error|unable|denied|not permitted|cannot|could not|timeout|gave up|killed|signal|prevented|rejected|refused",
    re.IGNORECASE,
)

def _strip_debug(text):
    """The human part of a line: progress text and a debug line can share one."""
    return _DEBUG.split(text, maxsplit=1)[0].strip()


_PASSED_THROUGH = re.compile(r"^\[Level \d+\] std(?:out|err)\| ?(.*)")
# DataLad at log level 5 shows git-annex's JSON records, with its error messages
_ANNEX_ACTION = re.compile(r"^\[INFO\] (?:Start|Finished) annex action: (\{.*\})")


def _action_errors(text):
    try:
        return ast.literal_eval(text).get("error-messages", [])
    except (ValueError, SyntaxError):
        return []


def human_lines(texts):
    """What a person would read: git-annex's and DataLad's messages (also those
    DataLad passes through from git-annex at log level 5) and the job's probe
    lines, without debug chatter or DataLad's own debug and dict dumps."""
    for text in texts:
        if text.startswith(PROBE_PREFIX):
            yield text
        elif m := _PASSED_THROUGH.match(text):
            if line := _strip_debug(m.group(1)):
                yield line
        elif m := _ANNEX_ACTION.match(text):
            yield from (e.strip() for e in _action_errors(m.group(1)) if e.strip())
        elif not _DATALAD_DEBUG.match(text) and not text.lstrip().startswith("'"):
            if line := _strip_debug(text):
                yield line


def attempt_events(lines):
    """Transfer attempts seen in the output, in order, from [(time, text)].

    Events: {"t", "event": "transfer" | "failed" | "retry", ...}. "retry" carries the
    delay git-annex announced; the next attempt starts that much later. DataLad
    reports failed attempts only when the get ends, so their times are that moment.
    """
    events = []
    for t, text in lines:
        if m := _TRANSFER.search(text):
            events.append({"t": t, "event": "transfer", "remote": m.group(1) or m.group(2)})
        if _DATALAD_DEBUG.match(text):
            continue  # DataLad's own debug lines quote results, they are not output
        for _ in _FAILED.findall(_strip_debug(text)):
            events.append({"t": t, "event": "failed"})
        if m := _DELAY.search(text):
            events.append({"t": t, "event": "retry", "delay": float(m.group(1))})
    return events


def attempt_starts(events, t_get_start, retry_delay):
    """(when each attempt of the get started, whether those times are inferred).

    Plain git-annex shows them: the first at its `(from origin...)`, each retry after
    the delay it announces. DataLad reports failed attempts only at the end, so their
    starts follow from git-annex's schedule: the first when the get starts, each next
    one after annex.retrydelay, doubling, as if every failed attempt failed at once
    (as transfer-lock failures do); an attempt that transfers shows itself."""
    transfers = [e["t"] for e in events if e["event"] == "transfer"]
    retries = [e for e in events if e["event"] == "retry"]
    failed = sum(e["event"] == "failed" for e in events)
    if retries or not failed:  # plain git-annex, or nothing failed
        starts = transfers[:1] + [e["t"] + e["delay"] for e in retries]
        return starts or ([t_get_start] if t_get_start is not None else []), False
    starts = [t_get_start + retry_delay * (2 ** i - 1) for i in range(failed)]
    return starts + [t for t in transfers if t > starts[-1]], True


def marks_failure(text):
    """True for a line that reports a failed attempt (when to probe the origin)."""
    return bool(_FAILED.search(text) or "transfer already in progress" in text)


def failure_messages(texts, limit=10):
    """Distinct error-like lines, in order, without debug chatter."""
    seen = []
    for text in human_lines(texts):
        if not text.startswith(PROBE_PREFIX) and _ERRORISH.search(text) and text not in seen:
            seen.append(text)
    return seen[:limit]


@dataclass
class Diagnosis:
    """The cause of a failed get, with the lines that show it."""

    cause: str
    evidence: list = field(default_factory=list)


# cause -> what shows it, most specific first; the seed's loser also prints
# "Unable to access these remotes", so transfer-lock must win over remote-unavailable
_CAUSES = [
    ("pidlock", re.compile(r"pid lock file", re.IGNORECASE)),
    ("permission", re.compile(r"permission denied|operation not permitted", re.IGNORECASE)),
    ("verification", re.compile(r"verification of content failed", re.IGNORECASE)),
    # 10.20261026's verifyremote: a special remote this repository has not verified
    # takes no content (a clone's autoenabled ORA storage sibling, the output store's)
    ("unverified-remote", re.compile(r"unverified special remote|special remote cannot be used since it's not verified")),
    ("transfer-lock", re.compile(r"transfer already in progress|unable to take transfer lock")),
    ("transfer-lock", re.compile(re.escape(PROBE_PREFIX) + r" .* held by ")),
    # the output side: a ref another job updated first, as the remote saw it (its ref
    # lock, or the ref moved under it) and as the pusher saw it (not a fast-forward)
    ("ref-lock", re.compile(r"cannot lock ref|failed to update ref|\[remote rejected\]")),
    ("rejected", re.compile(r"\[rejected\]|non-fast-forward|\(fetch first\)")),
    ("remote-unavailable", re.compile(r"Unable to access these remotes")),
]
# what git-annex says while it goes on (an init still exits 0), named: seen from jobs
# initialising one store at once, on ext4 and from two nodes on GlusterFS
_SYMPTOMS = [
    ("sqlite-unusable", re.compile(r"Detected a filesystem where Sqlite does not work")),
    ("no-fifo", re.compile(r"Detected a filesystem without fifo support")),
    ("dubious-ownership", re.compile(r"Git refuses to operate in this repository|dubious ownership")),
    ("config-write", re.compile(r'git \[Param "config".*\] failed')),
    ("torn-config", re.compile(r"annex\.uuid set, but annex\.version is not set")),
    ("pidlock", re.compile(r"pid lock file|annex\.pidlock", re.IGNORECASE)),
]


def symptoms(text):
    """The names of what git-annex said (_SYMPTOMS), in their order, or ()."""
    return tuple(name for name, pattern in _SYMPTOMS if pattern.search(text))


# exit codes of a get that was stopped from outside: timeout(1) and signals
_KILLED = {124: "timeout", 137: "killed", 143: "killed", -9: "killed", -15: "killed"}


def classify_failure(texts, exit_code=None):
    """One cause for a failed get or push, from its output lines (and exit code); a
    run stopped for printing nothing (runner.HANG) hung: `hang`, where it was."""
    if hung := next((t for t in texts if t.startswith(HANG)), None):
        return Diagnosis("hang", [hung])
    if exit_code in _KILLED:
        return Diagnosis(_KILLED[exit_code], [f"exit code {exit_code}"])
    if died := next((t for t in texts if "died of signal" in t), None):
        return Diagnosis("killed", [_strip_debug(died)])
    human = list(human_lines(texts))
    transferred = any(_TRANSFER.search(t) for t in texts)
    for cause, pattern in _CAUSES:
        hits = [t for t in human if pattern.search(t)]
        if cause == "remote-unavailable" and transferred:
            continue  # it was reached: something else went wrong, see "other"
        if hits:
            probes = [t for t in human if t.startswith(PROBE_PREFIX) and " held by " in t]
            evidence = list(dict.fromkeys(hits[:1] + (probes[:1] if cause == "transfer-lock" else [])))
            return Diagnosis(cause, evidence)
    first = failure_messages(texts, limit=1)
    return Diagnosis("other", first or [f"exit code {exit_code}"])


# ---- how the content arrived (from git-annex's debug output) ---------------------

# git-annex tries a copy-on-write copy first for a local-path remote, once per
# process: the `cp` ends ExitSuccess (reflink) or ExitFailure (then it copies itself)
_CP_START = re.compile(r'\(Utility\.Process\) process \[(\d+)\] read: cp \["--reflink=always"')
_PROC_DONE = re.compile(r"\(Utility\.Process\) process \[(\d+)\] done (ExitSuccess|ExitFailure -?\d+)")
# a special remote (the ORA storage sibling of a RIA store) delivered the key
_SPECIAL_OK = re.compile(r"\(Annex\.ExternalAddonProcess\) (\S+)\[\d+\] --> TRANSFER-SUCCESS RETRIEVE ")
# a partial download in .git/annex/tmp is resumed: copied, without a cp probe
_RESUME = re.compile(r"\(Annex\.Perms\) thawing content \.git/annex/tmp/")
# a progress meter: git-annex's own, or DataLad's first progress record
_METER = re.compile(r"^\s*\d+%\s+\S|^\[INFO\] Start annex action: ")
# where a successful transfer came from, in DataLad's result record (fast transfers
# show nothing else under DataLad)
_FROM_RESULT = re.compile(r"^\[DEBUG\] received JSON result from annex: .*'note': 'from ([^'\\]+?)\.\.\.")
_ALREADY_PRESENT = re.compile(r"^\[DEBUG\] already present \[get\(|^\[DEBUG\] No files found needing fetching")

ARRIVALS = ("reflink", "copy", "hardlink", "ora", "none", "unknown")


@dataclass
class Arrival:
    """How the content of a successful get got into the clone, and the line that shows it."""

    how: str  # one of ARRIVALS
    evidence: str


def _pieces(texts):
    """Each line as printed, and without DataLad's pass-through prefix."""
    for text in texts:
        yield text
        if m := _PASSED_THROUGH.match(text):
            yield m.group(1)


def classify_arrival(texts):
    """How the content arrived in a get that succeeded: `reflink` (git-annex's cp
    --reflink=always worked), `copy` (git-annex copied the bytes itself), `hardlink`
    (a transfer from a git remote without copy, meter or special remote: inferred,
    git-annex logs nothing for it), `ora` (the RIA store's storage sibling), `none`
    (nothing transferred: the content was present, e.g. prefetched), or `unknown`."""
    pieces = list(_pieces(texts))
    if not any(_DEBUG.search(t) for t in pieces):
        return Arrival("unknown", "no git-annex debug output")
    sources = {m.group(1) or m.group(2) for t in pieces if (m := _TRANSFER.search(t))}
    sources |= {m.group(1) for t in pieces if (m := _FROM_RESULT.search(t))}
    if not sources:
        present = next((t for t in pieces if _ALREADY_PRESENT.search(t)), None)
        return Arrival("none", present or "no transfer: the content was present")
    origin = f"from {', '.join(sorted(sources))}: "  # which remote(s) the transfer used
    if special := next((t for t in pieces if _SPECIAL_OK.search(t)), None):
        remote = _SPECIAL_OK.search(special).group(1)
        how = "ora" if remote.endswith("git-annex-remote-ora") else "unknown"
        return Arrival(how, origin + _strip_debug_prefix(special))
    cps = {m.group(1) for t in pieces if (m := _CP_START.search(t))}
    for t in pieces:
        if (m := _PROC_DONE.search(t)) and m.group(1) in cps:
            return Arrival("reflink" if m.group(2) == "ExitSuccess" else "copy",
                           f"{origin}cp --reflink=always: {m.group(2)}")
    if resumed := next((t for t in pieces if _RESUME.search(t)), None):
        return Arrival("copy", origin + _strip_debug_prefix(resumed))
    if meter := next((t for t in pieces if _METER.search(t)), None):
        return Arrival("copy", origin + meter.strip()[:120])
    return Arrival("hardlink", f"{origin}no copy, meter or special remote")


def _strip_debug_prefix(text):
    """A debug line from its `(Module)` on, without timestamp and DataLad prefix."""
    return text[m.start():].strip() if (m := re.search(r"\(Annex\.|\(Utility\.", text)) else text.strip()
