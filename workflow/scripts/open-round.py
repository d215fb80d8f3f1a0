"""Snakemake entry of rule open_round (logic: annex_race.jobs.barrier, annex_race.observe.snapshot)."""

from annex_race.core.files import read_manifest
from annex_race.jobs.barrier import open_round
from annex_race.jobs.process import start_job
from annex_race.observe import snapshot

start_job(snakemake.log[0])
# before the ticket: no job of the round acts before its shared repositories are seen
opening = snakemake.params.opening
snapshot.before_round(snapshot.resolve(opening["shared"], read_manifest), snakemake.output.snapshot)
print(open_round(snakemake.output.ticket, int(snakemake.wildcards.round), opening["lane"]))
