"""Snakemake entry of rule clone_and_get (logic: annex_race.clone_job)."""

import time

t_job_start = time.time()  # before the imports: they are part of the job's overhead

import os
import signal
import sys
from pathlib import Path

from annex_race.guard import Guard
from annex_race.job import snakemake_process, start_job, still_running

runner = snakemake_process()  # the Snakemake process that runs this job
log = start_job(snakemake.log[0])
# first of all, the guard that cleans up if this job dies (see annex_race.guard)
guard = Guard(snakemake.log[0])
signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))  # unwind, stop the get

from annex_race import versions
from annex_race.barrier import read_ticket
from annex_race.datasets import read_manifest
from annex_race.paths import safe_remove

# the scenario's git-annex first on PATH, before DataLad looks for one
git_annex = read_manifest(snakemake.input.git_annex)
versions.use(git_annex, os.environ)
if snakemake.params.ssh_command:  # transport ssh: the `ssh` git, git-annex and DataLad run
    ssh_bin = versions.program_dir("ssh", snakemake.params.ssh_command, f"{snakemake.params.clone_dir}.ssh",
                                   snakemake.params.roots)
    os.environ["PATH"] = f"{ssh_bin}{os.pathsep}{os.environ['PATH']}"

from annex_race.clone_job import clone_get
from annex_race.record import write_record

params, inputs = snakemake.params, snakemake.input
ticket = read_ticket(inputs.round, params.barrier_timeout)
record = clone_get(
    scenario=params.scenario,
    clone=int(snakemake.wildcards.clone),
    round=ticket.round,
    lane=ticket.lane,
    # a push operation clones its round's output store, and pushes its own result
    url=read_manifest(inputs.cloned)["url"] if "cloned" in inputs.keys() else None,
    key=read_manifest(inputs.container_source)["key"] if "container_source" in inputs.keys() else None,
    store=read_manifest(inputs.store) if "store" in inputs.keys() else None,
    push_timeout=params.push_timeout,
    location=read_manifest(inputs.location),
    clone_dir=params.clone_dir,
    barrier_dir=Path(params.barriers) / ticket.barrier,
    barrier_timeout=params.barrier_timeout,
    barrier_margin=params.barrier_margin,
    log=log,
    roots=params.roots,
    prefetch=read_manifest(inputs.prefetch) if "prefetch" in inputs.keys() else None,
    keep_clone=params.keep_clones,
    t_job_start=t_job_start,
    guard=guard,
    git_annex_source=git_annex.get("source", "PyPI"),
    git_annex_reported=git_annex.get("reported"),
)
if not still_running(runner):
    # Snakemake was killed while this job ran: it counts the record as incomplete, so
    # none is written, and the rerun gives the scenario a fresh round
    log.write(f"{time.time():.3f} annex-race: Snakemake (pid {runner[0]}) is gone: no record\n")
    guard.done()
    sys.exit(1)
write_record(snakemake.output[0], record)
if snakemake.params.ssh_command:
    safe_remove(ssh_bin, snakemake.params.roots)
guard.done()
