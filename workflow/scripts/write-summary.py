"""Snakemake entry of rule write_summary (logic: annex_race.report.summary)."""

from annex_race.jobs.process import start_job
from annex_race.report.summary import render_pages

start_job(snakemake.log[0])
render_pages(snakemake.input, dict(snakemake.output.items()), snakemake.input.sources,
             snakemake.input.writes, snakemake.params.configfiles)
