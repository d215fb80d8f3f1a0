"""The findings: short statements computed from the scenario table (scenarios.tsv):
per release, the get's and the delivery's verdicts and which are safe for the whole
job; what failure needed, what fixed it and at what cost, what the jobs wrote into
shared repositories, how the content arrived, what BABS delivered. Each is read
from observed verdicts, never from version numbers or expectations."""

import pandas as pd

from ..core.axes import AXES
from ..core.record import FAIL, PASS
from .decisions import retry_window
from .labels import natural_key

# axes whose other values are workarounds for a failing scenario
REMEDIES = ("workaround", "storage_sibling", "git_annex")


def necessary_conditions(summary, axes=AXES):
    """Axis values shared by every failing scenario, where the axis varied at all."""
    failed = summary[summary["verdict"] == FAIL]
    return {
        axis: failed[axis].iloc[0]
        for axis in axes
        if failed[axis].nunique() == 1 and summary[axis].nunique() > 1
    }


# the axes a workaround sets itself: retry-backoff is a retry budget (scenarios.express_workarounds)
SET_BY = {"retry-backoff": ("annex_retry", "annex_retry_delay")}


def remedies(summary, axes=AXES):
    """For each failing scenario and each remedy axis: the scenario that differs only
    in that axis (and the axes that value sets itself, SET_BY), its verdict and slowest
    get. Rows: axis, value, failing, fixed, times."""
    rows = []
    for failing in summary[summary["verdict"] == FAIL].itertuples():
        for axis in REMEDIES:
            for value in summary[axis].unique():
                if value == getattr(failing, axis):
                    continue
                same = [a for a in axes if a != axis and a not in SET_BY.get(value, ())]
                match = summary[(summary[axis] == value)
                                & (summary[same] == pd.Series({a: getattr(failing, a) for a in same})).all(axis=1)]
                if len(match):
                    other = match.iloc[0]
                    rows.append({
                        "axis": axis, "value": value, "failing": failing.scenario,
                        "fixed": other["verdict"] == PASS,
                        "slowest_get_s": other["slowest_get_s"],
                        "setup_s": other["prefetch_s"],
                        "failing_winner_get_s": failing.winner_get_s,
                    })
    return pd.DataFrame(rows, columns=["axis", "value", "failing", "fixed", "slowest_get_s",
                                       "setup_s", "failing_winner_get_s"])


def _counts(verdicts):
    """"PASS in 6 of 6", "FAIL in 2 of 6" of a column of step verdicts."""
    counts = verdicts[verdicts != ""].value_counts()
    return ", ".join(f"{v} in {n} of {int(counts.sum())}" for v, n in counts.items())


def release_findings(summary):
    """First, per release tried: the get's and the delivery's verdicts in the
    scenarios without workaround, and the releases safe for the whole job (get PASS,
    nothing written into shared repositories, delivery PASS), each observed; a
    release that fixes the get and breaks the delivery is said so, with what the
    workarounds of the delivery did there."""
    whole = summary[summary["deliver_verdict"] != ""]
    if whole.empty:
        return []
    lines, safe = [], []
    plain = whole[whole["workaround"] == "none"]
    for version, rows in sorted(plain.groupby("git_annex"), key=lambda item: natural_key(item[0])):
        gets, delivers = _counts(rows["get_verdict"]), _counts(rows["deliver_verdict"])
        causes = ", ".join(sorted(set(", ".join(rows["deliver_cause"]).split(", ")) - {""}))
        lines.append(f"- git_annex={version}: get {gets or 'not reached'}; deliver {delivers or 'not reached'}"
                     + (f" ({causes})" if causes else "") + ".")
        get_ok = (rows["get_verdict"] == PASS).all()
        clean = (rows["sources"] == "clean").all()
        if get_ok and clean and (rows["deliver_verdict"] == PASS).all():
            safe.append(version)
        if get_ok and (rows["deliver_verdict"] == FAIL).any():
            lines.append(f"- {version} fixes the get and breaks the delivery ({causes})"
                         + "".join(_restored(whole, version)) + ".")
    lines.append("- Safe for the whole job (get PASS, nothing written into shared repositories, delivery PASS): "
                 + (", ".join(safe) if safe else "no release tried") + ".")
    return lines


def _restored(whole, version):
    """What each workaround of the delivery did with `version`, as observed, and its cost."""
    for workaround, rows in whole[(whole["git_annex"] == version) & (whole["workaround"] != "none")].groupby(
            "workaround"):
        passed = rows[rows["deliver_verdict"] == PASS]
        cost = (f", {passed['verify_s'].max():.2f} s in each job before its get" if len(passed)
                and passed["verify_s"].notna().any() else "")
        yield f"; workaround={workaround} restored it in {len(passed)} of {len(rows)} scenarios{cost}"


def findings(summary, axes=AXES):
    """Short statements computed from the verdicts: per release, the get's and the
    delivery's; what failure needed, what fixed it, what the jobs wrote into shared
    repositories."""
    failed = summary[summary["verdict"] == FAIL]
    if failed.empty:
        return [*release_findings(summary), f"- No scenario failed ({len(summary)} run).",
                *write_findings(summary, axes), *arrival_findings(summary), *delivery_findings(summary)]
    conditions = necessary_conditions(summary, axes)
    lines = [
        *release_findings(summary),
        f"- {len(failed)} of {len(summary)} scenarios FAIL, all with "
        + (", ".join(f"{a}={v}" for a, v in conditions.items()) or "no single shared condition")
        + f"; causes seen: {', '.join(sorted(set(', '.join(failed['cause']).split(', ')) - {''}))}."
    ]
    for axis, value in conditions.items():
        others = summary[summary[axis] != value]
        if len(others) and (others["verdict"] == PASS).all():
            lines.append(f"- Every scenario with another {axis} ({', '.join(map(str, others[axis].unique()))}) PASSES.")
    lines += deciding_axes(summary, conditions, axes)
    for (axis, value), rows in remedies(summary, axes).groupby(["axis", "value"], sort=False):
        fixed = rows[rows["fixed"]]
        cost = ""
        if len(fixed):
            slowest, winner = fixed["slowest_get_s"].median(), fixed["failing_winner_get_s"].median()
            cost = f"; slowest get {slowest:.1f} s"
            if winner == winner and winner:  # the failing run had a winner to compare with
                cost += f", {slowest / winner:.2f}× the failing run's winner ({winner:.1f} s)"
        if len(fixed) and fixed["setup_s"].notna().any():
            cost += f", after one setup transfer of {fixed['setup_s'].max():.1f} s"
        lines.append(f"- {axis}={value} turned FAIL into PASS in {len(fixed)} of {len(rows)} scenarios{cost}.")
    return lines + write_findings(summary, axes) + arrival_findings(summary) + delivery_findings(summary)


def delivery_findings(summary):
    """One line where BABS's tasks got the image but their results did not all reach
    the output RIA: a release that fixes the get may break the delivery."""
    short = summary[(summary["delivery_evidence"] != "") & (summary["get_verdict"] == PASS)]
    return [f"- BABS with git_annex={r.git_annex}: every get PASSES, yet {r.delivered} results reached the "
            f"output RIA ({r.delivery_evidence}): see BABS beside the imitation." for r in short.itertuples()]


def write_findings(summary, axes=AXES):
    """One line where jobs wrote into a shared repository they read from: in how many
    scenarios, what, and the axis values all of them share."""
    written = summary[summary["sources"].isin(["written", "harmed"])]
    if written.empty:
        return []
    shared = {a: written[a].iloc[0] for a in axes if written[a].nunique() == 1 and summary[a].nunique() > 1}
    what = "; ".join(dict.fromkeys(written["written"]))
    return [f"- The jobs of {len(written)} of {len(summary)} scenarios wrote into a shared repository they "
            f"read from ({what})" + (", all with " + ", ".join(f"{a}={v}" for a, v in shared.items())
                                    if shared else "") + ": see Sources."]


def deciding_axes(summary, conditions, axes=AXES):
    """Axes whose value decides the verdict where the failure can show (the scenarios
    with every necessary condition): some values never FAIL there, others do; e.g.
    the image size, when a small image copies faster than the retries give up."""
    within = summary[(summary[list(conditions)] == pd.Series(conditions)).all(axis=1)] if conditions else summary
    lines = []
    for axis in axes:
        if axis in conditions or within[axis].astype(str).nunique() < 2:
            continue
        counts = {value: ((rows["verdict"] == FAIL).sum(), len(rows))
                  for value, rows in within.groupby(axis, sort=False)}
        if any(f == 0 for f, _ in counts.values()) and any(f for f, _ in counts.values()):
            values = sorted(counts, key=natural_key)
            lines.append(f"- Where it can fail ({', '.join(f'{a}={v}' for a, v in conditions.items())}), "
                         f"{axis} decides: " + ", ".join(f"{v}: {counts[v][0]} of {counts[v][1]} FAIL"
                                                        for v in values) + ".")
    return lines


def arrival_findings(summary):
    """How the content arrived, per location (the evidence for a PASS as for a FAIL)."""
    lines = []
    for location, rows in summary.groupby("location", sort=False):
        arrived = rows.loc[rows["arrival"] != "", "arrival"]
        ways = ", ".join(f"{way} in {n}" for way, n in arrived.str.split(", ").explode().value_counts().items())
        where = f"{rows['fs_source'].iloc[0]} → {rows['fs_clone'].iloc[0]}"
        lines.append(f"- On {location} ({where}) the content arrived by {ways or 'no way observed'} "
                     f"of {len(rows)} scenarios.")
        lines += copy_against_window(rows)
    return lines


def copy_against_window(rows):
    """How long the winners of the transfer lock copied against how long the losers
    retried: the race shows only where the copy outlasts the retries."""
    raced = rows[(rows["cause"] == "transfer-lock") & rows["winner_get_s"].notna()]
    if raced.empty:
        return []
    windows = sorted({(int(r), float(d)) for r, d in zip(raced["annex_retry"], raced["annex_retry_delay"])})
    said = ", ".join(f"{retry_window(r, d):.0f} s (annex.retry={r}, annex.retrydelay={d:g})" for r, d in windows)
    low, high = raced["winner_get_s"].min(), raced["winner_get_s"].max()
    span = f"{low:.1f} s" if round(low, 1) == round(high, 1) else f"{low:.1f}–{high:.1f} s"
    return [f"  - Where a get failed of the transfer lock, the winner copied for {span}; the losers "
            f"retried for {said}."]
