"""Running the workflow from tests: a real Snakemake on the real datasets."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"


def snakemake(workdir, *args, config=(), timeout=1800):
    """Run the workflow with `workdir` as its working directory (results/ go there)."""
    cmd = [
        str(SNAKEMAKE), "-s", str(ROOT / "Snakefile"), "--directory", str(workdir),
        "--configfile", str(ROOT / "config" / "config.yaml"), *args,
    ]
    if config:
        cmd += ["--config", *config]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def load_run(workdir):
    """(records by scenario, summary table, results table) of a finished run."""
    results = Path(workdir) / "results"
    records = {}
    for path in sorted(results.glob("records/*/clone-*.json")):
        record = json.loads(path.read_text())
        records.setdefault(record["scenario"], []).append(record)
    table = pd.read_csv(results / "results.tsv", sep="\t")
    return records, (results / "summary.md").read_text(), table


def observed_verdict(records):
    """The verdict a scenario's records call for, worked out independently of aggregate."""
    if any(r["barrier"] != "released" for r in records) or len(records) < records[0]["n_clones"]:
        return "INCONCLUSIVE"
    return "FAIL" if any(r["outcome"] != "ok" for r in records) else "PASS"


def summary_rows(summary_md):
    """The rows of the results table in results/summary.md, as {column: cell}."""
    rows = [line for line in summary_md.splitlines() if line.startswith("| ") and "---" not in line]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    return [dict(zip(header, (c.strip() for c in line.strip("|").split("|")))) for line in rows[1:]]
