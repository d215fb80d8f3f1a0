"""Snakemake entry of rule probe_location (logic: annex_race.locations)."""

from annex_race.datasets import write_manifest
from annex_race.job import start_job
from annex_race.locations import probe_location

start_job(snakemake.log[0])
manifest = probe_location(
    snakemake.wildcards.location, **snakemake.params.roots, roots=snakemake.params.deletable
)
print(manifest)
write_manifest(snakemake.output[0], manifest)
