"""Time the workflow: per-clone overhead outside its steps, get-start skew, a whole
job's run and delivery, wall time.

Runs the workflow in a fresh working directory (default matrix on the local
executor unless told otherwise) and prints figures from the records:

    python benchmarks/overhead.py                       # default matrix, --cores 2
    python benchmarks/overhead.py --config storage_sibling=on
    python benchmarks/overhead.py --profile profiles/slurm-test --config method=annex-get
    python benchmarks/overhead.py --workdir .            # figures of an existing run only
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from annex_race.core.record import get_start_skew
from annex_race.driver.cli import read_run, run_snakemake, temporary_workdir


def run_workflow(workdir, profile, config):
    started = time.time()
    out = run_snakemake(workdir, *(["--profile", profile] if profile else ["--cores", "2"]),
                        config=config, timeout=None)
    if out.returncode:
        sys.exit(f"workflow failed:\n{out.stderr[-3000:]}")
    return time.time() - started


def figures(workdir):
    by_scenario = read_run(workdir)
    records = [r for rs in by_scenario.values() for r in rs]
    if not records:
        sys.exit(f"no records under {workdir}/results")
    skews = [s for rs in by_scenario.values() if (s := get_start_skew(r.t_get_start for r in rs)) is not None]
    overhead = [
        (r.t_clone_end - r.t_job_start) + (r.t_record - (r.t_deliver_end or r.t_get_end))
        for r in records
        if r.t_get_end is not None
    ]
    clone = [r.t_clone_end - r.t_clone_start for r in records]
    # a whole job's steps after its get: the run, the delivery
    steps = {"run": [r.run["t_end"] - r.run["t_start"] for r in records if r.run],
             "deliver": [r.t_deliver_end - r.t_deliver_start for r in records if r.t_deliver_end]}
    return len(by_scenario), len(records), skews, overhead, clone, steps


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", help="Snakemake profile (default: local executor, --cores 2)")
    parser.add_argument("--config", nargs="*", default=[], help="config overrides, as for snakemake")
    parser.add_argument("--workdir", help="only read the records of an earlier run in this working directory")
    parser.add_argument("--keep", action="store_true", help="keep the working directory of the run")
    args = parser.parse_args()

    wall = None
    if args.workdir:
        workdir = Path(args.workdir)
        scenarios, clones, skews, overhead, clone, steps = figures(workdir)
    else:
        with temporary_workdir("annex-race-bench-", args.keep) as workdir:
            wall = run_workflow(workdir, args.profile, args.config)
            scenarios, clones, skews, overhead, clone, steps = figures(workdir)

    ms = lambda xs, f: f"{1000 * f(xs):8.1f} ms"  # noqa: E731
    print(f"executor                 {args.profile or 'local (--cores 2)'}")
    print(f"scenarios / clone jobs   {scenarios} / {clones}")
    if wall is not None:
        print(f"wall time                {wall:8.1f} s")
    print(f"get-start skew           median {ms(skews, statistics.median)}   max {ms(skews, max)}")
    print(f"per-clone overhead       median {ms(overhead, statistics.median)}   max {ms(overhead, max)}"
          "   (job start to barrier arrival, plus verify and record)")
    print(f"  of which clone+install median {ms(clone, statistics.median)}")
    for step, seconds in steps.items():
        if seconds:
            print(f"whole job: {step:<13} median {ms(seconds, statistics.median)}   max {ms(seconds, max)}")


if __name__ == "__main__":
    main()
