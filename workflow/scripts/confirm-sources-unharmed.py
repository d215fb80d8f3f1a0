"""Snakemake entry of rule confirm_sources_unharmed: a harmed source fails the run."""

from annex_race.jobs.process import start_job
from annex_race.observe.integrity import read_verifications

start_job(snakemake.log[0])
harmed = [f"{v['what']}: {v['path']}: {v['detail']}" for v in read_verifications(snakemake.input.sources)
          if not v["ok"]]
if harmed:
    raise SystemExit(f"annex-race: a source was harmed (see {snakemake.input.summary}): {harmed[0]}")
