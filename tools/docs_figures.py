"""Regenerate the docs' images (docs/images/) and every figure the docs quote, from
real runs of the current code:

    bash tools/setup.sh --dev && .venv/bin/python tools/docs_figures.py
    .venv/bin/python tools/docs_figures.py versions check   # only these parts (PARTS)

Each run has its own working directory under results/docs/ (about 10 minutes in all
on 2 cores): the default matrix (timeline, summary table, the report as Chromium shows
it, the findings), a git-annex version range (the version map), a retry-budget sweep,
as root with openssh-server the ssh transport, `snakemake check` (its paragraph), and
as root the filesystem lab's seed table and, on the test SLURM, the seed table on the
cluster in a box and the real BABS. What a run quotes goes between the markers
`<!-- figures:NAME -->` and `<!-- /figures:NAME -->` in docs/*.md (BLOCKS); a block
whose run cannot be made here is left as it was, and the tool says so.
"""

import contextlib
import os
import re
import shutil
import subprocess
import sys

from annex_race.driver.cli import ROOT, run_snakemake

sys.path.insert(0, str(ROOT / "tests"))
from browser import chromium, show_result  # noqa: E402
from sshd import sshd, why_no_sshd  # noqa: E402

DOCS = ROOT / "docs"
IMAGES = DOCS / "images"
RUNS = ROOT / "results" / "docs"
AFFECTED, FIXED = "10.20260115", "10.20261026"
# the affected configuration, one scenario per value of the axes a section varies
FOCUSED = ["storage_sibling=off", "method=annex-get", "workaround=none"]
GET_ONLY = [*FOCUSED, "deliver=none"]  # the sections about the get alone
# the quoted blocks: name -> the summary section (or file) they come from
BLOCKS = {
    "default-findings": "Findings",
    "whole-job": "Findings",
    "site-check": "check.md",
    "versions": "git-annex versions",
    "writes": "Sources",
    "retry": "Retry budget",
    "transport": "Transport",
    "seed-table": "The seed's table, observed",
    "seed-box": "The seed's table, observed",
    "box-answers": "Findings",
    "babs": "BABS beside the imitation",
    "babs-storage": "BABS beside the imitation",
    "scale": "Many tasks",
}


def run(name, *args, config=(), configfiles=()):
    workdir = RUNS / name
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"docs-figures: {name}: snakemake {' '.join([*args, *config])}", flush=True)
    out = run_snakemake(workdir, "--cores", "2", *args, config=config, configfiles=configfiles, timeout=None)
    if out.returncode:
        sys.exit(f"docs-figures: the {name} run failed:\n{out.stderr[-3000:]}")
    return workdir / "results"


def copy(results, name, image):
    shutil.copyfile(results / name, IMAGES / image)
    print(f"docs-figures: docs/images/{image}", flush=True)


def section(summary_md, title, whole=False):
    """A summary section's statements (its "- " lines), or all of it (`whole`)."""
    text = summary_md.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0].strip()
    return text if whole else "\n".join(line for line in text.splitlines() if line.startswith("- "))


def quote(name, text):
    """Put `text` between the block's markers in whichever docs page has them."""
    pattern = re.compile(rf"(<!-- figures:{name} -->\n).*?(<!-- /figures:{name} -->)", re.S)
    for page in DOCS.glob("*.md"):
        before = page.read_text()
        if pattern.search(before):
            page.write_text(pattern.sub(lambda m: f"{m.group(1)}{text}\n{m.group(2)}", before))
            print(f"docs-figures: {page.relative_to(ROOT)}: {name}", flush=True)
            return
    sys.exit(f"docs-figures: no page of docs/ has the block {name}")


def summary(results):
    return (results / "summary.md").read_text()


def default():
    results = run("default")
    copy(results, "timeline.png", "timeline.png")
    copy(results, "summary-table.png", "summary-table.png")
    findings = section(summary(results), BLOCKS["default-findings"])
    quote("default-findings", findings)
    quote("whole-job", "\n".join(line for line in findings.splitlines() if (
        line.startswith("- git_annex=") and ": get " in line) or line.startswith("- Safe for the whole job")
        or "fixes the get and breaks the delivery" in line))
    run("default", "--report", "results/report.html")
    if chromium():
        show_result(results / "report.html", "results/summary.html", IMAGES / "report.png")
        print("docs-figures: docs/images/report.png", flush=True)
    else:
        print("docs-figures: no Chromium: docs/images/report.png not renewed", flush=True)


def versions():
    # across the fix of the race and the release whose clones write into the input store
    results = run("versions", config=[*FOCUSED, "git_annex=10.20260115..10.20260421"])
    copy(results, "versions.png", "versions.png")
    quote("versions", section(summary(results), BLOCKS["versions"]))
    # what the jobs wrote, before the fsck checks of the same section
    quote("writes", section(summary(results), BLOCKS["writes"], whole=True).split("\nUnharmed", 1)[0].strip())


def retry():
    results = run("retry", config=[*GET_ONLY, f"git_annex={AFFECTED}", "annex_retry=[1, 3, 5]",
                                   "annex_retry_delay=[1, 2]", "heatmap={x: annex_retry_delay, y: annex_retry}"])
    copy(results, "heatmap.png", "retry.png")
    quote("retry", section(summary(results), BLOCKS["retry"]))


def transport():
    if why_no_sshd() is not None:
        print(f"docs-figures: transport not renewed: {why_no_sshd()}", flush=True)
        return
    with sshd(RUNS / "sshd") as (host, command):
        results = run("transport", config=[
            *GET_ONLY, "transport=[local, ssh]",
            f"git_annex=[{AFFECTED}, {FIXED}]", f"ssh={{'host': '{host}', 'command': '{command}'}}",
            "heatmap={x: git_annex, y: transport}"])
    copy(results, "heatmap.png", "transport.png")
    quote("transport", section(summary(results), BLOCKS["transport"]))


def check():
    results = run("check", "check")
    paragraph = (results / "check.md").read_text().split("\n## ", 1)[0].split("\n", 1)[1].strip()
    quote("site-check", "\n".join(f"> {line}" if line else ">" for line in paragraph.splitlines()))


def seed_table():
    if os.geteuid() != 0:
        print("docs-figures: seed-table not renewed: the filesystem lab needs root", flush=True)
        return
    lab = [sys.executable, "-m", "annex_lab"]
    subprocess.run([*lab, "up"], cwd=ROOT, check=True)
    try:
        results = run("seed-table", configfiles=[ROOT / "config" / "seed-table.yaml",
                                                 ROOT / "results" / "lab" / "locations.yaml"])
    finally:
        subprocess.run([*lab, "down"], cwd=ROOT, check=True)
    quote("seed-table", section(summary(results), BLOCKS["seed-table"], whole=True))


@contextlib.contextmanager
def on_the_box(name, slow_bw="8MiB"):
    """The lab (16G sparse images) and the cluster in a box at 1 Gbit/s, with the test
    SLURM's nodes; yields (locations of the lab, of the box, the run's SLURM options,
    its settings for two nodes), or None where it cannot be brought up here (and says why)."""
    from annex_lab import box, lab
    from helpers import slurm_ready

    nodes = sorted(box.separate_nodes()) if os.geteuid() == 0 else []
    why = "the box needs root" if os.geteuid() else slurm_ready() or (
        len(nodes) < 2 and f"needs two SLURM nodes in mount namespaces of their own, found {nodes}")
    if why:
        print(f"docs-figures: {name} not renewed: {why}", flush=True)
        yield None
        return
    lab_dir = ROOT / "results" / "lab"
    lab.lab_up(lab_dir, "16G", slow_bw)  # sparse: the run's space check counts every clone
    try:
        state = box.box_up(lab_dir, "1gbit", "0.2ms", "24G", "16G", nodes)
        print(f"docs-figures: {name}: {box.box_status(lab_dir)[0]}", flush=True)
        yield (lab_dir / "locations.yaml", state["locations"], ["--profile", str(ROOT / "profiles" / "slurm-test")],
               [f"spread_nodes=[{', '.join(nodes)}]", "slurm_status_interval=3"])
    finally:
        box.box_down(lab_dir)
        lab.lab_down(lab_dir)


def seed_box():
    """The seed's table on the test SLURM: the laptop rows on the lab's btrfs, the
    cluster rows on the slowfs lab (64 MiB/s: the 768 MiB image reads in 12 s) and on
    the cluster in a box, each scenario's clones on two nodes."""
    with on_the_box("seed-box", "64MiB") as there:
        if there is None:
            return
        lab_locations, box_locations, slurm, nodes = there
        results = run("seed-box", *slurm, configfiles=[ROOT / "config" / "seed-table.yaml", lab_locations,
                                                       box_locations],
                      config=["location=[laptop, cluster-cross-fs, cluster-box]", "image_size=768M", *nodes])
    arrivals = [line for line in section(summary(results), "Findings", whole=True).splitlines()
                if line.startswith("- On ") or "winner copied" in line]
    quote("seed-box", section(summary(results), BLOCKS["seed-box"], whole=True) + "\n\n" + "\n".join(arrivals))


def box_answers():
    """The version, storage sibling and workaround answers on the box alone, unthrottled."""
    with on_the_box("box-answers") as there:
        if there is None:
            return
        _, box_locations, slurm, nodes = there
        results = run("box-answers", *slurm, configfiles=[box_locations], config=[*nodes,
            "location=cluster-box", "method=datalad-get", "clone_from=ria", "storage_sibling=[off, on]",
            f"git_annex=[{AFFECTED}, {FIXED}]", "workaround=[none, prefetch]", "deliver=none",
            "annex_bwlimit=['']", "image_size=512M"])
    quote("box-answers", section(summary(results), BLOCKS["box-answers"]))


def babs_run(name, config):
    """A run with BABS scenarios on the test cluster (as root: tests/slurm/slurm-up.sh),
    or None (and why) where it cannot be made here."""
    from annex_race.planning.progress import babs_ready

    why = "the test cluster needs root" if os.geteuid() != 0 else babs_ready(ROOT / ".venv-babs")
    if why:
        print(f"docs-figures: {name} not renewed: {why}", flush=True)
        return None
    results = run(name, "--profile", str(ROOT / "profiles" / "slurm-test"), config=[
        "method=[babs, datalad-get]", "n_clones=4", "lanes=1", f"babs_env={ROOT / '.venv-babs'}", *config])
    return section(summary(results), BLOCKS[name], whole=True).split("\n\n", 1)[1]


def babs():
    """The real BABS beside the imitation: the affected release, the last before
    verifyremote, the newest; and the retry budget."""
    text = babs_run("babs", [f"git_annex=[{AFFECTED}, 10.20261020, {FIXED}]", "storage_sibling=off",
                             "workaround=[none, retry-backoff]"])
    if text:
        quote("babs", text)


def babs_storage():
    """The storage-sibling workaround on BABS, where the get fails without it."""
    text = babs_run("babs-storage", [f"git_annex={AFFECTED}", "storage_sibling=on", "workaround=none"])
    if text:
        quote("babs-storage", text)


def scale():
    """16 to 256 jobs of one get (config/scale.yaml): the summary's "Many tasks"."""
    from annex_race.report.decisions import scale_table
    from annex_race.report.figures import plot_scale
    from annex_race.report.table import read_scenarios

    results = run("scale", configfiles=[ROOT / "config" / "scale.yaml"])
    plot_scale(scale_table(read_scenarios(results / "scenarios.tsv")), IMAGES / "scale.png")
    print("docs-figures: docs/images/scale.png", flush=True)
    quote("scale", section(summary(results), BLOCKS["scale"], whole=True))


PARTS = {"default": default, "versions": versions, "retry": retry, "transport": transport, "check": check,
         "seed-table": seed_table, "seed-box": seed_box, "box-answers": box_answers, "babs": babs, "babs-storage": babs_storage, "scale": scale}


def main():
    IMAGES.mkdir(parents=True, exist_ok=True)
    wanted = sys.argv[1:] or list(PARTS)
    unknown = [name for name in wanted if name not in PARTS]
    if unknown:
        sys.exit(f"docs-figures: no part {unknown[0]!r}; the parts: {', '.join(PARTS)}")
    for name in wanted:
        PARTS[name]()


if __name__ == "__main__":
    main()
