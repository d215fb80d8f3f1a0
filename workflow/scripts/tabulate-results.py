"""Snakemake entry of rule tabulate_results (logic: annex_race.report.table)."""

from annex_race.jobs.process import start_job
from annex_race.report.summary import tabulate
from annex_race.report.table import collect_records

start_job(snakemake.log[0])
params = snakemake.params
tabulate(collect_records(params.expected), params.max_skew, dict(snakemake.output.items()), params.max_rounds,
         snakemake.input.writes, snakemake.input.verified, params.notes,
         order=[clone["scenario"]["scenario"] for clone in params.expected])
