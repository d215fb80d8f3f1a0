"""`snakemake --report` of the default matrix's run (tests/conftest.py): what it holds,
how it renders in a real browser with no network, and the bug report's command."""

import base64
import html
import json
import re
import shlex
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from annex_race.core.layout import CARD, OUTPUTS
from annex_race.driver.cli import ROOT, snakemake_command
from browser import chromium, show_result
from helpers import observed_verdict, scenario_rows, snakemake

IN_REPORT = ["results", "scenarios", "summary_html", "bug_report_html", "timeline", "heatmap", "durations", "summary_table",
             "versions"]


@pytest.fixture(scope="module")
def report(default_run):
    """(workdir, records, summary text, {path: result entry}, categories) of the report."""
    workdir, records, summary, _ = default_run
    out = snakemake(workdir, "--report", "results/report.html")
    assert out.returncode == 0, out.stderr[-3000:]
    page = (workdir / "results" / "report.html").read_text()

    def script(name):
        text = re.search(rf'<script id="{name}">\s*var {name} = (.*?);\s*</script>', page, re.S).group(1)
        return json.loads(text)

    return workdir, records, summary, script("results"), script("categories"), page


def content(entry):
    """The bytes of a result as the report embeds it (a base64 data: URI)."""
    return base64.b64decode(entry["data_uri"].split(",", 1)[1])


def verdict_cells(page):
    """(PASS, FAIL) verdicts of the results table of the summary page: each row's first
    cell (the job's; its steps' cells follow)."""
    table = page.split("<h2>Results summary</h2>", 1)[1].split("<h2>", 1)[0]
    first = [row.split("<td", 2)[1] for row in table.split("<tr>")[1:] if "<td" in row]
    return sum(c.startswith(' class="PASS">') for c in first), sum(c.startswith(' class="FAIL">') for c in first)


def test_the_report_holds_every_output_as_written(report):
    workdir, _, _, results, categories, _ = report
    for name in IN_REPORT:
        assert content(results[OUTPUTS[name]]) == (workdir / OUTPUTS[name]).read_bytes(), name
    assert set(categories["Summary"]["Other"]) == {OUTPUTS[n] for n in ("results", "scenarios", "summary_html",
                                                                         "bug_report_html")}
    figures = {OUTPUTS[n] for n in ("timeline", "heatmap", "durations", "summary_table", "versions",
                                    "conformance_figure")}
    assert set(categories["Figures"]["Other"]) == figures
    for path in figures:
        assert content(results[path])[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_reports_summary_has_every_row_and_finding(report):
    workdir, records, summary, results, _, _ = report
    page = content(results[OUTPUTS["summary_html"]]).decode()
    rows = scenario_rows(workdir)
    passed, failed = verdict_cells(page)
    assert len(rows) == len(records) == passed + failed
    assert (passed, failed) == ((rows["verdict"] == "PASS").sum(), (rows["verdict"] == "FAIL").sum())
    assert failed == sum(observed_verdict(rs) == "FAIL" for rs in records.values())
    plain = html.unescape(re.sub(r"<[^>]+>", "", page))
    findings = summary.split("## Findings", 1)[1].split("\n## ", 1)[0]
    for line in (x for x in findings.splitlines() if x.startswith("- ")):
        assert line[2:].replace("*", "").replace("`", "") in plain, line
    for section in ("Findings", "Results summary", "Evidence", "Sources", "Environment"):
        assert f"<h2>{section}</h2>" in page


def test_each_scenario_has_a_card_filed_by_location_and_storage_sibling(report):
    _, records, _, results, categories, _ = report
    cards = {path: entry for path, entry in results.items() if path.startswith(OUTPUTS["cards"] + "/")}
    assert len(cards) == len(records)
    for scenario, rs in records.items():
        r, verdict = rs[0], observed_verdict(rs)
        path = f"{OUTPUTS['cards']}/" + CARD.format(location=r.location, storage_sibling=r.storage_sibling,
                                                        scenario=scenario, verdict=verdict)
        assert path in categories[f"Scenarios in {r.location}"][f"storage sibling {r.storage_sibling}"]
        assert cards[path]["labels"] == {"git-annex": r.git_annex, "method": r.method,
                                         "workaround": r.workaround, "verdict": verdict}
        assert f"<b>{verdict}</b>" in content(cards[path]).decode()


def test_the_report_needs_no_network(report):
    page = report[-1]
    assert not re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)


@pytest.mark.skipif(not chromium(), reason="no Chromium (tools/test.sh installs Debian's as root)")
def test_the_summary_renders_in_headless_chromium(report, tmp_path):
    """As a reader opens it: the report page, its summary shown; Chromium has no network."""
    workdir, records, _, _, _, _ = report
    shot = tmp_path / "report.png"
    singletons = lambda: set(Path(tempfile.gettempdir()).glob("org.chromium.Chromium.*"))
    before = singletons()
    frames = show_result(workdir / "results" / "report.html", OUTPUTS["summary_html"], shot)
    assert not singletons() - before, "Chromium left its singleton directory behind"
    (rendered,) = [f for f in frames if "Results summary" in f]
    assert sum(verdict_cells(rendered)) == len(records)
    image = Image.open(shot).convert("RGB")
    assert image.size == (1500, 1000)
    colours = image.getcolors(maxcolors=1 << 20)
    # the verdict cells, in their colours (reporting._PAGE), are on screen
    for rgb in ((0xF2, 0xC1, 0xBB), (0xC9, 0xE4, 0xBD)):
        assert sum(n for n, c in colours if c == rgb) > 500, rgb


def test_the_bug_reports_command_reruns_just_the_failing_scenario(report):
    workdir, records, _, _, _, _ = report
    text = (workdir / OUTPUTS["bug_report"]).read_text()
    command = text.split("## Reproduce", 1)[1].split("```")[1].strip()
    args = shlex.split(command)
    assert args[0] == "snakemake"
    out = subprocess.run(snakemake_command(workdir, *args[1:], "-n"), cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert re.search(r"annex-race: 1 scenarios in \d+ lanes", out.stdout + out.stderr), out.stderr[-2000:]
    settings = dict(a.split("=", 1) for a in args[args.index("--config") + 1:])
    (failing,) = [rs for rs in records.values() if all(str(getattr(rs[0], k)) == v for k, v in settings.items())]
    assert observed_verdict(failing) == "FAIL"
    assert "transfer already in progress, or unable to take transfer lock" in text
