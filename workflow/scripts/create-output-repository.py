"""Snakemake entry of rule create_output_repository (logic: annex_race.jobs.push)."""

import os

from annex_race.core import versions
from annex_race.core.files import read_manifest, write_manifest
from annex_race.core.roots import safe_remove
from annex_race.jobs.process import start_job
from annex_race.jobs.push import create_output_repository

start_job(snakemake.log[0])
versions.use(read_manifest(snakemake.input.git_annex), os.environ)  # the scenario's git-annex makes it
safe_remove(snakemake.params.directory, snakemake.params.roots)  # an interrupted earlier attempt's
scenario = snakemake.params.scenario
manifest = create_output_repository(scenario, snakemake.params.directory)
print(f"output repository for {scenario['method']}, deliver {scenario['deliver']}: {manifest['url']}")
write_manifest(snakemake.output[0], manifest)
