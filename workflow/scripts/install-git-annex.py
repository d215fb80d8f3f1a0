"""Snakemake entry of rule install_git_annex (logic: annex_race.versions)."""

from annex_race.datasets import write_manifest
from annex_race.job import start_job
from annex_race.versions import install

start_job(snakemake.log[0])
manifest = install(snakemake.wildcards.version, snakemake.params.cache, snakemake.params.roots,
                   system=snakemake.params.system)
write_manifest(snakemake.output[0], manifest)
