"""Snakemake entry for rule git_annex (logic: annex_race.git_annex)."""

from annex_race.datasets import write_manifest
from annex_race.git_annex import install
from annex_race.job import start_job

start_job(snakemake.log[0])
manifest = install(snakemake.wildcards.version, snakemake.params.prefix, snakemake.params.roots)
write_manifest(snakemake.output[0], manifest)
