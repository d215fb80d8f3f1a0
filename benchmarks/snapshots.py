"""What the snapshots of the shared repositories cost, against the run's wall time.

Runs the workflow in a fresh working directory (default matrix on the local executor
unless told otherwise) and prints, per scenario, the time spent taking the snapshots
before and after its round and comparing them (measured inside the jobs), the wall
time of the job that compares them (Snakemake's benchmark of compare_shared_repositories),
and both as shares of the run's wall time, measured in the same run:

    python benchmarks/snapshots.py                      # default matrix, --cores 2
    python benchmarks/snapshots.py --config n_clones=16 method=annex-init
    python benchmarks/snapshots.py --workdir .          # figures of an existing run only
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

from annex_race.driver.cli import run_snakemake, temporary_workdir


def figures(workdir):
    results = Path(workdir, "results")
    writes = [json.loads(p.read_text()) for p in sorted(results.glob("writes/*/round-*.json"))]
    jobs = [pd.read_csv(p, sep="\t")["s"].iloc[0]
            for p in sorted(results.glob("benchmarks/compare_shared_repositories/*/round-*.tsv"))]
    lanes = json.loads((results / "plan.json").read_text())["lanes"]
    if not writes:
        sys.exit(f"no snapshots under {results}")
    verdicts = {v: sum(w["verdict"] == v for w in writes) for v in ("clean", "written", "harmed")}
    print(f"sources verdicts: {verdicts}")
    return [w["seconds"] for w in writes], jobs, lanes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", nargs="*", default=[], help="config overrides, as for snakemake")
    parser.add_argument("--workdir", help="only read an earlier run in this working directory")
    parser.add_argument("--wall", type=float, help="with --workdir: that run's wall time, in s")
    args = parser.parse_args()
    wall = args.wall
    if args.workdir:
        snapshots, jobs, lanes = figures(args.workdir)
    else:
        with temporary_workdir("annex-race-bench-", False) as workdir:
            started = time.time()
            out = run_snakemake(workdir, "--cores", "2", config=args.config, timeout=None)
            wall = time.time() - started
            if out.returncode:
                sys.exit(f"workflow failed:\n{out.stderr[-3000:]}")
            snapshots, jobs, lanes = figures(workdir)
    n = len(snapshots)
    print(f"scenarios: {n} in {lanes} lanes")
    print(f"snapshots (before + after + compare, in the jobs): median {statistics.median(snapshots):.3f} s, "
          f"max {max(snapshots):.3f} s per scenario; {sum(snapshots):.2f} s in all")
    if jobs:
        print(f"compare_shared_repositories job: median {statistics.median(jobs):.2f} s, max {max(jobs):.2f} s; "
              f"{sum(jobs):.1f} s in all")
    if wall:
        # a lane runs its scenarios one after another: its share of the wall time is
        # what one lane's rounds spend on it
        per_lane = (sum(snapshots) + sum(jobs)) / lanes
        print(f"wall time: {wall:.1f} s; snapshots {100 * sum(snapshots) / wall:.2f} % of it; "
              f"snapshots and compare jobs per lane {100 * per_lane / wall:.2f} % of it (goal: under 5 %)")


if __name__ == "__main__":
    main()
