"""Time the workflow: per-clone overhead outside the get, get-start skew, wall time.

Runs the workflow in a fresh working directory (default matrix on the local
executor unless told otherwise) and prints figures from the records:

    python benchmarks/overhead.py                       # default matrix, --cores 2
    python benchmarks/overhead.py --config storage_sibling=on
    python benchmarks/overhead.py --profile profiles/slurm-test --config method=annex-get
    python benchmarks/overhead.py --records results      # figures of an existing run only
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_workflow(workdir, profile, config):
    cmd = [
        str(Path(sys.executable).parent / "snakemake"), "-s", str(ROOT / "Snakefile"),
        "--directory", str(workdir), "--configfile", str(ROOT / "config" / "config.yaml"),
    ]
    cmd += ["--profile", profile] if profile else ["--cores", "2"]
    if config:
        cmd += ["--config", *config]
    started = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"workflow failed:\n{out.stderr[-3000:]}")
    return time.time() - started


def figures(results):
    records = [json.loads(p.read_text()) for p in Path(results).glob("records/*/clone-*.json")]
    if not records:
        sys.exit(f"no records under {results}")
    by_scenario = {}
    for r in records:
        by_scenario.setdefault(r["scenario"], []).append(r)
    skews = [
        max(r["t_get_start"] for r in rs) - min(r["t_get_start"] for r in rs)
        for rs in by_scenario.values()
        if all(r["t_get_start"] for r in rs)
    ]
    overhead = [
        (r["t_clone_end"] - r["t_job_start"]) + (r["t_record"] - r["t_get_end"])
        for r in records
        if r.get("t_get_end")
    ]
    clone = [r["t_clone_end"] - r["t_clone_start"] for r in records]
    return len(by_scenario), len(records), skews, overhead, clone


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", help="Snakemake profile (default: local executor, --cores 2)")
    parser.add_argument("--config", nargs="*", default=[], help="config overrides, as for snakemake")
    parser.add_argument("--records", help="only read the results directory of an earlier run")
    args = parser.parse_args()

    wall = None
    if args.records:
        results = Path(args.records)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="annex-race-bench-"))
        wall = run_workflow(workdir, args.profile, args.config)
        results = workdir / "results"
    scenarios, clones, skews, overhead, clone = figures(results)

    ms = lambda xs, f: f"{1000 * f(xs):8.1f} ms"  # noqa: E731
    print(f"executor                 {args.profile or 'local (--cores 2)'}")
    print(f"scenarios / clone jobs   {scenarios} / {clones}")
    if wall is not None:
        print(f"wall time                {wall:8.1f} s")
    print(f"get-start skew           median {ms(skews, statistics.median)}   max {ms(skews, max)}")
    print(f"per-clone overhead       median {ms(overhead, statistics.median)}   max {ms(overhead, max)}"
          "   (job start to barrier arrival, plus verify and record)")
    print(f"  of which clone+install median {ms(clone, statistics.median)}")


if __name__ == "__main__":
    main()
