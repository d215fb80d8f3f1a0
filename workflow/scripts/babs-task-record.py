"""Snakemake entry of rule babs_task_record (logic: annex_race.babs)."""

import json
from pathlib import Path

from annex_race import babs
from annex_race.datasets import read_manifest
from annex_race.record import write_record

params = snakemake.params
clone = int(snakemake.wildcards.clone)
account = json.loads(Path(snakemake.input.run).read_text())
facts = Path(params.tasks) / f"task-{clone}.json"
text = babs.task_log(account, clone)
Path(snakemake.log[0]).write_text(text)  # BABS's own log of the task is the clone's log
record = babs.task_record(
    params.scenario, clone, account["round"], account["lane"], read_manifest(snakemake.input.location),
    json.loads(facts.read_text()) if facts.exists() else None, account["tasks"][str(clone + 1)],
    text, Path(snakemake.log[0]).absolute(), f"BABS {account['babs_version']}")
write_record(snakemake.output[0], record)
