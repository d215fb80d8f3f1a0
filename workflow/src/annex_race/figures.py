"""Figures beside the timeline: the git-annex version map."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

STATUS_COLOURS = {"affected": "#c0392b", "fixed": "#4c9a2a", "not decided": "#7f8c8d"}


def _placeholder(path, text):
    fig, ax = plt.subplots(figsize=(8, 1.5))
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_version_map(table, path):
    """Every git-annex version tried on a time line of release dates, coloured by
    what was observed (decisions.version_table); `system` as a star."""
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
        ax.annotate(row.version if row.version != "system" else f"system\n{row.reported.split('-')[0]}",
                    (row.released, levels[row.status]), textcoords="offset points", xytext=(0, 9),
                    rotation=45, fontsize=7, ha="left")
    affected, fixed = dated[dated["status"] == "affected"], dated[dated["status"] == "fixed"]
    if len(affected):
        last = affected["released"].max()
        later = fixed[fixed["released"] > last]
        if len(later):
            edge = last + (later["released"].min() - last) / 2
            ax.axvline(edge, color="black", ls="--", lw=0.8)
            ax.text(edge, 0.5, " fixed from here\n (as observed)", fontsize=8, va="center")
    ax.set_yticks(list(levels.values()), list(levels.keys()))
    ax.set_ylim(-0.4, 1.7)
    ax.set_xlabel("release date")
    ax.set_title("git-annex releases tried: did concurrent gets from one origin fail?")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
