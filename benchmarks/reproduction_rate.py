"""Repeat one scenario K times and print how often it failed.

    python benchmarks/reproduction_rate.py                     # affected default scenario, K=20
    python benchmarks/reproduction_rate.py --git-annex 10.20261026
    python benchmarks/reproduction_rate.py -k 5 --config method=datalad-get storage_sibling=on

The datasets are made once; each repetition reruns only the scenario's clone jobs
(--forcerun run_clone_job) and reads its verdict from the records, as the summary does.
"""

import argparse
import sys

from annex_race.driver.cli import read_run, run_snakemake, temporary_workdir
from annex_race.report.table import records_table, scenario_summary

DEFAULT = ["storage_sibling=off", "method=annex-get", "workaround=none"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", type=int, default=20, help="repetitions (default 20)")
    parser.add_argument("--git-annex", default="10.20260115", help="git-annex version (default: affected)")
    parser.add_argument("--config", nargs="*", default=DEFAULT, help=f"the scenario (default: {' '.join(DEFAULT)})")
    args = parser.parse_args()

    with temporary_workdir("annex-race-rate-", args.keep) as workdir:
        config = [*args.config, f"git_annex={args.git_annex}"]
        verdicts = []
        for i in range(args.k):
            out = run_snakemake(workdir, "--cores", "2", *(["--forcerun", "run_clone_job"] if i else []),
                                config=config, timeout=None)
            if out.returncode:
                sys.exit(f"run {i + 1} failed:\n{out.stderr[-3000:]}")
            records = [r for rs in read_run(workdir).values() for r in rs]
            summary = scenario_summary(records_table(records), max_skew=1.0)
            if len(summary) != 1:
                sys.exit(f"--config must select one scenario, it selected {len(summary)}")
            verdicts.append(summary["verdict"].iloc[0])
            print(f"run {i + 1:3d}: {verdicts[-1]:12s} {summary['cause'].iloc[0]}", flush=True)
        failed = verdicts.count("FAIL")
        print(f"\nscenario   {summary['scenario'].iloc[0]}")
        print(f"failed     {failed} of {len(verdicts)} ({failed / len(verdicts):.0%})")
        print(f"passed     {verdicts.count('PASS')}, inconclusive {verdicts.count('INCONCLUSIVE')}")


if __name__ == "__main__":
    main()
