"""Snakemake entry of rule prefetch_image (logic: annex_race.datasets)."""

from annex_race.datasets import prefetch_image, read_manifest, write_manifest
from annex_race.job import start_job

log = start_job(snakemake.log[0])
write_manifest(snakemake.output[0], prefetch_image(read_manifest(snakemake.input.source_ds), log))
