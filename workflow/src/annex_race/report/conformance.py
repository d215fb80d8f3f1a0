"""The output side's conformance: each push operation × git-annex version × location
-> the verdict and cause observed, beside what upstream leads one to expect (the
table of methods holds it, only where a source says so firmly; nothing is forced)."""

import pandas as pd

from ..core.methods import METHODS, PUSH, of_family

COLUMNS = ["operation", "git_annex", "location", "verdict", "cause", "upstream", "agrees"]


def _agrees(verdict, cause, expected):
    """yes | no | partly (the verdict agrees, the cause only in part) | "" (no
    expectation, or nothing honest observed)."""
    if expected is None or verdict == "INCONCLUSIVE":
        return ""
    want_verdict, want_cause, _ = expected
    if verdict != want_verdict:
        return "no"
    causes = [c.strip() for c in cause.split(",") if c.strip()]
    if not want_cause or causes == [want_cause]:
        return "yes"
    return "partly" if want_cause in causes else "no"


def conformance_table(summary):
    """One row per push scenario's operation, git-annex and location (other axes
    joined), in the order of the table of methods; empty without push scenarios."""
    operations = of_family(PUSH)
    pushes = summary[summary["method"].isin(operations)]
    rows = []
    for s in pushes.itertuples():
        expected = METHODS[s.method].upstream
        rows.append({
            "operation": s.method, "git_annex": s.git_annex, "location": s.location, "verdict": s.verdict,
            "cause": s.cause, "upstream": f"{expected[0]}{f' ({expected[1]})' if expected[1] else ''}: {expected[2]}"
            if expected else "no firm expectation", "agrees": _agrees(s.verdict, s.cause, expected),
            "evidence": s.evidence, "output": s.output,
        })
    table = pd.DataFrame(rows, columns=COLUMNS + ["evidence", "output"])
    order = {op: i for i, op in enumerate(operations)}
    return table.sort_values(["operation", "git_annex", "location"], key=lambda c: c.map(order)
                             if c.name == "operation" else c).reset_index(drop=True)


def disagreements(table):
    """A line for each cell that does not agree with upstream, saying how."""
    return [f"- `{r.operation}` with git-annex {r.git_annex} ({r.location}): observed {r.verdict}"
            f"{f' ({r.cause})' if r.cause else ''}; upstream: {r.upstream}. Evidence: {r.evidence or 'none'}"
            for r in table.itertuples() if r.agrees in ("no", "partly")]


def conformance_section(summary, markdown_table):
    """The summary's section on the output side; [] without push scenarios."""
    table = conformance_table(summary)
    if table.empty:
        return []
    differ = disagreements(table)
    return [
        "## The output side: push operations beside upstream",
        "",
        "Each job saved its result on a branch of its own and all pushed at once into one output repository "
        "(docs/questions.md, \"Is our delivery step safe?\"); the repository was verified after.",
        "",
        markdown_table(table[COLUMNS]),
        "",
        *(["Where the observation disagrees with upstream:", "", *differ] if differ
          else ["Every observation with an upstream expectation agrees with it."]),
        "",
    ]


def plot_conformance(summary, path):
    """Operation × git-annex version, per location: each cell the verdict's colour,
    annotated with its cause and whether it agrees with upstream."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from .figures import DPI, VERDICT_COLOURS, _placeholder

    table = conformance_table(summary)
    if table.empty:
        return _placeholder(path, "no push operation in this run")
    sns.set_theme(style="white", context="notebook")
    locations = list(dict.fromkeys(table["location"]))
    verdicts = list(VERDICT_COLOURS)
    fig, axes = plt.subplots(1, len(locations), squeeze=False,
                             figsize=(2.5 + 2.4 * table["git_annex"].nunique() * len(locations),
                                      1.4 + 0.55 * table["operation"].nunique()))
    for ax, location in zip(axes[0], locations):
        here = table[table["location"] == location]
        cells = here.groupby(["operation", "git_annex"], sort=False)
        code = cells["verdict"].agg(lambda v: max(verdicts.index(x) for x in v)).unstack("git_annex")
        text = cells.apply(lambda g: "\n".join(
            f"{r.verdict}{f' ({r.cause})' if r.cause else ''}{' ≠ upstream' if r.agrees == 'no' else ''}"
            for r in g.itertuples())).unstack("git_annex")
        sns.heatmap(code.astype(float), annot=text.fillna(""), fmt="", vmin=0, vmax=len(verdicts) - 1,
                    cmap=sns.color_palette([VERDICT_COLOURS[v] for v in verdicts], as_cmap=True), cbar=False,
                    linewidths=1, ax=ax, annot_kws={"fontsize": 7})
        ax.set_title(f"push operations in {location}", fontsize=10)
        ax.set_xlabel("git-annex")
        ax.set_ylabel("")
        ax.tick_params(axis="y", rotation=0)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
