"""What running the real BABS costs beside the imitation of it, on SLURM.

    python benchmarks/babs.py                                  # 4 tasks, 10.20261020, profiles/slurm-test
    python benchmarks/babs.py -n 8 --git-annex 10.20260115 --profile profiles/discovery

One run: a BABS scenario and the imitation's datalad-get scenario with the same axes
(one lane, one after the other). Prints each one's wall time (BABS: `babs init`, then
submission to the last task's end; the imitation: the first clone job's start to the
last record) and, per task from SLURM's accounting, the job's elapsed time, its get and
the rest (the overhead), as medians, with BABS's figures as ratios of the imitation's
measured in the same run.
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from annex_race.core import layout
from annex_race.driver.cli import ROOT, read_run, run_snakemake, temporary_workdir


def elapsed(job_ids):
    out = subprocess.run(["sacct", "-n", "-X", "-P", "-o", "JobID,ElapsedRaw", "-j", ",".join(job_ids)],
                         capture_output=True, text=True, check=True).stdout
    return {jid: int(sec) for jid, sec in (line.split("|") for line in out.splitlines()) if sec.isdigit()}


def figures(workdir, records):
    r0 = records[0]
    gets = [r.t_get_end - r.t_get_start for r in records if r.t_get_end]
    if r0.method == "babs":
        run_dir = Path(workdir, layout.BABS_RUN.format(scenario=r0.scenario, round=r0.round)).parent
        account = json.loads((run_dir / "run.json").read_text())
        project = json.loads((run_dir / "project.json").read_text())
        wall = project["seconds"] + account["t_done"] - account["t_submit"]
        jobs = [t["elapsed_s"] for t in account["tasks"].values() if t.get("elapsed_s") is not None]
    else:
        wall = max(r.t_record for r in records) - min(r.t_job_start for r in records)
        jobs = list(elapsed([r.slurm_job_id for r in records if r.slurm_job_id]).values())
    job, get = statistics.median(jobs), statistics.median(gets)
    return {"wall_s": wall, "job_s": job, "get_s": get, "overhead_s": job - get}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=4, help="array tasks (n_clones)")
    parser.add_argument("--git-annex", default="10.20261020", help="the release both run")
    parser.add_argument("--profile", default=str(ROOT / "profiles" / "slurm-test"))
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()
    config = ["method=[babs, datalad-get]", f"git_annex={args.git_annex}", f"n_clones={args.n}",
              "storage_sibling=off", "workaround=none", "lanes=1", f"babs_env={ROOT / '.venv-babs'}"]
    with temporary_workdir("annex-race-babs-", args.keep) as workdir:
        out = run_snakemake(workdir, "--profile", args.profile, config=config, timeout=None)
        if out.returncode:
            sys.exit(f"workflow failed:\n{out.stderr[-3000:]}")
        measured = {rs[0].method: figures(workdir, rs) for rs in read_run(workdir).values()}
    babs, imitation = measured["babs"], measured["datalad-get"]
    print(f"git-annex {args.git_annex}, {args.n} tasks, {args.profile}")
    print(f"{'':>14} {'wall s':>8} {'job s':>8} {'get s':>8} {'overhead s':>11}")
    for name, m in (("BABS", babs), ("imitation", imitation)):
        print(f"{name:>14} {m['wall_s']:8.1f} {m['job_s']:8.1f} {m['get_s']:8.1f} {m['overhead_s']:11.1f}")
    print(f"{'BABS / imit.':>14} " + " ".join(f"{babs[k] / imitation[k]:{w}.2f}" if imitation[k] else f"{'-':>{w}}"
                                         for k, w in (("wall_s", 8), ("job_s", 8), ("get_s", 8), ("overhead_s", 11))))


if __name__ == "__main__":
    main()
