"""Snakemake entry of rule summarize_results (logic: annex_race.summary, annex_race.timeline)."""

from pathlib import Path

from annex_race.job import start_job
from annex_race.summary import read_records, records_table, scenario_summary, summary_markdown
from annex_race.timeline import plot_timeline

start_job(snakemake.log[0])
table = records_table(read_records(snakemake.input))
summary = scenario_summary(table, snakemake.params.max_skew)
table.to_csv(snakemake.output.table, sep="\t", index=False)
Path(snakemake.output.summary).write_text(summary_markdown(summary, notes=snakemake.params.notes))
plot_timeline(table, snakemake.output.timeline, summary)
