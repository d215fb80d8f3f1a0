"""The figures for a small and a large run (legible, non-trivial images of the
expected size, drawn from records as the workflow writes them), and the scenario cards."""

from pathlib import Path

import pytest
from PIL import Image

from annex_race.report.figures import DPI, OUTCOME_COLOURS, timeline_layout
from annex_race.report.labels import labels, wrapped
from annex_race.core.record import validate
from annex_race.core.layout import OUTPUTS
from annex_race.report.summary import write_results
from annex_race.report.table import records_table, scenario_summary
from helpers import make_record

AFFECTED, FIXED = "10.20260115", "10.20261026"
FIGURES = ["timeline", "heatmap", "durations", "summary_table", "versions"]


def rgb(hex_colour):
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def run_of(n):
    """Records of n scenarios (2 clones each) over storage sibling, method, git-annex
    and image size; without a storage sibling the affected version fails."""
    records = []
    for i in range(n):
        ss, method = ("off", "on")[i % 2], ("annex-get", "datalad-get", "containers-run")[i // 2 % 3]
        version, size = (AFFECTED, FIXED)[i // 6 % 2], f"{2 ** (i // 12)}M"
        fails = ss == "off" and version == AFFECTED
        for clone in (0, 1):
            r = make_record(scenario=f"s{i:02d}", clone=clone, outcome="failed" if fails and clone else "ok",
                            get_s=3.0 if fails and clone else 8.0,
                            failures=["transfer already in progress, or unable to take transfer lock"])
            r |= {"storage_sibling": ss, "method": method, "git_annex": version, "image_size": size,
                  "git_annex_version": f"{version}-gabc"}
            records.append(validate(r))
    return records


@pytest.mark.parametrize("n", [2, 48])
def test_figures_of_a_small_and_a_large_run(tmp_path, n):
    records = run_of(n)
    outputs = {k: str(tmp_path / v.split("/", 1)[1]) for k, v in OUTPUTS.items()}
    write_results(records, 1.0, outputs, {"x": "git_annex", "y": "storage_sibling"})
    for name in FIGURES:
        image = Image.open(outputs[name])
        assert image.format == "PNG", name
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert len(colours) > 50, name  # drawn, not blank
    columns, per_column, (width, height) = timeline_layout(n)
    timeline = Image.open(outputs["timeline"])
    assert timeline.size == (round(width * DPI), round(height * DPI))
    assert columns == (1 if n <= 20 else 3) and per_column <= 20
    assert timeline.size[1] / per_column >= 40  # pixels per scenario row: legible
    drawn = {c: k for k, c in timeline.convert("RGB").getcolors(1 << 20)}
    for outcome in ("ok", "failed"):  # the gets are drawn, in their outcome's colour
        assert drawn.get(rgb(OUTCOME_COLOURS[outcome]), 0) > 100 * n, outcome
    durations = Image.open(outputs["durations"])
    assert durations.size[1] >= 0.3 * per_column * DPI and durations.size[0] >= 9 * columns * DPI
    for image in (timeline, durations):  # the labels are inside the image, not cut at its edge
        edge = image.convert("RGB").crop((0, 0, 2, image.size[1]))
        assert len(edge.getcolors()) == 1, image.filename


def test_labels_name_only_the_axes_that_vary():
    records = run_of(48)
    summary = scenario_summary(records_table(records), 1.0)
    names = labels(summary)
    assert names["s00"] == "sibling off · annex-get · 1M · git-annex 10.20260115"
    assert len(set(names.values())) == 48
    assert all("at local" not in name for name in names.values())


def test_long_labels_break_at_their_separators():
    label = "sibling off · containers-run · retry 12 · git-annex 10.20260115 · workaround retry-backoff"
    assert wrapped(label) == ("sibling off · containers-run · retry 12\n"
                              "git-annex 10.20260115 · workaround retry-backoff")
    assert wrapped("sibling off · annex-get") == "sibling off · annex-get"
    assert wrapped("x" * 60) == "x" * 60  # one part is never split


def test_each_card_reruns_its_scenario_with_the_runs_configuration_files(tmp_path):
    outputs = {k: str(tmp_path / v.split("/", 1)[1]) for k, v in OUTPUTS.items()}
    write_results(run_of(2), 1.0, outputs, {"x": "git_annex", "y": "storage_sibling"},
                  configfiles=["config/seed-table.yaml"])
    cards = sorted(Path(outputs["cards"]).glob("*/*/*.html"))
    assert len(cards) == 2
    for card in cards:
        assert "--configfile config/seed-table.yaml --config location=local" in card.read_text()
    bug_report = Path(outputs["bug_report"]).read_text()
    assert "--configfile config/seed-table.yaml --config location=local" in bug_report


def test_a_scenario_whose_clones_made_no_get_is_summarized_and_drawn(tmp_path):
    """A barrier that timed out: no clone gets alone, so there is no get to draw."""
    alone = [make_record(clone=c, barrier="timeout", outcome="failed") | {
        "t_get_start": None, "t_get_end": None, "barrier_release_at": None, "attempts": [],
        "attempt_starts": [], "cause": "no-sibling", "evidence": ["barrier timeout: no sibling arrived"],
        "exit_code": None, "arrival": None, "arrival_evidence": None} for c in (0, 1)]
    outputs = {k: str(tmp_path / v.split("/", 1)[1]) for k, v in OUTPUTS.items()}
    summary = write_results([validate(r) for r in alone], 1.0, outputs, {"x": "git_annex", "y": "storage_sibling"})
    assert list(summary["verdict"]) == ["INCONCLUSIVE"]
    assert Path(outputs["timeline"]).read_bytes()[:4] == b"\x89PNG"


def test_the_scale_figure_draws_failures_and_wall_against_n(tmp_path):
    from annex_race.report.decisions import scale_table
    from annex_race.report.figures import plot_scale

    records = [make_record(scenario=f"n{n}", clone=i, n=n, start=1000 + 0.01 * i, get_s=1.0 + i,
                           outcome="ok" if i == 0 else "failed",
                           failures=() if i == 0 else ["transfer already in progress, or unable to take transfer lock"])
               for n in (2, 4, 8) for i in range(n)]
    table = scale_table(scenario_summary(records_table([validate(r) for r in records]), 1.0))
    assert list(table["n_clones"]) == [2, 4, 8] and list(table["failed"]) == [1, 3, 7]
    plot_scale(table, tmp_path / "scale.png")
    with Image.open(tmp_path / "scale.png") as image:
        assert image.size[0] > image.size[1] > 200


def test_every_axis_has_a_label():
    # a run that varies an axis without one could not name its scenarios in any figure
    from annex_race.core.axes import AXES
    from annex_race.report.labels import LABEL_FORMATS

    assert set(AXES) == set(LABEL_FORMATS)
