"""Snakemake entry of rule init_babs_project (logic: annex_race.babs)."""

import os
import sys
from pathlib import Path

from annex_race import babs
from annex_race.datasets import read_manifest, write_manifest
from annex_race.job import start_job

log = start_job(snakemake.log[0])
inputs, params = snakemake.input, snakemake.params
git_annex = read_manifest(inputs.git_annex)
source = read_manifest(inputs.container_source)
# the preamble's own step: which tools the task runs, the round's barrier, the
# origin-lock probe (paths absolute: the tasks run in BABS's scratch)
task = babs.task_command(
    sys.executable, Path(params.ticket), Path(params.barriers), params.scenario["n_clones"],
    params.barrier_timeout, params.barrier_margin, Path(params.tasks), source["path"], source["key"])
# storage sibling on: BABS's container dataset is container_source's copy in the RIA
# store with a storage sibling, given as a RIA URL as a user would give it
container_ds = source["path"]
if "store" in inputs.keys():
    container_ds = f"ria+file://{read_manifest(inputs.store)['store']}#{source['dataset_id']}"
manifest = babs.init_project(
    params.root, params.scenario, container_ds, git_annex["bin"],
    Path(params.babs_env).absolute() / "bin", task, log, params.roots,
    # the profile's partition and account, for BABS's own #SBATCH lines (a profile may
    # name them by environment variable, which the SLURM plugin's shell expands)
    partition=os.path.expandvars(snakemake.resources.get("slurm_partition") or "") or None,
    account=os.path.expandvars(snakemake.resources.get("slurm_account") or "") or None)
write_manifest(snakemake.output[0], manifest | {"git_annex": git_annex, "key": source["key"]})
