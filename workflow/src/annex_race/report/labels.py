"""How the figures and pages name a scenario: by the axes that vary in the run, in
the order of their values."""

import re

from ..core.axes import AXES

# how a label names an axis value: "{}" is the value
LABEL_FORMATS = {
    "location": "at {}", "clone_from": "from {}", "transport": "via {}", "storage_sibling": "sibling {}",
    "method": "{}", "deliver": "deliver {}", "image_size": "{}", "n_clones": "{} clones", "start": "start {}", "annex_retry": "retry {}",
    "annex_retry_delay": "delay {}", "annex_bwlimit": "bwlimit {}", "git_annex": "git-annex {}",
    "workaround": "workaround {}",
}


def labels(summary):
    """Scenario id -> a short label naming only the axes that vary in this run
    (`sibling off · annex-get · git-annex 10.20260115`)."""
    varying = [a for a in AXES if summary[a].astype(str).nunique() > 1] or ["method"]
    return {row.scenario: " · ".join(LABEL_FORMATS[a].format(getattr(row, a) if getattr(row, a) != "" else "none")
                                     for a in varying)
            for row in summary.itertuples()}


def wrapped(label, width=48):
    """A label broken at its ` · ` separators into lines of about `width` characters,
    so that long labels leave room for the plot."""
    lines = [""]
    for part in label.split(" · "):
        joined = f"{lines[-1]} · {part}" if lines[-1] else part
        if len(joined) > width and lines[-1]:
            lines.append(part)
        else:
            lines[-1] = joined
    return "\n".join(lines)


def natural_key(value):
    """Sort key: numbers inside a value by their size (2M before 16M)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(value))]


def ordered(summary):
    """Scenario ids in the order of their axis values, axis by axis, as the labels read."""
    rows = sorted(summary.itertuples(), key=lambda r: [natural_key(getattr(r, a)) for a in AXES])
    return [r.scenario for r in rows]
