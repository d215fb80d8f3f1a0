"""Many siblings: skew, per-clone overhead, wall time and failures for n_clones = 2..16.

    python benchmarks/load.py                  # n_clones 2, 4, 8, 16, 3 runs each, local executor
    python benchmarks/load.py -n 2 4 -k 5

Each n runs one scenario (affected git-annex 10.20260115, no storage sibling, plain
`git annex get`, 8 MiB at annex.bwlimit=1MiB) k times (--forcerun run_clone_job) in
one working directory, so the datasets are made once; the figures come from the
records: get-start skew per run (median and max over the runs), per-clone overhead
outside the get (median), wall time per run (median), the fraction of clones that failed.
"""

import argparse
import statistics
import sys
import time

from annex_race.core.record import get_start_skew
from annex_race.driver.cli import ROOT, read_run, run_snakemake, temporary_workdir

TEST_CONFIG = [ROOT / ".test" / "config" / "config.yaml"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, nargs="+", default=[2, 4, 8, 16], help="n_clones to try")
    parser.add_argument("-k", type=int, default=3, help="runs per n (default 3)")
    parser.add_argument("--cores", default="2", help="--cores (default 2: clone jobs hold no core)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()
    with temporary_workdir("annex-race-load-", args.keep) as workdir:
        run_snakemake(workdir, "--cores", args.cores, "results/git-annex/10.20260115.json",
                      configfiles=TEST_CONFIG, timeout=None)  # installs first: not part of the figures
        print(f"{'n':>3} {'runs':>4} {'wall s':>7} {'skew median ms':>15} {'skew max ms':>12} "
              f"{'overhead s':>11}   failed")
        for n in args.n:
            walls, skews, overhead, failed = [], [], [], 0
            for k in range(args.k):
                started = time.time()
                out = run_snakemake(workdir, "--cores", args.cores, *(["--forcerun", "run_clone_job"] if k else []),
                                    configfiles=TEST_CONFIG, config=["storage_sibling=off", f"n_clones={n}"],
                                    timeout=None)
                walls.append(time.time() - started)
                if out.returncode:
                    sys.exit(f"n_clones={n}: the workflow failed\n{out.stderr[-3000:]}")
                (rs,) = [rs for rs in read_run(workdir).values() if rs[0].n_clones == n]
                skews.append(get_start_skew(r.t_get_start for r in rs))
                overhead += [(r.t_clone_end - r.t_job_start) + (r.t_record - r.t_get_end) for r in rs]
                failed += sum(r.outcome != "ok" for r in rs)
            print(f"{n:>3} {args.k:>4} {statistics.median(walls):>7.1f} {1000 * statistics.median(skews):>15.1f} "
                  f"{1000 * max(skews):>12.1f} {statistics.median(overhead):>11.2f}   "
                  f"{failed}/{n * args.k} ({failed / (n * args.k):.0%})", flush=True)


if __name__ == "__main__":
    main()
