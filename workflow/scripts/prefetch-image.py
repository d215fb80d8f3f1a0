"""Snakemake entry of rule prefetch_image (logic: annex_race.datasets.make)."""

from annex_race.core.files import read_manifest, write_manifest
from annex_race.datasets.make import prefetch_image
from annex_race.jobs.process import start_job

log = start_job(snakemake.log[0])
manifest = prefetch_image(
    snakemake.params.path, read_manifest(snakemake.input.ria), log, snakemake.params.roots
)
write_manifest(snakemake.output[0], manifest)
