"""What people read and paste: the environment a run saw, the summary as a web page,
one card per scenario for the Snakemake report, and a bug report ready for upstream."""

import html
import json
import platform
import re
import shlex
from pathlib import Path

import markdown

from ..core.axes import AXES
from ..core.image import parse_size
from ..core.layout import CARD
from ..core.methods import PUSH, family
from ..core.record import FAIL
from .reproducers import reproducer

VERDICT_CELL = re.compile(r"<td>(<strong>)?(PASS|FAIL|INCONCLUSIVE)\b")
_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title><style>
body {{ font-family: sans-serif; font-size: 14px; margin: 1.5em; max-width: 110em; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.2em; }}
th, td {{ border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }}
th {{ background: #f0f0f0; }} code {{ font-size: 12px; }}
td.PASS {{ background: #c9e4bd; }} td.FAIL {{ background: #f2c1bb; }} td.INCONCLUSIVE {{ background: #f7e2ad; }}
</style></head><body>
{body}
</body></html>
"""


def _values(table, column):
    """The distinct non-empty values of a column, as text."""
    return sorted({str(v) for v in table[column].dropna() if str(v) not in ("", "nan")})


def environment(table):
    """What a maintainer asks for first: versions, hosts, filesystems, SLURM jobs."""
    from importlib.metadata import version

    import snakemake

    def listed(column):
        return ", ".join(_values(table, column)) or "none"

    versions = sorted({f"{v} ({s})" for v, s in zip(table["git_annex_version"], table["git_annex_provenance"])
                       if isinstance(v, str) and v})
    lines = [
        "## Environment",
        "",
        f"- git-annex, as the clones reported it: {'; '.join(versions) or 'none'}",
        f"- DataLad, as the clones reported it: {listed('datalad_version')}; the workflow's "
        f"environment: datalad {version('datalad')}, datalad-container {version('datalad-container')}, "
        f"snakemake {snakemake.__version__}, Python {platform.python_version()}, {platform.platform()}",
        f"- hosts: {listed('host')}",
    ]
    for location, rows in table.groupby("location"):
        lines.append(
            f"- location {location}: sources on {', '.join(_values(rows, 'fs_source')) or '?'}, "
            f"clones on {', '.join(_values(rows, 'fs_clone')) or '?'}; one filesystem: "
            f"{'yes' if rows['same_filesystem'].astype(bool).any() else 'no'}; reflink copies: "
            f"{'yes' if rows['reflink'].astype(bool).any() else 'no'}")
    if jobs := _values(table, "slurm_job_id"):
        lines.append(f"- SLURM: {len(jobs)} clone jobs ({', '.join(jobs)}) on nodes {listed('slurm_node')}")
    else:
        lines.append("- SLURM: not used (the local executor ran the clone jobs)")
    return [*lines, ""]


def summary_html(summary_md, path):
    """The summary (Markdown) as a page of its own, for the Snakemake report."""
    body = markdown.markdown(summary_md, extensions=["tables"])
    # a verdict's cell in its colour, as in the figures
    body = VERDICT_CELL.sub(lambda m: f'<td class="{m.group(2)}">{m.group(1) or ""}{m.group(2)}', body)
    Path(path).write_text(_PAGE.format(title="annex-race summary", body=body))


def bug_report_html(report_md, path):
    """The bug report as a page: the Markdown to copy, then how it will look."""
    body = (f"<p>Copy this into the issue:</p><pre style='background:#f6f6f6; padding:1em; white-space:pre-wrap'>"
            f"{html.escape(report_md)}</pre><hr><p>It will read:</p>{markdown.markdown(report_md, extensions=['fenced_code'])}")
    Path(path).write_text(_PAGE.format(title="annex-race bug report", body=body))


def scenario_cards(table, summary, directory, names, configfiles=()):
    """One small page per scenario (CARD under `directory`, the path the report reads
    its categories and labels from): verdict, cause, evidence, axes, its clones and the
    command that reruns it (with the run's `configfiles`). Cards of an earlier run are
    replaced."""
    directory = Path(directory)
    for old in directory.glob("*/*/*.html"):
        old.unlink()
    columns = ["clone", "outcome", "cause", "host", "slurm_job_id", "slurm_node", "arrival",
               "attempts_made", "get_s", "first_failure"]
    for row in summary.itertuples():
        clones = table[table["scenario"] == row.scenario].sort_values("clone")
        clones = clones.assign(attempts_made=clones["attempt_starts"].map(lambda s: len(json.loads(s))))
        axes = "".join(f"<tr><th>{a}</th><td>{html.escape(str(getattr(row, a)))}</td></tr>" for a in AXES)
        body = "".join([
            f"<h2>{html.escape(names[row.scenario])}</h2>",
            f"<p><b>{row.verdict}</b> {html.escape(row.detail)}",
            f" — cause: {html.escape(row.cause)}" if row.cause else "", "</p>",
            f"<p>Evidence: <code>{html.escape(row.evidence)}</code></p>" if row.evidence else "",
            (f"<p>Sources: <b>{row.sources}</b>" + (f": its jobs wrote {html.escape(row.written)}" if row.written else "")
             + "</p>") if getattr(row, "sources", "") else "",
            f"<p>Rerun it alone: <code>{html.escape(reproduce_command(row._asdict(), configfiles))}</code></p>",
            f"<table>{axes}</table>",
            clones[columns].to_html(index=False, na_rep="", float_format=lambda x: f"{x:.2f}"),
        ])
        card = directory / CARD.format(location=row.location, storage_sibling=row.storage_sibling,
                                       scenario=row.scenario, verdict=row.verdict)
        card.parent.mkdir(parents=True, exist_ok=True)
        card.write_text(_PAGE.format(title=html.escape(row.scenario), body=body))


def rerun_configfiles(checkout, configfiles):
    """The configuration files given on top of config/config.yaml (profiles' and
    --configfile's), which a command that reruns a scenario must repeat: relative
    to the checkout where they are in it."""
    checkout = Path(checkout).resolve()
    files = [Path(f).resolve() for f in configfiles]
    return [str(f.relative_to(checkout)) if f.is_relative_to(checkout) else str(f)
            for f in files if f != checkout / "config" / "config.yaml"]


def reproduce_command(row, configfiles=()):
    """The one-line command that runs this scenario (a mapping of its axes) alone,
    with the configuration files the run was given (`configfiles`)."""
    files = "".join(f" --configfile {shlex.quote(str(f))}" for f in configfiles)
    settings = " ".join(f"{axis}={shlex.quote(str(row[axis]))}" for axis in AXES)
    return f"snakemake --cores {max(2, int(row['n_clones']))}{files} --config {settings}"


def smallest_failing(summary):
    """The failing scenario that is cheapest to rerun and simplest to explain: fewest
    clones, smallest image, no workaround, plain `git annex get`."""
    failed = summary[summary["verdict"] == FAIL]
    if failed.empty:
        return None
    cost = failed.apply(lambda r: (int(r["n_clones"]), parse_size(str(r["image_size"])),
                                   r["workaround"] != "none", r["method"] != "annex-get", r["scenario"]),
                        axis=1)
    return failed.loc[cost.sort_values().index[0]]


def one_change_away(summary, row):
    """The scenarios that differ from `row` in exactly one axis: (axis, value, verdict),
    the verdict saying where its jobs wrote into shared repositories."""
    out = []
    for other in summary.itertuples():
        diff = [a for a in AXES if str(getattr(other, a)) != str(row[a])]
        if len(diff) == 1:
            wrote = (f" (but its jobs wrote into shared repositories: {other.written})"
                     if getattr(other, "sources", "") in ("written", "harmed") else "")
            out.append((diff[0], getattr(other, diff[0]), other.verdict + wrote))
    return sorted(out, key=lambda t: (t[0], str(t[1])))


def _what_happened(worst, get, skew):
    winner = worst["winner_get_s"]
    took = f"; the slowest get that succeeded took {winner:.1f} s" if winner is not None and winner == winner else ""
    settings = f"annex.retry={worst['annex_retry']}, annex.retrydelay={worst['annex_retry_delay']}"
    if worst["annex_bwlimit"]:
        settings += f", annex.bwlimit={worst['annex_bwlimit']} (to make the copy slow)"
    return (f"{worst['n_clones']} clones of one dataset run `{get}` of the same annexed file "
            f"({worst['image_size']}) at the same moment{skew}; every clone has the same origin "
            f"repository; {settings}. {worst['detail']} (cause `{worst['cause']}`){took}.")


def push_reproducers(summary):
    """A section with a standalone reproducer (report/reproducers.py) of every push
    operation and every whole job's delivery that failed, from its smallest failing
    scenario; [] if none failed."""
    failed = summary[(summary["verdict"] == FAIL) & (summary["method"].map(family) == PUSH)]
    delivered = summary[summary["deliver_verdict"] == FAIL]
    if failed.empty and delivered.empty:
        return []
    lines = ["## The output side: standalone reproducers", "",
             "Each script needs only git and git-annex on PATH; it sets up its repositories in a fresh "
             "temporary directory, runs the operation in every job at once, prints what each job said and "
             "exits 1 where the failure shows.", ""]
    groups = [(method, method, group) for method, group in failed.groupby("method", sort=False)] + [
        (f"deliver={name}", name, group)
        for name, group in delivered[delivered["method"].map(family) != PUSH].groupby("deliver", sort=False)]
    for title, method, group in groups:
        worst = smallest_failing(group)
        lines += [f"### `{title}`: {worst['detail']} (cause `{worst['cause']}`)", "",
                  f"Observed with git-annex {worst['git_annex_run'] or worst['git_annex']}: {worst['evidence']}", "",
                  "```bash", reproducer(method, int(worst["n_clones"]), str(worst["image_size"]),
                                        worst["annex_bwlimit"], worst["git_annex"]).rstrip(), "```", ""]
    return lines


def bug_report(summary, table, findings, env, configfiles=()):
    """Text ready to paste into an upstream issue, from the records: the smallest
    failing configuration as one command, versions, the messages, the evidence, what
    passed with one setting changed, the findings and the environment; then a
    standalone reproducer of each push operation that failed."""
    pushes = push_reproducers(summary)
    worst = smallest_failing(summary[~(summary["method"].map(family) == PUSH)])
    if worst is None and pushes:
        return "\n".join(["# Concurrent pushes into one output store fail", "", *pushes, *env])
    if worst is None:
        return "\n".join(["# annex-race: nothing to report", "",
                          f"No scenario failed in this run ({len(summary)} scenarios).", "", *env])
    clones = table[table["scenario"] == worst["scenario"]]
    messages = dict.fromkeys(m for ms in clones["failure_messages"] for m in json.loads(ms))
    evidence = dict.fromkeys(e for es in clones["evidence"] for e in json.loads(es))
    origin = "local-path" if worst["transport"] == "local" else worst["transport"]
    get = "git annex get" if worst["method"] == "annex-get" else worst["method"]
    skew = "" if worst["skew_ms"] is None or worst["skew_ms"] != worst["skew_ms"] else \
        f" (their gets started within {worst['skew_ms']:.1f} ms)"
    versions = ", ".join(_values(clones, "git_annex_version"))
    return "\n".join([
        f"# Concurrent `git annex get` of one key from one {origin} origin fails: {worst['detail']}",
        "",
        f"git-annex {versions}; DataLad {', '.join(_values(clones, 'datalad_version'))}.",
        "",
        _what_happened(worst, get, skew),
        "",
        "## Reproduce",
        "",
        "With the annex-race workflow (Snakemake), in its checkout after `bash tools/setup.sh`:",
        "",
        "```",
        reproduce_command(worst, configfiles),
        "```",
        "",
        "## What the failed gets said",
        "",
        "```",
        *(messages or ["(no message)"]),
        "```",
        "",
        "## Evidence",
        "",
        *(f"- `{e}`" for e in evidence),
        "",
        "## The same scenario with one setting changed",
        "",
        *([f"- {axis}={value}: {verdict}" for axis, value, verdict in one_change_away(summary, worst)]
          or ["- (no such scenario in this run)"]),
        "",
        "## Findings over the whole run",
        "",
        *findings,
        "",
        *pushes,
        *env,
    ])
