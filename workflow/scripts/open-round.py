"""Snakemake entry of rule open_round (logic: annex_race.barrier)."""

from annex_race.barrier import open_round
from annex_race.job import start_job

start_job(snakemake.log[0])
print(open_round(snakemake.output[0], int(snakemake.wildcards.round), snakemake.params.lane))
