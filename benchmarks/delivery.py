"""Wall time of the output side's whole conformance matrix: every push operation
(config/delivery.yaml) × the affected and a fixed git-annex, in one run.

    python benchmarks/delivery.py                   # locally, --cores 2
    python benchmarks/delivery.py --cores 8 -n 8    # more jobs per scenario

Prints the wall time of the run, the median time a scenario's pushes took, the
share of the run spent pushing (the rest: Snakemake, clones, stores, checks), and
the conformance table (results/conformance.tsv). Goal: under 10 minutes on 2 cores.
"""

import argparse
import statistics
import time

import pandas as pd

from annex_race.driver.cli import ROOT, read_run, run_snakemake, temporary_workdir


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("-n", "--n-clones", type=int, default=3)
    parser.add_argument("--git-annex", default="[10.20260115, 10.20261026]")
    args = parser.parse_args()
    with temporary_workdir("delivery") as workdir:
        started = time.perf_counter()
        out = run_snakemake(workdir, "--cores", str(args.cores), configfiles=[ROOT / "config" / "delivery.yaml"],
                            config=[f"n_clones={args.n_clones}", f"git_annex={args.git_annex}"], timeout=3600)
        wall = time.perf_counter() - started
        if out.returncode:
            raise SystemExit(f"the run failed: {out.stderr[-2000:]}")
        records = read_run(workdir)
        pushing = [max(r.t_get_end for r in rs) - min(r.t_get_start for r in rs) for rs in records.values()]
        table = pd.read_csv(workdir / "results" / "conformance.tsv", sep="\t", dtype=str, keep_default_na=False)
    print(f"conformance matrix: {len(records)} scenarios ({args.n_clones} jobs each), --cores {args.cores}")
    print(f"wall time: {wall:.1f} s ({wall / 60:.1f} min; goal under 10 min)")
    print(f"pushes per scenario, median: {statistics.median(pushing):.2f} s; "
          f"their sum is {sum(pushing) / wall:.0%} of the wall time (lanes push side by side)")
    print(table[["operation", "git_annex", "verdict", "cause", "agrees"]].to_string(index=False))


if __name__ == "__main__":
    main()
