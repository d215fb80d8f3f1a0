"""Snakemake entry of rule draw_figures (logic: annex_race.report.figures)."""

from annex_race.jobs.process import start_job
from annex_race.report.summary import draw_figures

start_job(snakemake.log[0])
draw_figures(snakemake.input, dict(snakemake.output.items()), snakemake.params.heatmap)
