"""Reading git-annex and DataLad output: transfer attempts and failure messages."""

import re

# A transfer attempt starts where git-annex announces the get of the file
# (plain git-annex: "get <file> (from origin...)"; DataLad runs git-annex with --json,
# where git-annex's debug output shows the copy command it runs).
ATTEMPT = re.compile(r"^get \S+ \(from |\(from \S+\.\.\.\)|\[Remote\.Git\] .*(cp|rsync) ")

FAILURE = re.compile(
    r"transfer already in progress|unable to take transfer lock|failed to retrieve content"
    r"|Unable to access these remotes|get\(error\)|run\(error\)|failed|error:|Verification of content failed",
    re.IGNORECASE,
)
DEBUG_LINE = re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def attempt_times(lines):
    """Times of the output lines that start a transfer attempt; `lines` is [(time, text)]."""
    return [t for t, text in lines if ATTEMPT.search(text)]


def failure_messages(texts, limit=10):
    """Distinct failure lines, in order, without git-annex debug chatter."""
    seen = []
    for text in texts:
        text = text.strip()
        if FAILURE.search(text) and not DEBUG_LINE.match(text) and text not in seen:
            seen.append(text)
    return seen[:limit]
