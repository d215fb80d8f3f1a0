"""Snakemake entry of rule create_output_store (logic: annex_race.push_job)."""

import os

from annex_race import versions
from annex_race.datasets import read_manifest, write_manifest
from annex_race.job import start_job
from annex_race.paths import safe_remove
from annex_race.push_job import create_output_store

start_job(snakemake.log[0])
versions.use(read_manifest(snakemake.input.git_annex), os.environ)  # the scenario's git-annex makes it
safe_remove(snakemake.params.directory, snakemake.params.roots)  # an interrupted earlier attempt's
manifest = create_output_store(snakemake.params.method, snakemake.params.directory)
print(f"output store for {snakemake.params.method}: {manifest['url']}")
write_manifest(snakemake.output[0], manifest)
