"""The figures: timeline, verdict heatmap, get durations and attempts, the summary
table, the git-annex version map. Each takes the results table (one row per clone,
summary.records_table) and/or the summary (one row per scenario) and stays legible
from 2 to 60 scenarios: one row per scenario, labelled by the axes that vary in the
run, in columns of at most ROWS scenarios."""

import json
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .labels import labels, ordered, wrapped  # noqa: E402

OUTCOME_COLOURS = {"ok": "#4c9a2a", "failed": "#c0392b"}
VERDICT_COLOURS = {"PASS": "#4c9a2a", "FAIL": "#c0392b", "INCONCLUSIVE": "#e0a526"}
STATUS_COLOURS = {"affected": "#c0392b", "fixed": "#4c9a2a", "not decided": "#7f8c8d"}
WRITTEN_COLOUR = "#e67e22"  # a release whose jobs wrote into shared repositories
CLONE_COLOUR = "#b0b7c3"
RUN_COLOUR = "#7f8fa6"
# a whole job's delivery: lighter than its get's colours
DELIVER_COLOURS = {"ok": "#9ccc65", "failed": "#ef9a9a"}
ROWS = 20  # scenarios per column of a figure
DPI = 110


def timeline_layout(n):
    """(columns, rows per column, figure size in inches) of a timeline of n scenarios."""
    columns = max(1, math.ceil(n / ROWS))
    per_column = math.ceil(n / columns) if n else 1
    return columns, per_column, (9.0 * columns, 0.42 * per_column + 2.4)


def _placeholder(path, text):
    fig, ax = plt.subplots(figsize=(8, 1.5))
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def _zero(group):
    """Per scenario: the common release time, else the earliest get start, else (no
    get at all: a barrier that did not release) the earliest clone start."""
    for column, pick in (("barrier_release_at", "max"), ("t_get_start", "min"), ("t_clone_start", "min")):
        times = group[column].dropna()
        if len(times):
            return getattr(times, pick)()
    return 0.0


def plot_timeline(table, path, summary):
    """One row per scenario, its clones stacked thinly inside it: the clone phase, the
    get (coloured by outcome), each attempt's start (grey: from the retry schedule)
    and failure; seconds since the barrier released the gets."""
    sns.set_theme(style="whitegrid", context="notebook")
    names = labels(summary)
    verdicts = dict(zip(summary["scenario"], summary["verdict"]))
    scenarios = ordered(summary)
    ncols, per_col, size = timeline_layout(len(scenarios))
    fig, axes = plt.subplots(1, ncols, figsize=size, squeeze=False, sharex=True,  # one time scale
                             layout="constrained")  # room for the labels, whatever their length
    for col, ax in enumerate(axes[0]):
        chunk = scenarios[col * per_col:(col + 1) * per_col]
        for y, scenario in enumerate(chunk):
            group = table[table["scenario"] == scenario].sort_values("clone")
            zero, n = _zero(group), max(len(group), 1)
            height = 0.8 / n
            for i, row in enumerate(group.itertuples()):
                bottom = y - 0.4 + i * height
                if row.t_clone_end == row.t_clone_end:  # not NaN: the clone phase ended
                    ax.broken_barh([(row.t_clone_start - zero, row.t_clone_end - row.t_clone_start)],
                                   (bottom, height * 0.9), color=CLONE_COLOUR)
                bar = (bottom, height * 0.9)
                if row.t_get_start == row.t_get_start:
                    ax.broken_barh([(row.t_get_start - zero, row.t_get_end - row.t_get_start)], bar,
                                   color=OUTCOME_COLOURS["failed" if _failed_in(row, "get") else "ok"])
                if (run := json.loads(row.run)) and run["t_end"]:  # a whole job: its run, its delivery
                    ax.broken_barh([(run["t_start"] - zero, run["t_end"] - run["t_start"])], bar, color=RUN_COLOUR)
                if row.t_deliver_start == row.t_deliver_start:
                    ax.broken_barh([(row.t_deliver_start - zero, row.t_deliver_end - row.t_deliver_start)], bar,
                                   color=DELIVER_COLOURS["failed" if _failed_in(row, "deliver") else "ok"])
                starts = json.loads(row.attempt_starts)
                failed = [e["t"] for e in json.loads(row.attempts) if e["event"] == "failed"]
                mid = bottom + height * 0.45
                ax.plot([t - zero for t in starts], [mid] * len(starts), "|", ms=max(4, 22 / n), mew=1.5,
                        color="grey" if row.attempt_starts_inferred else "black")
                ax.plot([t - zero for t in failed], [mid] * len(failed), "x", ms=max(3, 12 / n), mew=1,
                        color="black")
        ax.set_yticks(range(len(chunk)), [wrapped(names[s]) for s in chunk], fontsize=7)
        for tick, scenario in zip(ax.get_yticklabels(), chunk):
            tick.set_color(VERDICT_COLOURS.get(verdicts.get(scenario), "black"))
        ax.set_ylim(len(chunk) - 0.5, -0.6)
        ax.axvline(0, color="black", lw=0.8, ls="--")
        ax.set_xlabel("seconds since the barrier released the gets")
    fig.legend(handles=[
        Patch(color=CLONE_COLOUR, label="clone + install containers"),
        Patch(color=OUTCOME_COLOURS["ok"], label="get: ok"),
        Patch(color=OUTCOME_COLOURS["failed"], label="get: failed"),
        Patch(color=RUN_COLOUR, label="run"),
        Patch(color=DELIVER_COLOURS["ok"], label="deliver: ok"),
        Patch(color=DELIVER_COLOURS["failed"], label="deliver: failed"),
        Line2D([], [], color="black", marker="|", ls="", ms=10, mew=1.5, label="attempt starts"),
        Line2D([], [], color="grey", marker="|", ls="", ms=10, mew=1.5, label="… from the retry schedule"),
        Line2D([], [], color="black", marker="x", ls="", ms=6, mew=1, label="attempt failed"),
    ], loc="outside lower center", ncols=5, fontsize=7, frameon=False)
    fig.suptitle("Concurrent jobs, one row per scenario: clone, get, run, deliver (label colour: verdict)",
                 fontsize=11)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def _failed_in(row, step):
    """Whether a clone's job failed in `step` (a failure without a step, of a record
    of an earlier run, was its get's)."""
    if row.outcome == "ok":
        return False
    failed_step = row.failed_step if isinstance(row.failed_step, str) else None
    return failed_step == step or (step == "get" and failed_step in (None, "clone"))


def _value(v):
    """An axis value as the configuration has it: 2, not 2.0; `none` for empty."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v) if v != "" else "none"


def plot_heatmap(summary, x, y, path):
    """Verdicts over two chosen axes: each cell the share of its scenarios that FAIL,
    annotated with the verdict counts."""
    if x not in summary or y not in summary:
        return _placeholder(path, f"no axes {x!r} and {y!r} to map")
    sns.set_theme(style="white", context="notebook")
    cells = summary.assign(fail=summary["verdict"] == "FAIL").groupby([y, x])
    share = cells["fail"].mean().unstack(x)
    text = cells["verdict"].agg(
        lambda v: "\n".join(f"{n} {k}" for k, n in v.value_counts().items())).unstack(x)
    for frame in (share, text):  # 2 s, not 2.0 s
        frame.index = [_value(v) for v in frame.index]
        frame.columns = [_value(v) for v in frame.columns]
    fig, ax = plt.subplots(figsize=(2.0 + 1.8 * share.shape[1], 1.6 + 0.9 * share.shape[0]))
    sns.heatmap(share.astype(float), annot=text.fillna(""), fmt="", cmap="RdYlGn_r", vmin=0, vmax=1,
                cbar_kws={"label": "share of scenarios that FAIL"}, linewidths=1, ax=ax,
                annot_kws={"fontsize": 8})
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.tick_params(axis="y", rotation=0)
    ax.set_title(f"Verdicts by {y} and {x}", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def plot_durations(table, summary, path):
    """Per scenario: how long each clone's get took and how many attempts it made;
    in columns of at most ROWS scenarios, as the timeline."""
    sns.set_theme(style="whitegrid", context="notebook")
    names = labels(summary)
    order = ordered(summary)
    data = table.assign(
        label=table["scenario"].map(lambda s: wrapped(names[s]) if s in names else None),
        get_seconds=table["t_get_end"] - table["t_get_start"],
        attempts_made=table["attempt_starts"].map(lambda s: len(json.loads(s))),
    ).dropna(subset=["label"])
    ncols, per_col, _ = timeline_layout(len(order))
    fig = plt.figure(figsize=(10.0 * ncols, 0.3 * per_col + 1.6), layout="constrained")
    panels = fig.subfigures(1, ncols, squeeze=False)[0]
    top_attempts = max(int(data["attempts_made"].max()), 1) if len(data) else 1
    top_seconds = max(float(data["get_seconds"].max()), 1.0) if data["get_seconds"].notna().any() else 1.0
    for col, panel in enumerate(panels):
        chunk = [wrapped(names[s]) for s in order[col * per_col:(col + 1) * per_col]]
        rows = data[data["label"].isin(chunk)]
        left, right = panel.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 1]})
        for ax, column, title in ((left, "get_seconds", "get duration (s)"), (right, "attempts_made", "attempts")):
            sns.stripplot(data=rows, x=column, y="label", order=chunk, hue="outcome", palette=OUTCOME_COLOURS,
                          hue_order=["ok", "failed"], ax=ax, size=5, jitter=0.15, legend=False)
            ax.set_xlabel(title)
            ax.set_ylabel("")
        left.set_xlim(0, top_seconds * 1.05)  # one scale in every column
        left.tick_params(axis="y", labelsize=7)
        right.set_xlim(0, top_attempts + 0.5)
        right.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.legend(handles=[Line2D([], [], color=c, marker="o", ls="", label=f"get: {o}")
                        for o, c in OUTCOME_COLOURS.items()], loc="outside lower center", ncols=2, fontsize=8)
    fig.suptitle("Get duration and attempts of every clone", fontsize=11)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def plot_summary_table(summary, path):
    """The results summary as a picture: label, verdict, cause, median get, skew."""
    names = labels(summary)
    rows = summary.set_index("scenario").loc[ordered(summary)].reset_index()
    rows = rows.assign(label=rows["scenario"].map(names))
    cells = [[r.label, r.verdict + (f" ({r.detail})" if r.detail else ""), r.cause or "",
              f"{r.median_get_s:.1f}" if r.median_get_s == r.median_get_s else "",
              f"{r.skew_ms:.1f}" if r.skew_ms == r.skew_ms and r.skew_ms is not None else "",
              r.arrival or ""] for r in rows.itertuples()]
    header = ["scenario", "verdict", "cause", "median get s", "skew ms", "content arrived by"]
    chars = [max(len(str(v)) for v in column) + 2 for column in zip(header, *cells)]
    # a column as wide as its longest text (about 0.08 inch a character at 8 pt); a
    # row's height is set by the font: the figure is cut to the table
    fig, ax = plt.subplots(figsize=(0.08 * sum(chars), 0.2 * (len(cells) + 1)))
    ax.axis("off")
    grid = ax.table(cellText=cells, colLabels=header, loc="upper center", cellLoc="left", colLoc="left",
                    colWidths=[c / sum(chars) for c in chars])
    grid.auto_set_font_size(False)
    grid.set_fontsize(8)
    for (r, c), cell in grid.get_celld().items():
        cell.PAD = 0.5 / chars[c]  # half a character of padding, whatever the column's width
        cell.set_edgecolor("#dddddd")
        if r == 0:
            cell.set_text_props(weight="bold")
        elif c == 1:
            cell.set_facecolor(VERDICT_COLOURS.get(cells[r - 1][1].split()[0], "white") + "55")
    fig.savefig(path, dpi=DPI, bbox_inches="tight", pad_inches=0.1)
    plt.close(fig)


def plot_version_map(table, path, statements=()):
    """Every git-annex version tried on a time line of release dates, coloured by
    what was observed (decisions.version_table); `system` as a star; a release whose
    jobs wrote into shared repositories ringed, the first observed clean marked.
    `statements` (decisions.version_statements) go into the PNG's Description."""
    if table.empty:
        return _placeholder(path, "One git-annex version in this run: no version map")
    sns.set_theme(style="whitegrid", context="notebook")
    dated = table[table["released"].notna()]
    fig, ax = plt.subplots(figsize=(11, 3.2))
    levels = {"affected": 1.0, "not decided": 0.5, "fixed": 0.0}
    for row in dated.itertuples():
        ax.scatter(row.released, levels[row.status], s=180 if row.version == "system" else 70,
                   marker="*" if row.version == "system" else "o",
                   color=STATUS_COLOURS[row.status], zorder=3)
        if getattr(row, "sources", "") == "written":
            ax.scatter(row.released, levels[row.status], s=260, facecolors="none", edgecolors=WRITTEN_COLOUR,
                       linewidths=2, zorder=4, label="its jobs wrote into shared repositories")
        ax.annotate(row.version if row.version != "system" else f"system\n{row.reported.split('-')[0]}",
                    (row.released, levels[row.status]), textcoords="offset points", xytext=(0, 9),
                    rotation=45, fontsize=7, ha="left")
    affected, fixed = dated[dated["status"] == "affected"], dated[dated["status"] == "fixed"]
    if len(affected):
        last = affected["released"].max()
        later = fixed[fixed["released"] > last]
        if len(later):  # the fix landed between the last affected and the next fixed release
            first = later["released"].min()
            ax.axvspan(last, first, color="#4c9a2a", alpha=0.12, lw=0)
            ax.text(last + (first - last) / 2, 0.5, "fixed in between\n(as observed)", fontsize=8,
                    ha="center", va="center")
    from .decisions import first_clean

    clean = first_clean(dated)
    if clean is not None:
        ax.axvline(clean["released"], color="#4c9a2a", ls="--", lw=1)
        ax.text(clean["released"], -0.3, f" first observed clean: {clean['version']}", fontsize=8,
                color="#2f6b1a", va="center")
    if "sources" in dated and (dated["sources"] == "written").any():
        handles, names = ax.get_legend_handles_labels()
        ax.legend(handles[:1], names[:1], loc="upper right", fontsize=8, frameon=False)
    ax.set_yticks(list(levels.values()), list(levels.keys()))
    ax.set_ylim(-0.4, 1.9)
    ax.set_xlabel("release date")
    ax.set_title("git-annex releases tried: did concurrent gets from one origin fail?")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=DPI, metadata={"Description": "\n".join(statements)})
    plt.close(fig)



def plot_scale(table, path):
    """Many tasks (decisions.scale_table): per question, the share of jobs that failed
    and the wall time against N, both on a log-2 N axis."""
    if table.empty:
        return _placeholder(path, "One n_clones per scenario in this run: nothing against N")
    sns.set_theme(style="whitegrid", context="notebook")
    fig, (failed, wall) = plt.subplots(1, 2, figsize=(12, 4.2))
    named = [c for c in table.columns if c not in ("copy", "n_clones") and c in (
        "git_annex", "start", "storage_sibling", "workaround", "deliver")]
    for _, rows in table.groupby("copy", sort=False):
        label = " ".join(str(rows.iloc[0][c]) for c in named)
        failed.plot(rows["n_clones"], rows["failed"] / rows["n_clones"], marker="o", label=label)
        wall.plot(rows["n_clones"], rows["wall_s"], marker="o", label=label)
    for ax, what in ((failed, "share of jobs failed"), (wall, "wall s (first start to last record)")):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("N (jobs of one scenario)")
        ax.set_ylabel(what)
    failed.set_ylim(-0.05, 1.05)
    wall.legend(fontsize=7, loc="upper left", title=" ".join(named), title_fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
