"""Snakemake entry of rule run_clone_job (logic: annex_race.jobs.clone_job)."""

import time

t_job_start = time.time()  # before the imports: they are part of the job's overhead

import os
import signal
import sys

from annex_race.jobs.guard import Guard
from annex_race.jobs.process import snakemake_process, start_job, still_running

runner = snakemake_process()  # the Snakemake process that runs this job
log = start_job(snakemake.log[0])
# first of all, the guard that cleans up if this job dies (see annex_race.jobs.guard)
guard = Guard(snakemake.log[0])
signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))  # unwind, stop the get

from annex_race.core import versions
from annex_race.core.files import read_manifest
from annex_race.core.roots import safe_remove
from annex_race.core.specs import CloneJobSpec
from annex_race.jobs.barrier import read_ticket

params = snakemake.params
job = CloneJobSpec.of(params.job)
# the scenario's git-annex first on PATH, before DataLad looks for one
git_annex = read_manifest(job.git_annex)
versions.use(git_annex, os.environ)
if params.ssh_command:  # transport ssh: the `ssh` git, git-annex and DataLad run
    ssh_bin = versions.program_dir("ssh", params.ssh_command, f"{job.clone_dir}.ssh", params.roots)
    os.environ["PATH"] = f"{ssh_bin}{os.pathsep}{os.environ['PATH']}"

from annex_race.core.record import write_record
from annex_race.jobs.clone_job import run_clone_job

record = run_clone_job(
    job,
    read_ticket(job.round, params.settings["barrier_timeout"]),
    origin=read_manifest(job.origin),
    key=read_manifest(job.image)["key"] if job.image else None,
    location=read_manifest(job.location),
    settings=params.settings,
    log=log,
    roots=params.roots,
    prefetch=read_manifest(job.prefetch) if job.prefetch else None,
    t_job_start=t_job_start,
    guard=guard,
    git_annex=git_annex,
    output=read_manifest(job.output) if job.output else None,
)
if not still_running(runner):
    # Snakemake was killed while this job ran: it counts the record as incomplete, so
    # none is written, and the rerun gives the scenario a fresh round
    log.write(f"{time.time():.3f} annex-race: Snakemake (pid {runner[0]}) is gone: no record\n")
    guard.done()
    sys.exit(1)
write_record(snakemake.output[0], record)
if params.ssh_command:
    safe_remove(ssh_bin, params.roots)
guard.done()
