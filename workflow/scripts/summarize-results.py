"""Snakemake entry of rule summarize_results (logic: annex_race.summary)."""

from annex_race.job import start_job
from annex_race.summary import collect_records, write_results

start_job(snakemake.log[0])
write_results(
    collect_records(snakemake.params.expected),
    snakemake.params.max_skew,
    dict(snakemake.output.items()),
    snakemake.params.heatmap,
    notes=snakemake.params.notes,
    sources=snakemake.input.sources,
    configfiles=snakemake.params.configfiles,
    max_rounds=snakemake.params.max_rounds,
    writes=snakemake.input.writes,
)
