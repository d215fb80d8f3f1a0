"""From clone records to the results table and the per-scenario verdicts."""

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import pandas as pd

from . import snapshot
from .conformance import conformance_section, conformance_table, plot_conformance
from .decisions import (
    retry_statements,
    retry_table,
    transport_statements,
    transport_table,
    version_statements,
    version_table,
)
from .faults import read_or_rebuild
from .figures import (
    labels,
    natural_key,
    ordered,
    plot_durations,
    plot_heatmap,
    plot_summary_table,
    plot_timeline,
    plot_version_map,
)
from .record import (FAIL, FIELDS, INCONCLUSIVE, JSON_FIELDS, PASS, ScenarioFields, get_start_skew, read_record,
                     scenario_verdict)
from .reporting import bug_report, bug_report_html, environment, scenario_cards, summary_html
from .scenarios import AXES

@dataclass
class ScenarioRow(ScenarioFields):
    """One row of the summary: a scenario's axis values and what its clones showed."""

    verdict: str  # PASS | FAIL | INCONCLUSIVE
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
    arrival: str  # how the content arrived in the clones that got it
    git_annex_run: str  # the versions the clones reported
    git_annex_source: str  # where that git-annex came from (PyPI, PATH: …)
    fs_source: str
    fs_clone: str
    # what its jobs wrote into the repositories they share (annex_race.snapshot):
    # clean | written | harmed, "" where not observed; what, in few words
    sources: str = ""
    written: str = ""
    # BABS scenarios: how many tasks' results reached the output RIA after `babs
    # merge` ("3 of 4"), and why not, from the first task's log that says ("" elsewhere)
    delivered: str = ""
    delivery_evidence: str = ""
    # push operations: what the check of the round's output store found after it
    # ("whole: …", "lost …", problems; "" elsewhere)
    output_store: str = ""


SUMMARY_COLUMNS = tuple(f.name for f in fields(ScenarioRow))


def read_records(paths):
    """The records in `paths`, each validated against the record contract."""
    return [read_record(p) for p in paths]


def collect_records(expected, since=0.0):
    """The records of the `expected` clones (dicts: record, log, scenario, clone,
    probe), each read, or, where it cannot be, a row saying why or the clone rebuilt
    from its log (faults.read_or_rebuild); clones that never ran are left out."""
    records = []
    for e in expected:
        probe = json.loads(Path(e["probe"]).read_text()) if Path(e["probe"]).exists() else {
            "fs_source": "", "fs_clone": "", "same_filesystem": False, "reflink": False}
        record = read_or_rebuild(e["record"], e["scenario"], e["clone"], e["log"], probe, since)
        if record is not None:
            records.append(record)
    return records


def sources_section(paths, writes=None):
    """What the check of the sources (integrity.verify_sources) found, per location,
    and every difference the jobs made in the repositories they share (`writes`:
    scenario -> snapshot.after_round), unexpected ones first."""
    lines = ["## Sources", ""]
    lines += writes_lines(writes or {})
    checks = [c for p in paths if Path(p).exists() for c in json.loads(Path(p).read_text())["checks"]]
    if not checks:
        return [*lines, "Not checked: the run did not get that far.", ""]
    harmed = [c for c in checks if not c["ok"]]
    lines.append(f"**{len(harmed)} of {len(checks)} checks FAILED: a source was harmed.**" if harmed
                 else f"Unharmed: all {len(checks)} checks passed (`git annex fsck` of each image, "
                      "the RIA stores' copies included; no uncommitted changes).")
    lines += [f"- {'ok' if c['ok'] else '**FAILED**'}: {c['what']}: `{c['path']}` {c['detail']}".rstrip()
              for c in checks]
    return [*lines, ""]


def writes_lines(writes):
    """The Sources section's account of what the jobs wrote, scenario by scenario."""
    if not writes:
        return []
    written = {s: w for s, w in writes.items() if w["verdict"] != "clean"}
    expected = sum(c["class"] == "expected" for w in writes.values() for c in w["changes"])
    lines = [f"**The jobs of {len(written)} of {len(writes)} scenarios wrote into a shared repository "
             "they read from.**" if written else
             f"Nothing unexpected written: the repositories the jobs of all {len(writes)} scenarios share "
             "were the same after each round as before it"
             + (f" but for {expected} expected changes (docs/design.md, *What the jobs may write*)." if expected
                else "."), ""]
    for scenario, w in written.items():
        lines.append(f"- `{scenario}`: **{w['verdict']}**: {w['written']}")
        lines += [f"  - {snapshot.describe(c)}" for c in w["changes"] if c["class"] != "expected"]
        lines += [f"  - {line}" for line in w["initialisations"]]
        lines.append("  - put back after the round: " + ("; ".join(w["restored"]) or "nothing") + ".")
        if w["left"]:
            lines.append("  - **left as the jobs made it**: " + "; ".join(map(snapshot.describe, w["left"])) + ".")
    return [*lines, ""] if written else lines


def write_results(records, max_skew, outputs, heatmap, notes=None, banner=(), sources=(), configfiles=(),
                  max_rounds=None, writes=()):
    """Everything a run reports, into `outputs` (a mapping of OUTPUTS to paths): the
    results table; the summary (`banner` lines first, then the verdicts, the check of
    the sources and the environment) and the bug report, as Markdown and HTML; one card
    per scenario; the figures. `heatmap`: the two axes it maps ({x, y});
    `configfiles`: the run's, for the commands that rerun a scenario; `max_rounds`:
    how many rounds a scenario gets; `writes`: the files of what the jobs wrote
    into shared repositories (snapshot.after_round)."""
    table = records_table(records)
    writes = snapshot.read_writes(writes)
    summary = scenario_summary(table, max_skew, max_rounds=max_rounds, writes=writes)
    table.to_csv(outputs["table"], sep="\t", index=False)
    env = environment(table)
    text = summary_markdown(summary, notes=notes) + "\n".join([*sources_section(sources, writes), *env])
    if banner:
        head, rest = text.split("\n", 1)
        text = "\n".join([head, "", *banner, rest])
    Path(outputs["summary"]).write_text(text)
    summary_html(text, outputs["summary_html"])
    report = bug_report(summary, table, findings(summary), env, configfiles)
    Path(outputs["bug_report"]).write_text(report)
    bug_report_html(report, outputs["bug_report_html"])
    scenario_cards(table, summary, outputs["scenarios"], labels(summary), configfiles)
    plot_timeline(table, outputs["timeline"], summary)
    plot_heatmap(summary, heatmap["x"], heatmap["y"], outputs["heatmap"])
    plot_durations(table, summary, outputs["durations"])
    plot_summary_table(summary, outputs["summary_table"])
    versions = version_table(summary)
    plot_version_map(versions, outputs["versions"], version_statements(versions))
    conformance_table(summary).to_csv(outputs["conformance"], sep="\t", index=False)
    plot_conformance(summary, outputs["conformance_figure"])
    return summary


def summarize_failed_run(expected, since, outputs, **settings):
    """After a run that failed: the summary of what there is, clones whose job died
    since the run started rebuilt from their logs (faults), with a banner saying so.
    Its files are dated back to 1970, so that the next run, which redoes the
    incomplete scenarios, writes them anew. Returns how many clones were rebuilt
    (0: nothing written). `settings`: write_results's."""
    records = collect_records(expected, since=since)
    rebuilt = [r for r in records if r.reconstructed]
    if not rebuilt:
        return 0
    causes = pd.Series([r.cause for r in rebuilt]).value_counts()
    banner = [
        f"**This run did not finish.** {len(rebuilt)} clone jobs ended without a "
        f"record ({', '.join(f'{c}: {n}' for c, n in causes.items())}); they are rebuilt "
        "from their logs below and their scenarios are INCONCLUSIVE. Rerun the same "
        "command: every incomplete scenario reruns as a whole, complete ones are kept.",
        "",
    ]
    write_results(records, outputs=outputs, banner=banner, **settings)
    for path in outputs.values():
        os.utime(path, (0, 0))
    return len(rebuilt)


TIME_FIELDS = [f for f in FIELDS if f.startswith("t_") or f in ("barrier_release_at", "prefetch_seconds")]


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
    for column in JSON_FIELDS:
        table[column] = table[column].map(json.dumps)
    return table.sort_values(["scenario", "clone"]).reset_index(drop=True)


def scenario_summary(table, max_skew, axes=AXES, max_rounds=None, writes=None):
    """One row per scenario: its axis values, verdict, first failure, timings, skew,
    and what its jobs wrote into shared repositories (`writes`: scenario -> what
    snapshot.after_round found). An INCONCLUSIVE scenario whose records are of round
    `max_rounds` is not rerun: its detail says so."""
    rows = []
    writes = writes or {}
    for scenario, group in table.groupby("scenario", sort=True):
        first = group.iloc[0]
        records = [{**r, "evidence": json.loads(r["evidence"])} for r in group.to_dict("records")]
        verdict, detail = scenario_verdict(records, int(first["n_clones"]), max_skew)
        store = writes.get(scenario, {}).get("output_store")
        lost = list(store["lost"].values()) if store else []
        if lost and verdict != INCONCLUSIVE:  # reported delivered, not in the store
            verdict, detail = FAIL, f"{len(lost)} of {int(first['n_clones'])} results lost in the output store"
        if verdict == INCONCLUSIVE and not group["reconstructed"].any():
            rounds = int(group["round"].max())
            detail += (f"; after {rounds} rounds (max_rounds) it is not rerun" if max_rounds and rounds >= max_rounds
                       else "; a rerun tries again")
        failed = group[group["outcome"] != "ok"]
        ok = group[group["outcome"] == "ok"]
        causes = failed["cause"].dropna().value_counts()
        skew = get_start_skew(group["t_get_start"])
        rows.append(
            ScenarioRow(
                scenario=scenario,
                **{axis: first[axis] for axis in axes},
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
                arrival=", ".join(sorted(ok["arrival"].dropna().unique())),
                git_annex_run=", ".join(sorted(group["git_annex_version"].dropna().unique())),
                git_annex_source=", ".join(sorted(group["git_annex_source"].dropna().unique())),
                fs_source=", ".join(sorted(group["fs_source"].unique())),
                fs_clone=", ".join(sorted(group["fs_clone"].unique())),
                sources=writes.get(scenario, {}).get("verdict", ""),
                written=writes.get(scenario, {}).get("written", ""),
                **delivery(group),
                output_store=output_store_text(store),
            )
        )
    return pd.DataFrame([asdict(r) for r in rows], columns=SUMMARY_COLUMNS)


def output_store_text(store):
    """What the check of a push round's output store found, in a few words."""
    if not store:
        return ""
    if store["lost"] or store["problems"]:
        return "; ".join([*(f"lost: {why}" for why in store["lost"].values()), *store["problems"]])
    return f"whole: {len(store['checked'])} checks passed"


def delivery(group):
    """How many of a BABS scenario's tasks delivered their result, and why not."""
    if group["delivered"].isna().all():
        return {"delivered": "", "delivery_evidence": ""}
    why = group["delivery_evidence"].dropna()
    return {"delivered": f"{int((group['delivered'] == True).sum())} of {len(group)}",  # noqa: E712
            "delivery_evidence": why.iloc[0] if len(why) else ""}


# what a BABS scenario is checked against: the imitation's scenarios that get the
# image the way BABS's job does (through DataLad), all other axes equal
IMITATIONS = ("datalad-get", "containers-run")


def babs_beside_imitation(summary, axes=AXES):
    """Each BABS scenario beside the workflow's own datalad-get/containers-run
    scenarios of the same version, location, size and every other axis, and a line
    for each disagreement; [] without BABS scenarios."""
    babs = summary[summary["method"] == "babs"]
    if babs.empty:
        return []
    others = [a for a in axes if a != "method"]
    rows, disagree = [], []
    for b in babs.itertuples():
        twins = summary[(summary["method"].isin(IMITATIONS))
                        & (summary[others].astype(str) == pd.Series({a: str(getattr(b, a)) for a in others})).all(axis=1)]
        for t in twins.itertuples() if len(twins) else [None]:
            rows.append({
                "git_annex": b.git_annex, "workaround": b.workaround, "n_clones": b.n_clones,
                "BABS": f"{b.verdict} ({b.cause})" if b.cause else b.verdict,
                "results in output RIA": b.delivered,
                "imitation": f"{t.method}: {t.verdict} ({t.cause})" if t is not None and t.cause
                else f"{t.method}: {t.verdict}" if t is not None else "not run",
                "agree": "" if t is None else "yes" if t.verdict == b.verdict and t.cause == b.cause else "**no**",
            })
            if t is not None and (t.verdict, t.cause) != (b.verdict, b.cause):
                disagree.append(f"- git_annex={b.git_annex}, workaround={b.workaround}: BABS {b.verdict}"
                                f"{f' ({b.cause})' if b.cause else ''}, the imitation ({t.method}) {t.verdict}"
                                f"{f' ({t.cause})' if t.cause else ''}.")
    undelivered = [f"- git_annex={b.git_annex}, workaround={b.workaround}: {b.delivered} results reached the "
                   f"output RIA; the first task's log says: {b.delivery_evidence}"
                   for b in babs.itertuples() if b.delivery_evidence]
    compared = sum(r["agree"] != "" for r in rows)
    return [
        "## BABS beside the imitation",
        "",
        "Each BABS scenario (the real `babs init`, `babs submit`, `babs merge`) beside the workflow's own "
        "scenarios that get the image through DataLad, every other axis equal.",
        "",
        markdown_table(pd.DataFrame(rows)),
        "",
        *(disagree or ([f"The imitation agrees with BABS in all {compared} comparisons."] if compared else
                       ["No imitation scenario with the same axes ran: nothing to compare."])),
        *undelivered,
        "",
    ]


def _cell(value, whole=False):
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.0f}" if whole else f"{value:.2f}"
    return str(value).replace("|", "\\|")


def markdown_table(frame):
    """A Markdown table; a column of whole numbers (a setting, a window) without decimals."""
    whole = [
        pd.api.types.is_float_dtype(frame[c]) and bool((frame[c].dropna() % 1 == 0).all()) for c in frame.columns
    ]
    lines = [
        "| " + " | ".join(frame.columns) + " |",
        "|" + "---|" * len(frame.columns),
    ]
    lines += [
        "| " + " | ".join(_cell(v, w) for v, w in zip(row, whole)) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines)


def _results(summary):
    return [
        f"**{v}** ({d})" if d else f"**{v}**" if v != PASS else v
        for v, d in zip(summary["verdict"], summary["detail"])
    ]


def seed_table(summary, notes):
    """The reference table (the seed notes') beside what was observed, one row per
    scenario that carries a reference verdict, and a line for each disagreement."""
    by_scenario = summary.set_index("scenario", drop=False)
    rows = []
    for scenario, note in notes.items():  # in the order of the configuration's rows
        if not note.get("seed_says") or scenario not in by_scenario.index:
            continue
        row = by_scenario.loc[scenario]
        rows.append({
            "Test": note.get("test", ""), "Location": f"{note.get('seed_location', '')} ({row.location})",
            "seed says": note["seed_says"], "observed": _results(by_scenario.loc[[scenario]])[0],
            "cause": row.cause or "", "how the content arrived": row.arrival or "",
        })
    if not rows:
        return []
    table = pd.DataFrame(rows)
    disagree = [
        f"- **{r['Test']}** ({r['Location']}): the seed says {r['seed says']}, observed {r['observed']}."
        for r in rows if not r["observed"].strip("*").startswith(r["seed says"])
    ]
    return [
        "## The seed's table, observed",
        "",
        markdown_table(table),
        "",
        *(disagree or ["Every observed verdict agrees with the seed notes."]),
        "",
    ]


def decision_sections(summary):
    """The version map, the retry budget and the transports, where the run tried more
    than one of them (decisions.py)."""
    lines = []
    for title, table, statements in (
        ("git-annex versions", version_table(summary), version_statements),
        ("Retry budget", retry_table(summary), retry_statements),
        ("Transport", transport_table(summary), transport_statements),
    ):
        if not table.empty:  # each table holds the columns it shows ("copy" only groups)
            shown = markdown_table(table.drop(columns="copy", errors="ignore"))
            lines += [f"## {title}", "", shown, "", *statements(table), ""]
    return lines


def summary_markdown(summary, axes=AXES, notes=None):
    """The summary: the findings first; the seed notes' "Results summary" table, one
    row per scenario (its verdict first, then the axes that vary in the run); the
    version, retry and transport decisions; the evidence. `notes` (the explicit rows'
    notes by scenario) add the reference table."""
    shown = summary.set_index("scenario", drop=False).loc[ordered(summary)]
    shown = shown.assign(result=_results(shown))
    varying = [a for a in axes if summary[a].astype(str).nunique() > 1]
    common = [f"{a}={summary[a].iloc[0]}" for a in axes if a not in varying]
    columns = ["result", "cause", *varying, "first_failure", "median_get_s", "skew_ms", "arrival",
               *(["sources"] if (summary["sources"] != "").any() else []), "git_annex_run", "fs_source", "fs_clone"]
    counts = summary["verdict"].value_counts()
    head = ", ".join(f"{counts.get(v, 0)} {v}" for v in (PASS, FAIL, INCONCLUSIVE))
    return "\n".join(
        [
            "# annex-race results",
            "",
            f"{len(summary)} scenarios: {head}.",
            "",
            "## Findings",
            "",
            *findings(summary, axes),
            "",
            *seed_table(summary, notes or {}),
            *babs_beside_imitation(summary, axes),
            *conformance_section(summary, markdown_table),
            "## Results summary",
            "",
            f"Every scenario: {', '.join(common)}." if common else "",
            "",
            markdown_table(shown[columns]),
            "",
            *decision_sections(summary),
            "## Evidence",
            "",
            *(
                [
                    f"- `{row.scenario}`: {row.cause}: {row.evidence}"
                    for row in summary.itertuples()
                    if row.verdict == FAIL
                ]
                or ["None: no scenario failed."]
            ),
            "",
            "",
        ]
    )


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


def findings(summary, axes=AXES):
    """Short statements computed from the verdicts: what failure needed, what fixed it,
    what the jobs wrote into shared repositories."""
    failed = summary[summary["verdict"] == FAIL]
    if failed.empty:
        return [f"- No scenario failed ({len(summary)} run).", *write_findings(summary, axes),
                *arrival_findings(summary), *delivery_findings(summary)]
    conditions = necessary_conditions(summary, axes)
    lines = [
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
    short = summary[(summary["delivery_evidence"] != "") & (summary["verdict"] == PASS)]
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
    return lines
