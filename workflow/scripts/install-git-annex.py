"""Snakemake entry of rule install_git_annex (logic: annex_race.core.versions)."""

from annex_race.core.files import write_manifest
from annex_race.core.versions import install
from annex_race.jobs.process import start_job

start_job(snakemake.log[0])
manifest = install(snakemake.wildcards.version, snakemake.params.cache, snakemake.params.roots,
                   system=snakemake.params.system)
write_manifest(snakemake.output[0], manifest)
