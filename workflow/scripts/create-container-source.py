"""Snakemake entry of rule create_container_source (logic: annex_race.datasets.make)."""

from annex_race.core.files import write_manifest
from annex_race.datasets.make import make_container_source
from annex_race.jobs.process import start_job

start_job(snakemake.log[0])
manifest = make_container_source(
    snakemake.params.path, snakemake.wildcards.size, snakemake.params.roots
)
write_manifest(snakemake.output[0], manifest)
