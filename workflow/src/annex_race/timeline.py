"""Timeline figure: one lane per clone, grouped by scenario, time since release."""

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

OUTCOME_COLOURS = {"ok": "#4c9a2a", "failed": "#c0392b"}
CLONE_COLOUR = "#b0b7c3"


def _zero(group):
    """Per scenario: the common release time, else the earliest get start."""
    release = group["barrier_release_at"].dropna()
    return release.max() if len(release) else group["t_get_start"].min()


def plot_timeline(table, path, summary=None):
    """Draw `table` (one row per clone, see aggregate.records_table) into `path`."""
    sns.set_theme(style="whitegrid", context="notebook")
    table = table.sort_values(["scenario", "clone"])
    lanes = len(table) + table["scenario"].nunique()  # a spacer lane between scenarios
    fig, ax = plt.subplots(figsize=(12, max(3, 0.32 * lanes + 1.5)))
    verdicts = {} if summary is None else dict(zip(summary["scenario"], summary["verdict"]))

    y, ticks, labels = 0, [], []
    for scenario, group in table.groupby("scenario", sort=True):
        zero = _zero(group)
        ax.text(0.005, y - 0.55, f"{scenario}  {verdicts.get(scenario, '')}",
                transform=ax.get_yaxis_transform(), fontsize=8, weight="bold", va="bottom")
        for row in group.itertuples():
            if row.t_clone_end == row.t_clone_end:  # not NaN: the clone phase ended
                ax.broken_barh([(row.t_clone_start - zero, row.t_clone_end - row.t_clone_start)],
                               (y - 0.3, 0.6), color=CLONE_COLOUR)
            if row.t_get_start == row.t_get_start:  # not NaN: a get happened
                ax.broken_barh([(row.t_get_start - zero, row.t_get_end - row.t_get_start)],
                               (y - 0.3, 0.6), color=OUTCOME_COLOURS.get(row.outcome, "grey"))
            events = json.loads(row.attempts)
            starts = json.loads(row.attempt_starts)
            failed = [e["t"] for e in events if e["event"] == "failed"]
            ax.plot([t - zero for t in starts], [y] * len(starts), "|", ms=12, mew=2,
                    color="grey" if row.attempt_starts_inferred else "black")
            ax.plot([t - zero for t in failed], [y] * len(failed), "kx", ms=6, mew=1.5)
            ticks.append(y)
            labels.append(f"clone {row.clone}")
            y += 1
        y += 1

    ax.set_yticks(ticks, labels, fontsize=7)
    ax.set_ylim(y - 0.5, -1)
    ax.axvline(0, color="black", lw=0.8, ls="--")
    ax.set_xlabel("seconds since barrier release")
    ax.legend(
        handles=[
            Patch(color=CLONE_COLOUR, label="clone + install containers"),
            Patch(color=OUTCOME_COLOURS["ok"], label="get: ok"),
            Patch(color=OUTCOME_COLOURS["failed"], label="get: failed"),
            Line2D([], [], color="black", marker="|", ls="", ms=12, mew=2, label="attempt starts"),
            Line2D([], [], color="grey", marker="|", ls="", ms=12, mew=2,
                   label="attempt starts (from the retry schedule)"),
            Line2D([], [], color="black", marker="x", ls="", ms=6, mew=1.5, label="attempt failed"),
        ],
        loc="lower right",
        fontsize=8,
    )
    ax.set_title("annex-race: concurrent gets per scenario")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
