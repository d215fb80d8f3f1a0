"""Snakemake entry of rule open_round (logic: annex_race.barrier, annex_race.snapshot)."""

from annex_race import snapshot
from annex_race.barrier import open_round
from annex_race.datasets import read_manifest
from annex_race.job import start_job

start_job(snakemake.log[0])
# before the ticket: no job of the round acts before its shared repositories are seen
shared = snapshot.resolve(snakemake.params.shared, read_manifest)
snapshot.before_round(shared, snakemake.output.snapshot)
print(open_round(snakemake.output.ticket, int(snakemake.wildcards.round), snakemake.params.lane))
