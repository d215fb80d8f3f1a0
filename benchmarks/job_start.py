"""CPU a SLURM clone job spends before its clone starts: every SLURM job runs
`snakemake --mode remote`, which parses the workflow (and, before the plan was
written once, planned it all again) and builds the DAG of its one job. Measured as
the CPU time of that process, with -n (nothing run), for a clone job of the
default matrix, after the main process has started the run (the plan written).

    python benchmarks/job_start.py                # this checkout
    python benchmarks/job_start.py --before REV   # and REV's, in the same sitting

--before checks REV out into a temporary worktree and imports its annex_race.
"""

import argparse
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from annex_race.driver.cli import ROOT, SNAKEMAKE
from annex_race.core.roots import safe_remove


def snakemake(checkout, workdir, *args):
    cmd = [str(SNAKEMAKE), "-s", str(checkout / "Snakefile"), "-d", str(workdir),
           "--configfile", str(checkout / "config" / "config.yaml"), *args]
    env = {"PYTHONPATH": str(checkout / "workflow" / "src")}  # its own annex_race
    return subprocess.run(cmd, capture_output=True, text=True, env={**_environ(), **env})


def _environ():
    import os

    return dict(os.environ)


def cpu_of(checkout, workdir, *args):
    """CPU seconds (user + system) of one snakemake process and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = snakemake(checkout, workdir, *args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode:
        sys.exit(f"snakemake {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out


def measure(checkout, repeat):
    with tempfile.TemporaryDirectory(prefix="annex-race-job-start-") as tmp:
        workdir = Path(tmp)
        main, dry = cpu_of(checkout, workdir, "--cores", "2", "-n")
        scenario = re.search(r"rule run_clone_job:.*?scenario=([^,\s]+)", dry.stdout, re.S).group(1)
        # start the run (the plan written) as far as one location probe
        cpu_of(checkout, workdir, "--cores", "2", "results/locations/local.json")
        job = ["--mode", "remote", "--target-jobs", f"run_clone_job:scenario={scenario},clone=0",
               "--allowed-rules", "run_clone_job", "--nolock", "--no-hooks", "--cores", "1", "-n"]
        jobs = [cpu_of(checkout, workdir, *job)[0] for _ in range(repeat)]
        safe_remove(workdir / "results", [workdir])
    return main, jobs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", help="a git revision to measure too (e.g. the commit before a change)")
    parser.add_argument("--repeat", type=int, default=5, help="job processes measured per checkout")
    args = parser.parse_args()
    checkouts = {"this checkout": ROOT}
    worktree = None
    if args.before:
        worktree = Path(tempfile.mkdtemp(prefix="annex-race-before-"))
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(worktree), args.before],
                       check=True)
        checkouts = {args.before: worktree, **checkouts}
    try:
        figures = {name: measure(path, args.repeat) for name, path in checkouts.items()}
    finally:
        if worktree:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=True)
    for name, (main_cpu, jobs) in figures.items():
        print(f"{name:16} main process (-n) {main_cpu:6.2f} s CPU   clone job before its clone: "
              f"median {statistics.median(jobs):5.2f} s CPU  (min {min(jobs):.2f}, max {max(jobs):.2f}, "
              f"{len(jobs)} jobs)")
    if args.before:
        (_, old), (_, new) = figures.values()
        print(f"ratio (this / {args.before}): {statistics.median(new[:]) / statistics.median(old):.2f}")


if __name__ == "__main__":
    main()
