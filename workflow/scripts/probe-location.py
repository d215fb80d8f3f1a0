"""Snakemake entry of rule probe_location (logic: annex_race.datasets.probe)."""

from annex_race.core.files import write_manifest
from annex_race.datasets.probe import probe_location
from annex_race.jobs.process import start_job

start_job(snakemake.log[0])
manifest = probe_location(
    snakemake.wildcards.location, **snakemake.params.roots, roots=snakemake.params.deletable
)
print(manifest)
write_manifest(snakemake.output[0], manifest)
