"""Snakemake entry of rule copy_container_source (logic: annex_race.datasets.make)."""

from annex_race.core.files import read_manifest, write_manifest
from annex_race.datasets.make import copy_container_source
from annex_race.jobs.process import start_job

start_job(snakemake.log[0])
manifest = copy_container_source(
    snakemake.params.path, read_manifest(snakemake.input.origin), snakemake.params.roots
)
write_manifest(snakemake.output[0], manifest)
