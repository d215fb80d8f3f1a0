"""What annex-race itself costs as a scenario grows: n_clones = 2, 16, 64, 256.

    python benchmarks/scale.py                            # locally, --cores 2, barrier
    python benchmarks/scale.py --start scheduled -n 16 64
    python benchmarks/scale.py --profile profiles/slurm-test -n 2 16 64

Each n runs one scenario (affected git-annex 10.20260115, no storage sibling, plain
`git annex get` of a 1 MiB image at annex.bwlimit=1MiB) in one working directory
whose datasets a first, unmeasured one-clone run made. Per n it prints:

- wall: the whole `snakemake` run (plan, round, jobs, summary), seconds;
- floor: the run's CPU seconds / cores, and wall against it (1.0: the cores were
  never idle); locally only (on SLURM the jobs' CPU is not in this process's tree);
- CPU per clone, split as each record's `cpu` has it: job start (interpreter,
  imports), the clone (Python: the job and DataLad / git and git-annex), the step
  (the get), the record; "workflow": what the run spent beyond its jobs (Snakemake's
  scheduling, the round, the summary) per clone; on SLURM, "task" is sacct's
  TotalCPU per array task (its Snakemake jobstep included);
- peak memory: the largest sum of PSS over the run's processes (sampled every
  0.25 s; locally), GiB, over the whole run and while the jobs wait at the barrier
  (from a second before the last clone's end to the first get: every job alive,
  no get yet; nan when no sample fell in that window or with scheduled starts);
- skew (barrier: first to last get start, ms) or overlap (gets that started while
  another's ran), the verdict;
- summary: the seconds of the rules tabulate_results, write_summary, draw_figures.
"""

import argparse
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd

from annex_race.driver.cli import ROOT, children_cpu, descendants, read_run, snakemake_command, temporary_workdir

TEST_CONFIG = [ROOT / ".test" / "config" / "config.yaml"]
SCENARIO = ["storage_sibling=off", "method=annex-get", "deliver=none", "git_annex=10.20260115",
            "workaround=none", "image_size=1M"]
SUMMARY_RULES = ("tabulate_results", "write_summary", "draw_figures")


def pss_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class Memory(threading.Thread):
    """The sum of PSS over a process tree, sampled every `interval` s: (time, KiB)."""

    def __init__(self, pid, interval=0.25):
        super().__init__(daemon=True)
        self.pid, self.interval, self.samples, self.done = pid, interval, [], threading.Event()

    def run(self):
        while not self.done.wait(self.interval):
            self.samples.append((time.time(), sum(pss_kib(p) for p in [self.pid, *descendants(self.pid)])))

    def peak(self, start=0.0, end=float("inf")):
        return max((kib for t, kib in self.samples if start <= t < end), default=float("nan"))


def run(workdir, args, config, measure=True):
    """Run the workflow; (wall s, its process tree's Memory)."""
    cmd = snakemake_command(workdir, *args, configfiles=TEST_CONFIG, config=config)
    started = time.time()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    memory = Memory(process.pid)
    if measure:
        memory.start()
    stderr = process.communicate()[1]  # reaped: its tree's CPU is in RUSAGE_CHILDREN now
    wall = time.time() - started
    memory.done.set()
    if process.returncode:
        sys.exit(f"{' '.join(config)}: the workflow failed\n{stderr[-3000:]}")
    return wall, memory


def sacct_cpu(array_jobs, patience=60):
    """sacct's TotalCPU of every task of these array jobs, seconds each (slurmdbd fills
    it in a little after a task ends: asked again until none reads 0)."""
    deadline = time.time() + patience
    while True:
        seconds = []
        for job in array_jobs:
            # without -X: with it, a task's line leaves out its steps' CPU
            out = subprocess.run(["sacct", "-n", "-P", "-j", job, "-o", "JobID,TotalCPU"],
                                 capture_output=True, text=True).stdout
            for task, _, text in (line.partition("|") for line in out.split()):
                if "." in task:  # a step (batch, 0): its CPU is in its task's line
                    continue
                minutes, _, rest = text.rpartition(":")
                hours, _, minutes = minutes.rpartition(":")
                seconds.append(float(hours or 0) * 3600 + float(minutes or 0) * 60 + float(rest))
        if all(seconds) or time.time() > deadline:
            return seconds
        time.sleep(5)


def summary_seconds(workdir):
    total = 0.0
    for rule in SUMMARY_RULES:
        path = Path(workdir, "results", "benchmarks", "summary", f"{rule}.tsv")
        if path.exists():
            total += float(pd.read_csv(path, sep="\t")["s"].iloc[-1])
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, nargs="+", default=[2, 16, 64, 256], help="n_clones to try")
    parser.add_argument("--start", default="barrier", choices=["barrier", "scheduled"])
    parser.add_argument("--cores", type=int, default=2, help="--cores locally (default 2)")
    parser.add_argument("--profile", help="an executor profile (e.g. profiles/slurm-test) instead of local")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()
    executor = ["--profile", str(ROOT / args.profile)] if args.profile else ["--cores", str(args.cores)]
    with temporary_workdir("annex-race-scale-", args.keep) as workdir:
        run(workdir, executor, [*SCENARIO, "n_clones=1"], measure=False)  # git-annex, datasets
        print(f"{'n':>4} {'wall s':>7} {'floor s':>7} {'wall/floor':>10}   "
              f"{'start':>5} {'clone py/git':>12} {'step':>5} {'record':>6} {'workflow':>8} {'task':>5}   "
              f"{'PSS GiB':>7} {'waiting':>7} {'skew ms':>8} {'overlap':>8} {'summary s':>9}   verdict", flush=True)
        print("       (CPU per clone, s: start, clone Python/git, step, record, workflow, SLURM task)")
        for n in args.n:
            config = [*SCENARIO, f"n_clones={n}", *([f"start={args.start}"] if args.start != "barrier" else [])]
            cpu_before = children_cpu()
            wall, memory = run(workdir, executor, config)
            cpu = children_cpu() - cpu_before
            (records,) = [rs for rs in read_run(workdir).values()
                          if rs[0].n_clones == n and getattr(rs[0], "start", "barrier") == args.start]
            nan = [float("nan")] * 2  # records of a tree before `cpu` (benchmarking an older checkout)
            phases = {phase: [statistics.mean(r.cpu[phase][i] for r in records) for i in (0, 1)]
                      for phase in getattr(records[0], "cpu", None) or {}}
            phases = {phase: phases.get(phase, nan) for phase in ("start", "clone", "step", "record")}
            in_jobs = sum(sum(sum(v) for v in (getattr(r, "cpu", None) or {"": nan}).values()) for r in records)
            scenarios = pd.read_csv(Path(workdir, "results", "scenarios.tsv"), sep="\t")
            row = scenarios[(scenarios["n_clones"] == n)
                            & (scenarios.get("start", "barrier") == args.start)].iloc[0]
            # all jobs waiting at the barrier: the second before the last clone ended, to the first get
            waiting = memory.peak(max(r.t_clone_end for r in records) - 1, min(r.t_get_start for r in records))
            peak = memory.peak()
            tasks = sacct_cpu({r.slurm_array_job_id for r in records if r.slurm_array_job_id}) if args.profile else []
            local = not args.profile
            floor = cpu / args.cores if local else float("nan")
            print(f"{n:>4} {wall:>7.1f} {floor:>7.1f} {wall / floor if local else float('nan'):>10.2f}   "
                  f"{phases['start'][0]:>5.2f} "
                  f"{phases['clone'][0]:>5.2f}/{phases['clone'][1]:<6.2f} {sum(phases['step']):>5.2f} "
                  f"{sum(phases['record']):>6.2f} {(cpu - in_jobs) / n if local else float('nan'):>8.2f} "
                  f"{statistics.mean(tasks) if tasks else float('nan'):>5.2f}   "
                  f"{peak / 2**20 if local else float('nan'):>7.2f} {waiting / 2**20 if local else float('nan'):>7.2f} "
                  f"{row['skew_ms']:>8.0f} "
                  f"{int(row.get('overlapped', -1)):>4}/{n:<3} {summary_seconds(workdir):>9.1f}   "
                  f"{row['verdict']}: {row['detail']}", flush=True)


if __name__ == "__main__":
    main()
