"""Snakemake entry of rule export_input_ria (logic: annex_race.datasets.make)."""

from annex_race.core.files import read_manifest, write_manifest
from annex_race.datasets.make import export_ria
from annex_race.jobs.process import start_job

start_job(snakemake.log[0])
manifest = export_ria(
    snakemake.params.store,
    read_manifest(snakemake.input.source_ds),
    snakemake.wildcards.storage_sibling,
    snakemake.params.roots,
)
write_manifest(snakemake.output[0], manifest)
