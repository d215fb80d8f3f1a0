"""Snakemake entry of rule confirm_sources_unharmed: a harmed source fails the run."""

import json
from pathlib import Path

from annex_race.job import start_job

start_job(snakemake.log[0])
harmed = [f"{c['what']}: {c['path']}: {c['detail']}"
          for path in snakemake.input.sources for c in json.loads(Path(path).read_text())["checks"]
          if not c["ok"]]
if harmed:
    raise SystemExit(f"annex-race: a source was harmed (see {snakemake.input.summary}): {harmed[0]}")
