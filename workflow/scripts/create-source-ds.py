"""Snakemake entry of rule create_source_ds (logic: annex_race.datasets.make)."""

from annex_race.core.files import read_manifest, write_manifest
from annex_race.datasets.make import make_source_ds
from annex_race.jobs.process import start_job

start_job(snakemake.log[0])
manifest = make_source_ds(
    snakemake.params.path,
    read_manifest(snakemake.input.container_source),
    snakemake.params.roots,
    ssh_host=snakemake.params.ssh_host,
)
write_manifest(snakemake.output[0], manifest)
