"""The summary as Markdown, a rendering of the scenario table (scenarios.tsv), and
the report's steps in the order the rules take them: tabulate the records, render
the pages, draw the figures, write the cards (summarize_failed_run: all four at once,
after a run that failed)."""

import os
from pathlib import Path

import pandas as pd

from ..core.axes import AXES
from ..core.methods import BABS, METHODS, family
from ..core.record import FAIL, INCONCLUSIVE, PASS
from ..observe import snapshot
from ..observe.integrity import read_verifications
from ..observe.output import read_verified
from .conformance import conformance_section, conformance_table
from .decisions import (
    retry_statements,
    retry_table,
    scale_statements,
    scale_table,
    transport_statements,
    transport_table,
    version_statements,
    version_table,
)
from .findings import findings
from .labels import labels, ordered
from .pages import bug_report, bug_report_html, environment, scenario_cards, summary_html
from .table import collect_records, read_results, read_scenarios, records_table, scenario_summary, write

# what a BABS scenario is checked against: the imitation's scenarios that get the
# image the way BABS's job does (through DataLad), all other axes equal
IMITATIONS = tuple(name for name, m in METHODS.items() if m.family == "get" and m.datalad)


def sources_section(paths, writes=None):
    """What the verification of the sources (observe/integrity.verify_sources) found,
    per location, and every difference the jobs made in the repositories they share
    (`writes`: scenario -> observe/snapshot.after_round), unexpected ones first."""
    lines = ["## Sources", ""]
    lines += writes_lines(writes or {})
    verified = read_verifications(paths)
    if not verified:
        return [*lines, "Not verified: the run did not get that far.", ""]
    harmed = [c for c in verified if not c["ok"]]
    lines.append(f"**{len(harmed)} of {len(verified)} verifications FAILED: a source was harmed.**" if harmed
                 else f"Unharmed: all {len(verified)} verifications passed (`git annex fsck` of each image, "
                      "the RIA stores' copies included; no uncommitted changes).")
    lines += [f"- {'ok' if c['ok'] else '**FAILED**'}: {c['what']}: `{c['path']}` {c['detail']}".rstrip()
              for c in verified]
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


def babs_beside_imitation(summary, axes=AXES):
    """Each BABS scenario beside the workflow's own scenarios that get the image the
    way BABS's job does (IMITATIONS: through DataLad), of the same version, location,
    size and every other axis, and a line for each disagreement; [] without BABS
    scenarios."""
    babs = summary[summary["method"].map(family) == BABS]
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
                "BABS": _steps_text(b), "results in output RIA": b.delivered,
                "imitation": f"{t.method}: {_steps_text(t)}" if t is not None else "not run",
                "agree": "" if t is None else "yes" if _said(t) == _said(b) else "**no**",
            })
            if t is not None and _said(t) != _said(b):
                disagree.append(f"- git_annex={b.git_annex}, workaround={b.workaround}: BABS {_steps_text(b)}; "
                                f"the imitation ({t.method}) {_steps_text(t)}.")
    undelivered = [f"- git_annex={b.git_annex}, workaround={b.workaround}: {b.delivered} results reached the "
                   f"output RIA; the first task's log says: {b.delivery_evidence}"
                   for b in babs.itertuples() if b.delivery_evidence]
    compared = sum(r["agree"] != "" for r in rows)
    return [
        "## BABS beside the imitation",
        "",
        "Each BABS scenario (the real `babs init`, `babs submit`, `babs merge`) beside the workflow's own "
        "whole jobs that get the image through DataLad and deliver as BABS does, every other axis equal: "
        "each step's verdict and the job's.",
        "",
        markdown_table(pd.DataFrame(rows)),
        "",
        *(disagree or ([f"The imitation agrees with BABS in all {compared} comparisons."] if compared else
                       ["No imitation scenario with the same axes ran: nothing to compare."])),
        *undelivered,
        "",
    ]


def _steps_text(row):
    """A scenario's step verdicts and its job's, e.g. "get PASS, deliver FAIL
    (unverified-remote); job FAIL"."""
    steps = [f"{step} {verdict}" + (f" ({cause})" if cause else "") for step, verdict, cause in (
        ("get", row.get_verdict, row.get_cause), ("deliver", row.deliver_verdict, row.deliver_cause)) if verdict]
    return ", ".join(steps) + f"; job {row.verdict}" if steps else row.verdict


def _said(row):
    """What a comparison of BABS with its imitation holds equal: each step's verdict and cause."""
    return (row.get_verdict, row.get_cause, row.deliver_verdict, row.deliver_cause, row.verdict)


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


def seed_table(summary):
    """The reference table (the seed notes') beside what was observed, one row per
    scenario that carries a reference verdict (`seed_says`), in the order of the
    configuration's rows, and a line for each disagreement."""
    rows = []
    for row in summary[summary["seed_says"] != ""].itertuples():
        rows.append({
            "Test": row.test, "Location": f"{row.seed_location} ({row.location})",
            "seed says": row.seed_says, "observed": _results(summary[summary["scenario"] == row.scenario])[0],
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
        *(["", *compared] if (compared := stand_ins(summary[summary["seed_says"] != ""])) else []),
        "",
    ]


def stand_ins(rows):
    """Where one reference location was stood in for by several (the slowfs lab and the
    cluster in a box for the seed's cluster): whether they gave the same verdicts."""
    lines = []
    for where, group in rows.groupby("seed_location", sort=False):
        places = list(dict.fromkeys(group["location"]))
        if len(places) < 2:
            continue
        verdicts = group.groupby("test", sort=False).apply(
            lambda g: dict(zip(g["location"], g["verdict"])), include_groups=False)
        differ = [f"{test}: " + ", ".join(f"{v} on {loc}" for loc, v in by.items())
                  for test, by in verdicts.items() if len(set(by.values())) > 1]
        lines.append(f"- The {where} rows on {', '.join(places)}: "
                     + ("; ".join(differ) + "." if differ else "the same verdict in every row."))
    return lines


def decision_sections(summary):
    """The version map, the retry budget and the transports, where the run tried more
    than one of them (decisions.py)."""
    lines = []
    for title, table, statements in (
        ("git-annex versions", version_table(summary), version_statements),
        ("Retry budget", retry_table(summary), retry_statements),
        ("Transport", transport_table(summary), transport_statements),
        ("Many tasks", scale_table(summary), scale_statements),
    ):
        if not table.empty:  # each table holds the columns it shows ("copy" only groups)
            shown = markdown_table(table.drop(columns="copy", errors="ignore"))
            lines += [f"## {title}", "", shown, "", *statements(table), ""]
    return lines


def summary_markdown(summary, axes=AXES):
    """The summary of a scenario table (scenarios.tsv): the findings first; the seed
    notes' table where rows carry their notes; the "Results summary" table, one row
    per scenario (its verdict first, then the axes that vary in the run); the
    version, retry and transport decisions; the evidence."""
    shown = summary.set_index("scenario", drop=False).loc[ordered(summary)]
    shown = shown.assign(result=_results(shown))
    varying = [a for a in axes if summary[a].astype(str).nunique() > 1]
    common = [f"{a}={summary[a].iloc[0]}" for a in axes if a not in varying]
    steps = [c for c in ("get_verdict", "deliver_verdict") if c in summary and (summary[c] != "").any()]
    shown = shown.rename(columns={c: c.removesuffix("_verdict") for c in steps})
    steps = [c.removesuffix("_verdict") for c in steps]
    columns = ["result", *steps, "cause", *varying, "first_failure", "median_get_s", "skew_ms", "arrival",
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
            *seed_table(summary),
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


# ---- the report's steps -------------------------------------------------------------


def tabulate(records, max_skew, outputs, max_rounds=None, writes=(), verified=(), notes=None, order=None):
    """The tables (core/layout.TABLES, into `outputs`): results.tsv from the records,
    scenarios.tsv from it, with what the jobs wrote (`writes`: the files of
    observe/snapshot.after_round), what each push round's output repository held
    (`verified`: observe/output.verify_output's files) and the rows' `notes`, its rows
    in `order` (scenario ids: the configuration's)."""
    table = records_table(records)
    summary = scenario_summary(table, max_skew, max_rounds, snapshot.read_writes(writes), read_verified(verified),
                               notes)
    if order:
        rank = {sid: i for i, sid in enumerate(dict.fromkeys(order))}
        summary = summary.sort_values("scenario", key=lambda ids: ids.map(rank)).reset_index(drop=True)
    write(table, outputs["results"])
    write(summary, outputs["scenarios"])


def render_pages(tables, outputs, sources=(), writes=(), configfiles=(), banner=()):
    """The pages (core/layout.PAGES) of the tables: the summary (`banner` lines first,
    then the verdicts, the sources and the environment) and the bug report, as
    Markdown and HTML, and conformance.tsv. `configfiles`: the run's, for the
    commands that rerun a scenario."""
    table, summary = read_results(tables["results"]), read_scenarios(tables["scenarios"])
    env = environment(table)
    text = summary_markdown(summary) + "\n".join([*sources_section(sources, snapshot.read_writes(writes)), *env])
    if banner:
        head, rest = text.split("\n", 1)
        text = "\n".join([head, "", *banner, rest])
    Path(outputs["summary"]).write_text(text)
    summary_html(text, outputs["summary_html"])
    report = bug_report(summary, table, findings(summary), env, configfiles)
    Path(outputs["bug_report"]).write_text(report)
    bug_report_html(report, outputs["bug_report_html"])
    write(conformance_table(summary), outputs["conformance"])


def draw_figures(tables, outputs, heatmap):
    """The figures (core/layout.FIGURES) of the tables; `heatmap`: its two axes {x, y}."""
    from .conformance import plot_conformance
    from .figures import plot_durations, plot_heatmap, plot_summary_table, plot_timeline, plot_version_map

    table, summary = read_results(tables["results"]), read_scenarios(tables["scenarios"])
    plot_timeline(table, outputs["timeline"], summary)
    plot_heatmap(summary, heatmap["x"], heatmap["y"], outputs["heatmap"])
    plot_durations(table, summary, outputs["durations"])
    plot_summary_table(summary, outputs["summary_table"])
    versions = version_table(summary)
    plot_version_map(versions, outputs["versions"], version_statements(versions))
    plot_conformance(summary, outputs["conformance_figure"])


def write_cards(tables, directory, configfiles=()):
    """One card per scenario under `directory` (core/layout.CARDS)."""
    table, summary = read_results(tables["results"]), read_scenarios(tables["scenarios"])
    scenario_cards(table, summary, directory, labels(summary), configfiles)


def write_results(records, max_skew, outputs, heatmap, max_rounds=None, writes=(), verified=(), notes=None,
                  sources=(), configfiles=(), banner=(), order=None):
    """Everything a run reports, step after step, into `outputs` (a mapping of
    core/layout.OUTPUTS' names to paths); the scenario table."""
    tabulate(records, max_skew, outputs, max_rounds, writes, verified, notes, order)
    render_pages(outputs, outputs, sources, writes, configfiles, banner)
    draw_figures(outputs, outputs, heatmap)
    write_cards(outputs, outputs["cards"], configfiles)
    return read_scenarios(outputs["scenarios"])


def summarize_failed_run(inputs, expected, since, logger, max_skew, max_rounds, heatmap, notes, configfiles,
                         outputs=None):
    """After a run that failed: the report of what there is (`inputs`: the summary's,
    planning/plan.Plan.summary_inputs; `expected`: every clone), clones whose job died
    since the run started rebuilt from their logs (observe/faults), with a banner
    saying so. Its files are dated back to 1970, so that the next run, which redoes
    the incomplete scenarios, writes them anew. Returns how many clones were rebuilt
    (0: nothing written); says on `logger` where, or why it could not."""
    from ..core.layout import OUTPUTS

    outputs = outputs or OUTPUTS
    try:
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
        # the sources are verified after the scenarios: not in a run that stopped first
        write_results(records, max_skew, outputs, heatmap, max_rounds, inputs["writes"], inputs["verified"], notes,
                      (), configfiles, banner, order=[e["scenario"]["scenario"] for e in expected])
        for path in outputs.values():
            os.utime(path, (0, 0))
        logger.error(f"annex-race: what this run observed is in {outputs['summary']}")
        return len(rebuilt)
    except Exception as e:  # never hide the failure that brought us here
        logger.error(f"annex-race: could not summarize the failed run: {e}")
        return 0
