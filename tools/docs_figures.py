"""Regenerate README's images (docs/images/) from real runs of the current code:

    bash tools/setup.sh --dev && .venv/bin/python tools/readme_images.py

Each run has its own working directory under results/readme/ (about 10 minutes in all
on 2 cores): the default matrix (timeline, summary table, the report as Chromium shows
it), a git-annex version range (the version map), a retry-budget sweep and, as root
with openssh-server, the ssh transport (verdict heatmaps), and `snakemake check`
(its paragraph is printed, for README to quote).
"""

import shutil
import sys
from pathlib import Path

from annex_race.runs import ROOT, run_snakemake

sys.path.insert(0, str(ROOT / "tests"))
from browser import chromium, show_result  # noqa: E402
from sshd import sshd, why_no_sshd  # noqa: E402

IMAGES = ROOT / "docs" / "images"
RUNS = ROOT / "results" / "readme"
AFFECTED, FIXED = "10.20260115", "10.20261026"
# the affected configuration, one scenario per value of the axes a section varies
FOCUSED = ["storage_sibling=off", "method=annex-get", "workaround=none"]


def run(name, *args, config=()):
    workdir = RUNS / name
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"readme-images: {name}: snakemake {' '.join([*args, *config])}", flush=True)
    out = run_snakemake(workdir, "--cores", "2", *args, config=config, timeout=None)
    if out.returncode:
        sys.exit(f"readme-images: the {name} run failed:\n{out.stderr[-3000:]}")
    return workdir / "results"


def copy(results, name, image):
    shutil.copyfile(results / name, IMAGES / image)
    print(f"readme-images: docs/images/{image}", flush=True)


def main():
    IMAGES.mkdir(parents=True, exist_ok=True)
    results = run("default")
    copy(results, "timeline.png", "timeline.png")
    copy(results, "summary-table.png", "summary-table.png")
    run("default", "--report", "results/report.html")
    if chromium():
        show_result(results / "report.html", "results/summary.html", IMAGES / "report.png")
        print("readme-images: docs/images/report.png", flush=True)
    else:
        print("readme-images: no Chromium: docs/images/report.png not renewed", flush=True)

    results = run("versions", config=[*FOCUSED, "git_annex=10.20251114..10.20260316"])
    copy(results, "versions.png", "versions.png")

    results = run("retry", config=[*FOCUSED, f"git_annex={AFFECTED}", "annex_retry=[1, 3, 5]",
                                   "annex_retry_delay=[1, 2]", "heatmap={x: annex_retry_delay, y: annex_retry}"])
    copy(results, "heatmap.png", "retry.png")

    if why_no_sshd() is None:
        with sshd(RUNS / "sshd") as (host, command):
            results = run("transport", config=[
                "storage_sibling=off", "method=annex-get", "workaround=none", "transport=[local, ssh]",
                f"git_annex=[{AFFECTED}, {FIXED}]", f"ssh={{'host': '{host}', 'command': '{command}'}}",
                "heatmap={x: git_annex, y: transport}"])
        copy(results, "heatmap.png", "transport.png")
    else:
        print(f"readme-images: docs/images/transport.png not renewed: {why_no_sshd()}", flush=True)

    results = run("check", "check")
    print((results / "check.md").read_text())


if __name__ == "__main__":
    main()
