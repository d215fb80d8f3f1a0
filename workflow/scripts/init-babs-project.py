"""Snakemake entry of rule init_babs_project (logic: annex_race.jobs.babs)."""

import os
import sys
from pathlib import Path

from annex_race.core.files import read_manifest, write_manifest
from annex_race.core.specs import BabsProjectSpec
from annex_race.jobs import babs
from annex_race.jobs.process import start_job

log = start_job(snakemake.log[0])
params = snakemake.params
project = BabsProjectSpec.of(params.project)
git_annex = read_manifest(snakemake.input.git_annex)
source = read_manifest(project.container_source)
scenario = project.scenario
# the preamble's own step: which tools the task runs, the round's barrier, the
# origin-lock probe (paths absolute: the tasks run in BABS's scratch)
task = babs.task_command(
    sys.executable, Path(project.ticket), Path(project.barriers), scenario["n_clones"],
    params.barrier_timeout, params.barrier_margin, Path(project.facts_file), source["path"], source["key"])
container_ds = babs.container_dataset(
    source, read_manifest(project.container_store) if project.container_store else None)
manifest = babs.init_project(
    project.root, scenario, container_ds, git_annex["bin"],
    Path(params.babs_env).absolute() / "bin", task, log, params.roots,
    # the profile's partition and account, for BABS's own #SBATCH lines (a profile may
    # name them by environment variable, which the SLURM plugin's shell expands)
    partition=os.path.expandvars(snakemake.resources.get("slurm_partition") or "") or None,
    account=os.path.expandvars(snakemake.resources.get("slurm_account") or "") or None)
write_manifest(snakemake.output[0], manifest | {"git_annex": git_annex, "key": source["key"]})
