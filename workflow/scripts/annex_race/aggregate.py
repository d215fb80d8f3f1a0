"""From clone records to the results table and the per-scenario verdicts."""

import json
from pathlib import Path

import pandas as pd

from .scenarios import AXES

PASS, FAIL, INCONCLUSIVE = "PASS", "FAIL", "INCONCLUSIVE"


def load_records(paths):
    return [json.loads(Path(p).read_text()) for p in paths]


def records_table(records):
    """One row per clone attempt, with derived durations; lists kept as JSON text."""
    table = pd.DataFrame.from_records(records)
    table["clone_s"] = table["t_clone_end"] - table["t_clone_start"]
    table["get_s"] = table["t_get_end"] - table["t_get_start"]
    table["n_attempts"] = table["attempts"].map(len)
    table["first_failure"] = table["failure_messages"].map(lambda m: m[0] if m else "")
    for column in ("attempts", "failure_messages"):
        table[column] = table[column].map(json.dumps)
    return table.sort_values(["scenario", "clone"]).reset_index(drop=True)


def _verdict(group, n_expected, max_skew):
    """(verdict, detail) of one scenario, from what its clones observed."""
    failed = group[group["outcome"] != "ok"]
    if len(group) < n_expected:
        return INCONCLUSIVE, f"{n_expected - len(group)} of {n_expected} records missing"
    not_released = group[group["barrier"] != "released"]
    if len(not_released):
        return INCONCLUSIVE, f"not concurrent: barrier {not_released['barrier'].iloc[0]}"
    skew = group["t_get_start"].max() - group["t_get_start"].min()
    if skew > max_skew:
        return INCONCLUSIVE, f"not concurrent: gets started {skew:.2f} s apart"
    if len(failed):
        return FAIL, f"{len(failed)} of {n_expected} failed"
    return PASS, ""


def scenario_summary(table, max_skew, axes=AXES):
    """One row per scenario: its axis values, verdict, first failure, timings, skew."""
    rows = []
    for scenario, group in table.groupby("scenario", sort=True):
        first = group.iloc[0]
        verdict, detail = _verdict(group, int(first["n_clones"]), max_skew)
        failures = group.loc[group["outcome"] != "ok", "first_failure"]
        rows.append(
            {
                "scenario": scenario,
                **{axis: first[axis] for axis in axes},
                "verdict": verdict,
                "detail": detail,
                "first_failure": failures.iloc[0] if len(failures) else "",
                "median_get_s": group["get_s"].median(),
                "skew_ms": 1000 * (group["t_get_start"].max() - group["t_get_start"].min()),
                "git_annex_run": ", ".join(sorted(group["git_annex_version"].dropna().unique())),
                "fs_clone": ", ".join(sorted(group["fs_clone"].unique())),
            }
        )
    return pd.DataFrame(rows)


def _cell(value):
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.2f}"
    return str(value).replace("|", "\\|")


def markdown_table(frame):
    lines = [
        "| " + " | ".join(frame.columns) + " |",
        "|" + "---|" * len(frame.columns),
    ]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def summary_markdown(summary, axes=AXES):
    """The seed notes' "Results summary" table, one row per scenario."""
    shown = summary.assign(
        result=[
            f"**{v}** ({d})" if d else f"**{v}**" if v != PASS else v
            for v, d in zip(summary["verdict"], summary["detail"])
        ]
    )
    columns = [*axes, "result", "first_failure", "median_get_s", "skew_ms", "git_annex_run", "fs_clone"]
    counts = summary["verdict"].value_counts()
    head = ", ".join(f"{counts.get(v, 0)} {v}" for v in (PASS, FAIL, INCONCLUSIVE))
    return "\n".join(
        [
            "# annex-race results",
            "",
            f"{len(summary)} scenarios: {head}.",
            "",
            "## Results summary",
            "",
            markdown_table(shown[columns]),
            "",
        ]
    )
