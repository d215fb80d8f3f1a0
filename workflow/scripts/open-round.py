"""Snakemake entry of rule open_barrier (logic: annex_race.barrier)."""

from annex_race.barrier import open_barrier
from annex_race.job import start_job

start_job(snakemake.log[0])
datasets = dict(snakemake.params.datasets)
lane = datasets.pop("lane")
print(open_barrier(snakemake.output[0], int(snakemake.wildcards.round), lane, datasets))
