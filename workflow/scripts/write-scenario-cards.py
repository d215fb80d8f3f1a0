"""Snakemake entry of rule write_scenario_cards (logic: annex_race.report.pages)."""

from annex_race.jobs.process import start_job
from annex_race.report.summary import write_cards

start_job(snakemake.log[0])
write_cards(snakemake.input, snakemake.output.cards, snakemake.params.configfiles)
