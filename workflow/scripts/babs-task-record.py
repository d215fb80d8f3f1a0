"""Snakemake entry of rule babs_task_record (logic: annex_race.jobs.babs)."""

import json
from pathlib import Path

from annex_race.core.files import read_manifest
from annex_race.core.record import write_record
from annex_race.jobs import babs

params = snakemake.params
clone = int(snakemake.wildcards.clone)
account = read_manifest(snakemake.input.run)
facts = Path(params.task)
text = babs.task_log(account, clone)
Path(snakemake.log[0]).write_text(text)  # BABS's own log of the task is the clone's log
record = babs.task_record(
    params.scenario, clone, account["round"], account["lane"], read_manifest(snakemake.input.location),
    json.loads(facts.read_text()) if facts.exists() else None, account["tasks"][str(clone + 1)],
    text, Path(snakemake.log[0]).absolute(), f"BABS {account['babs_version']}")
write_record(snakemake.output[0], record)
