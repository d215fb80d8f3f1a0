"""Snakemake entry of rule run_babs (logic: annex_race.jobs.babs)."""

import signal
import sys
from pathlib import Path

from annex_race.core.files import read_manifest, write_json
from annex_race.jobs import babs
from annex_race.jobs.barrier import read_ticket
from annex_race.jobs.process import start_job

log = start_job(snakemake.log[0])
# stopped (Ctrl-C, a killed run): unwind, so that BABS's array is cancelled
signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
inputs, params = snakemake.input, snakemake.params
project = read_manifest(inputs.project)
ticket = read_ticket(inputs.round, 60)
n = params.scenario["n_clones"]
account = babs.run_array(project, n, params.timeout, project["git_annex"]["bin"],
                         Path(params.babs_env).absolute() / "bin", log, params.roots)
account |= {"round": ticket.round, "lane": ticket.lane, "babs_version": project["babs_version"]}
write_json(snakemake.output[0], account, indent=1)
