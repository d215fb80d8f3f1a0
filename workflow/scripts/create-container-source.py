"""Snakemake entry of rule create_container_source (logic: annex_race.datasets)."""

from annex_race.datasets import make_container_source, write_manifest
from annex_race.job import start_job

start_job(snakemake.log[0])
manifest = make_container_source(
    snakemake.params.path, snakemake.wildcards.size, snakemake.params.roots
)
write_manifest(snakemake.output[0], manifest)
