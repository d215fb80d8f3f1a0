"""Snakemake entry of rule check (logic: annex_race.report.decisions.site_check)."""

from pathlib import Path

from annex_race.jobs.process import start_job
from annex_race.observe import snapshot
from annex_race.observe.output import read_verified
from annex_race.report.decisions import site_check
from annex_race.report.summary import markdown_table
from annex_race.report.table import collect_records, records_table, scenario_summary

start_job(snakemake.log[0])
summary = scenario_summary(records_table(collect_records(snakemake.params.expected)), snakemake.params.max_skew,
                           writes=snapshot.read_writes(snakemake.input.writes),
                           verified=read_verified(snakemake.input.verified))
columns = ["location", "storage_sibling", "git_annex", "workaround", "verdict", "get_verdict", "deliver_verdict",
           "detail", "cause",
           "winner_get_s", "slowest_get_s", "sources", "git_annex_run"]
text = "\n".join(["# Is this site affected?", "", *(p + "\n" for p in site_check(summary)),
                  "## What was tried", "", markdown_table(summary[columns]), ""])
Path(snakemake.output[0]).write_text(text)
print(text)
