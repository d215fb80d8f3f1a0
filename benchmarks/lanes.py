"""Lanes: the same matrix with scenarios one after another (lanes = 1) and side by side.

    python benchmarks/lanes.py                     # default matrix, local: wall time and ratio
    python benchmarks/lanes.py --disk              # bytes under source_root, 200 MiB image
    python benchmarks/lanes.py --profile profiles/slurm-test --config method=[datalad-get,containers-run,annex-get] \\
        git_annex=10.20260115 workaround=none      # SLURM: scheduling rounds too

Each variant runs in a fresh working directory (datasets made anew, git-annex from
the shared cache); both in one invocation, so the ratio compares like with like.
Figures from the records: get-start skew (median, max), INCONCLUSIVE scenarios, and on
SLURM the scheduling rounds: batches of clone jobs submitted together (sacct's
Submit times; a gap of more than 2 s starts a new round). Locally it also prints the
CPU time each variant used (the workflow and every job it ran) and the bound it sets:
on --cores 2 the lanes run cannot end sooner than its CPU time / 2.
Working directories are removed afterwards unless --keep.
"""

import argparse
import statistics
import subprocess
import sys
import time

from annex_race.core.record import get_start_skew
from annex_race.driver.cli import children_cpu, read_run, run_snakemake, temporary_workdir
from annex_race.core.record import INCONCLUSIVE
from annex_race.report.table import records_table, scenario_summary


def run(workdir, label, lanes, args, config):
    executor = ["--profile", args.profile] if args.profile else ["--cores", "2"]
    started, cpu = time.time(), children_cpu()
    out = run_snakemake(workdir, *executor, config=[*config, f"lanes={lanes}"], timeout=None)
    wall, cpu = time.time() - started, children_cpu() - cpu
    if out.returncode:
        sys.exit(f"{label}: the workflow failed\n{out.stderr[-3000:]}")
    return wall, cpu


def figures(workdir):
    by_scenario = read_run(workdir)
    records = [r for rs in by_scenario.values() for r in rs]
    skews = [get_start_skew(r.t_get_start for r in rs) for rs in by_scenario.values()]
    summary = scenario_summary(records_table(records), max_skew=1.0)
    return {
        "scenarios": len(by_scenario),
        "lanes used": len({r.lane for r in records}),
        "skew median ms": 1000 * statistics.median(skews),
        "skew max ms": 1000 * max(skews),
        "inconclusive": int((summary["verdict"] == INCONCLUSIVE).sum()),
        "verdicts": dict(zip(summary["scenario"], summary["verdict"])),
        "job ids": [r.slurm_job_id for r in records if r.slurm_job_id],
    }


def scheduling_rounds(job_ids, gap=2.0):
    """Batches of jobs submitted together, from sacct's Submit times."""
    out = subprocess.run(["sacct", "-n", "-X", "-P", "-o", "Submit", "-j", ",".join(job_ids)],
                         capture_output=True, text=True, check=True).stdout.split()
    times = sorted(time.mktime(time.strptime(t, "%Y-%m-%dT%H:%M:%S")) for t in out)
    return 1 + sum(b - a > gap for a, b in zip(times, times[1:]))


def bytes_under(path):
    """Bytes on disk under `path`, every hardlinked file once (du)."""
    out = subprocess.run(["du", "-s", "-B1", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", help="Snakemake profile (default: local executor, --cores 2)")
    parser.add_argument("--lanes", default="auto", help="the lanes to compare with 1 (default: auto)")
    parser.add_argument("--disk", action="store_true",
                        help="instead: bytes written under source_root, 200 MiB image, lanes 1 and 2")
    parser.add_argument("--config", nargs="*", default=[], help="config overrides, as for snakemake")
    parser.add_argument("--keep", action="store_true", help="keep the working directories")
    args = parser.parse_args()

    if args.disk:
        # both storage_sibling values, so that every kind of dataset has a lane copy
        config = ["image_size=200M", "annex_bwlimit=", "method=annex-get", "git_annex=10.20261026",
                  "workaround=none", *args.config]
        sizes = {}
        for lanes in (1, 2):
            with temporary_workdir(f"annex-race-lanes-disk{lanes}-", args.keep) as workdir:
                run(workdir, f"disk{lanes}", lanes, args, config)
                sizes[lanes] = bytes_under(workdir / "results" / "work" / "source")
        image = 200 * 1024**2
        extra = sizes[2] - sizes[1]
        print(f"bytes under source_root, lanes = 1    {sizes[1]:>14,d}")
        print(f"bytes under source_root, lanes = 2    {sizes[2]:>14,d}")
        print(f"the second lane costs                {extra:>14,d} bytes = {extra / image:.2%} of one image")
        return

    results = {}
    for label, lanes in (("sequential", 1), ("lanes", args.lanes)):
        with temporary_workdir(f"annex-race-lanes-{label}-", args.keep) as workdir:
            wall, cpu = run(workdir, label, lanes, args, args.config)
            results[label] = {"wall s": wall, "cpu s": cpu, **figures(workdir)}
        row = results[label]
        cpu_text = "" if args.profile else f"cpu {cpu:7.1f} s  "  # SLURM's jobs run elsewhere
        print(f"{label:<11} lanes {row['lanes used']:>2}  scenarios {row['scenarios']:>3}  wall {wall:7.1f} s  "
              f"{cpu_text}skew median {row['skew median ms']:6.1f} ms  max {row['skew max ms']:6.1f} ms  "
              f"INCONCLUSIVE {row['inconclusive']}", flush=True)
    seq, par = results["sequential"], results["lanes"]
    print(f"speed-up    {seq['wall s'] / par['wall s']:.2f}x (sequential wall / lanes wall)")
    if not args.profile:  # on 2 cores, the lanes run cannot end before its CPU time / 2
        floor = par["cpu s"] / 2
        print(f"CPU bound   {floor:.1f} s on 2 cores (the lanes run's CPU time / 2): "
              f"at most {seq['wall s'] / floor:.2f}x faster than sequential")
    same = seq["verdicts"] == par["verdicts"]
    print(f"verdicts    {'identical' if same else 'DIFFERENT'} in {len(seq['verdicts'])} scenarios")
    if seq["job ids"]:
        print(f"scheduling rounds: sequential {scheduling_rounds(seq['job ids'])}, "
              f"lanes {scheduling_rounds(par['job ids'])}")


if __name__ == "__main__":
    main()
