"""Snakemake entry of rule copy_container_source (logic: annex_race.datasets)."""

from annex_race.datasets import copy_container_source, read_manifest, write_manifest
from annex_race.job import start_job

start_job(snakemake.log[0])
manifest = copy_container_source(
    snakemake.params.path, read_manifest(snakemake.input.origin), snakemake.params.roots
)
write_manifest(snakemake.output[0], manifest)
